"""Shared test helpers: mail."""

from __future__ import annotations

import socket
import threading


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class _Inbox:
    def __init__(self):
        self.messages = []
        self.received = threading.Event()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802  aiosmtpd's hook name
        self.messages.append(envelope)
        self.received.set()
        return "250 OK"
