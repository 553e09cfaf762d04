"""Shared test helpers: threads."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from service.extensions import db


def run_together(app, count: int, action):
    """Run `action(i)` in `count` threads, each with its own app context and database session, released
    at the same moment."""
    barrier = threading.Barrier(count)

    def worker(i):
        with app.app_context():
            barrier.wait()
            try:
                return action(i)
            finally:
                db.session.remove()

    db.session.rollback()  # end the test's own read transaction: it must see what the threads commit
    with ThreadPoolExecutor(count) as pool:
        results = list(pool.map(worker, range(count)))
    db.session.rollback()
    return results
