"""Shared test helpers: processing."""

from __future__ import annotations

import re

from service.dossiers.models import Dossier
from service.extensions import db
from tests.factories import login


def act(client, dossier, event, **data):
    page = client.get(f"/dossiers/{dossier.id}").get_data(as_text=True)
    version = re.search(r'name="version" value="(\d+)"', page)
    payload = {**data, "version": version.group(1) if version else ""}
    return client.submit(f"/officials/dossiers/{dossier.id}/act/{event}", payload, follow_redirects=True)


def fresh(dossier) -> Dossier:
    return db.session.get(Dossier, dossier.id)


def as_(client, user):
    client.submit("/account/logout")
    client._csrf = None
    login(client, user)
    return client
