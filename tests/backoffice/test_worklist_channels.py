"""The worklist says how each dossier came (issue 17): online, at the desk, by post, or from the national
portal, read for the whole page at once rather than row by row."""

from __future__ import annotations

import re

from service.database import write
from service.dossiers.models import Dossier
from service.extensions import db
from service.nationalportal.models import NationalSync
from tests.factories import create_citizen, create_dossier, create_official, login, queries_to_get

ROW = re.compile(r'<a href="/dossiers/\d+">([^<]+)</a>.*?<td data-testid="channel">([^<]*)</td>', re.S)


def came(channel: str) -> Dossier:
    dossier = create_dossier(create_citizen(), submitted=True)
    with write():
        row = db.session.get(Dossier, dossier.id)
        if channel == "portal":
            db.session.add(NationalSync(dossier_id=row.id, national_code=row.code, filed_on_portal=True))
        else:
            row.channel = channel
    return dossier


def test_each_row_names_its_channel_and_the_page_costs_the_same_whatever_the_mix(client):
    login(client, create_official("reception"))
    online = came("online")
    few = queries_to_get(client, "/officials/dossiers?list=all")
    dossiers = {"Trực tuyến": online, "Trực tiếp": came("desk"), "Bưu chính": came("post")}
    dossiers["Cổng DVC quốc gia"] = came("portal")
    page = client.get("/officials/dossiers?list=all").get_data(as_text=True)
    assert "<th>Kênh nộp</th>" in page
    shown = dict(ROW.findall(page))
    assert {label: shown[d.code] for label, d in dossiers.items()} == {label: label for label in dossiers}
    assert queries_to_get(client, "/officials/dossiers?list=all") == few
