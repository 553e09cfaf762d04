"""Shared test helpers: filing."""

from __future__ import annotations

import re

from tests.factories import (
    PERSON_PROCEDURE,
    load_catalogue,
)

DECLARED = {"declaration": "y"}  # the review page's "Tôi xin cam đoan…" ticked; the result electronic
FROM_OUR_PAGE = {"Origin": "http://localhost", "Sec-Fetch-Site": "same-origin"}  # what a browser adds


def save(client, dossier_id: int, pairs: list, action: str = "save"):
    """Post the e-form as the page would, with the draft version the page shows."""
    page = client.get(f"/dossiers/{dossier_id}/edit").get_data(as_text=True)
    version = re.search(r'name="version" value="(\d+)"', page).group(1)
    return client.submit(f"/dossiers/{dossier_id}/edit", [*pairs, ("action", action), ("version", version)])


def start(client, code: str = PERSON_PROCEDURE) -> int:
    load_catalogue()
    response = client.submit(f"/dossiers/new/{code}")
    assert response.status_code == 302
    return int(re.search(r"/dossiers/(\d+)/edit", response.location).group(1))
