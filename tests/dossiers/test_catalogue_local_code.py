"""Decree 66/2026's procedure (a private trung cấp school becoming non-profit, Art. 5) has no national
code in the texts found: it is catalogue data under a local code, said to be one, and fileable; the
local prefix is reserved to codes marked local, and a local code is always listed as unconfirmed."""

from __future__ import annotations

import shutil

import pytest

from service.deadlines.calendar import current_calendar
from service.dossiers import processing
from service.extensions import db
from service.procedures.catalogue import CATALOGUE_DIR, CatalogueError, import_catalogue
from service.procedures.models import Procedure
from service.timeutil import to_local
from tests.factories import create_dossier, create_official, create_organisation, load_catalogue

CONVERSION = "DP-ND66-2026-01"


def test_the_conversion_is_offered_under_its_local_code_with_its_basis_and_date(client):
    load_catalogue()
    version = db.session.scalar(db.select(Procedure).where(Procedure.code == CONVERSION)).current_version
    assert version.content["local_code"] is True and "code" in version.content["unconfirmed"]
    assert version.processing_days == 13 and version.content["effective_from"] == "2026-03-02"
    assert version.content["deciding_authority"] == "Giám đốc Sở Giáo dục và Đào tạo"
    assert any("66/2026/NĐ-CP" in basis for basis in version.content["legal_bases"])
    page = client.get(f"/procedures/{CONVERSION}").get_data(as_text=True)
    assert "mã tạm của địa phương" in page and "02/03/2026" in page


def test_a_school_files_it_and_the_sos_desk_receives_it_with_13_working_days(app):
    organisation = create_organisation()
    dossier = create_dossier(organisation, code=CONVERSION, submitted=True)
    assert dossier.status == "submitted" and dossier.school_id is None
    outcome = processing.act(dossier.id, create_official("reception"), "receive", {}, dossier.version)
    received = to_local(outcome.dossier.received_at).replace(tzinfo=None)
    assert outcome.dossier.due_date == current_calendar().due_date(received, 13, None)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("local_code = true\n", ""), "only a local code"),
        (('unconfirmed = ["code", ', "unconfirmed = ["), "listed in 'unconfirmed'"),
    ],
)
def test_a_local_code_must_say_so(tmp_path, change, message):
    directory = tmp_path / "procedures"
    shutil.copytree(CATALOGUE_DIR, directory)
    path = directory / f"{CONVERSION}.toml"
    path.write_text(path.read_text(encoding="utf-8").replace(*change), encoding="utf-8")
    with pytest.raises(CatalogueError, match=message):
        import_catalogue(directory)


def test_a_national_code_cannot_be_marked_local(tmp_path):
    directory = tmp_path / "procedures"
    shutil.copytree(CATALOGUE_DIR, directory)
    path = directory / "2.000189.toml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("workflow =", "local_code = true\nworkflow =", 1)
    )
    with pytest.raises(CatalogueError, match="a local code starts with"):
        import_catalogue(directory)
