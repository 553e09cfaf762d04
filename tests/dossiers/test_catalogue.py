"""The procedure catalogue: data files, versioned import, public search and pages, JSON API."""

from __future__ import annotations

import shutil

import pytest

from service.deadlines.calendar import current_calendar
from service.dossiers import operations as dossier_operations
from service.dossiers import processing
from service.dossiers.models import Dossier
from service.extensions import db
from service.procedures.catalogue import CATALOGUE_DIR, CatalogueError, import_catalogue
from service.procedures.models import Procedure, ProcedureVersion
from service.timeutil import to_local
from tests.factories import (
    create_citizen,
    create_dossier,
    create_official,
    create_organisation,
    load_catalogue,
)

ALL_CODES = sorted(p.stem for p in CATALOGUE_DIR.glob("*.toml"))


def test_the_repository_holds_the_provinces_gdnn_procedures():
    assert len(ALL_CODES) >= 12
    assert {"2.000189", "1.000389", "1.005144", "1.000530"} <= set(ALL_CODES)


def test_import_loads_every_procedure_and_a_second_import_changes_nothing(app):
    result = app.test_cli_runner().invoke(args=["catalogue", "import"])
    assert result.exit_code == 0, result.output
    assert f"{len(ALL_CODES)} new" in result.output
    again = app.test_cli_runner().invoke(args=["catalogue", "import"])
    assert f"{len(ALL_CODES)} unchanged" in again.output
    assert db.session.scalar(db.select(db.func.count()).select_from(ProcedureVersion)) == len(ALL_CODES)


def _copy_catalogue(tmp_path):
    target = tmp_path / "procedures"
    shutil.copytree(CATALOGUE_DIR, target)
    return target


def test_a_changed_file_becomes_a_new_version_and_dossiers_keep_theirs(tmp_path):
    citizen = create_citizen()
    dossier = create_dossier(citizen, submitted=True)
    old_version_id = dossier.procedure_version_id
    directory = _copy_catalogue(tmp_path)
    path = directory / "2.001959.toml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("processing_days = 10", "processing_days = 7"),
        encoding="utf-8",
    )

    report = import_catalogue(directory)

    assert report.updated == ["2.001959.000.00.00.H01"]
    procedure = db.session.scalar(db.select(Procedure).where(Procedure.code == "2.001959.000.00.00.H01"))
    assert [v.number for v in procedure.versions] == [1, 2]
    assert procedure.current_version.processing_days == 7
    kept = db.session.get(Dossier, dossier.id)
    assert kept.procedure_version_id == old_version_id and kept.procedure_version.processing_days == 10


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("processing_days = 10", 'processing_days = "mười"'), "processing_days"),
        (('type = "phone"', 'type = "telephone"'), "telephone"),
        (('workflow = "one_stop"', 'workflow = "unknown"'), "workflow"),
    ],
)
def test_an_invalid_file_is_refused_with_its_name_and_nothing_is_imported(tmp_path, change, message):
    directory = _copy_catalogue(tmp_path)
    path = directory / "1.005144.toml"
    path.write_text(path.read_text(encoding="utf-8").replace(*change), encoding="utf-8")
    with pytest.raises(CatalogueError, match=f"1.005144.toml.*{message}"):
        import_catalogue(directory)
    assert db.session.scalar(db.select(db.func.count()).select_from(Procedure)) == 0


def test_search_ignores_diacritics(client):
    load_catalogue()
    page = client.get("/procedures/?q=dang+ky+hoat+dong").get_data(as_text=True)
    assert "Cấp giấy chứng nhận đăng ký hoạt động giáo dục nghề nghiệp" in page
    assert "Đổi tên trường trung cấp" not in page
    assert "miễn, giảm học phí" in client.get("/procedures/?q=mien giam hoc phi").get_data(as_text=True)
    assert "Không tìm thấy thủ tục phù hợp" in client.get("/procedures/?q=xyzxyz").get_data(as_text=True)


def test_filters_by_applicant_type(client):
    load_catalogue()
    people = client.get("/procedures/?applicant=person").get_data(as_text=True)
    assert "miễn, giảm học phí" in people
    assert "Đổi tên trường trung cấp" not in people


def test_procedure_page_tells_a_citizen_everything_before_filing(client):
    load_catalogue()
    page = client.get("/procedures/2.000189.000.00.00.H01").get_data(as_text=True)
    for expected in (
        "Thành phần hồ sơ",
        "10 ngày làm việc",
        "Miễn phí",
        "Căn cứ pháp lý",
        "Mẫu số 04",
        "Đăng nhập để nộp hồ sơ",
    ):
        assert expected in page
    assert client.get("/procedures/9.999999").status_code == 404


def test_api_lists_procedures_with_documents_and_fields(client):
    load_catalogue()
    listing = client.get("/api/v1/procedures").json["procedures"]
    assert len(listing) == len(ALL_CODES)
    one = client.get("/api/v1/procedures/2.000189.000.00.00.H01").json
    assert one["code"] == "2.000189.000.00.00.H01"
    assert one["processing_days"] == 10 and one["fee"] == 0
    assert one["documents"][0]["name"].startswith("Văn bản đăng ký")
    assert any(field["type"] == "table" for field in one["form_fields"])


def test_administrators_see_the_versions(client):
    from tests.factories import create_official, login

    load_catalogue()
    login(client, create_official("admin"))
    page = client.get("/admin/catalogue").get_data(as_text=True)
    assert "2.000189.000.00.00.H01" in page


DISSOLUTION = "1.000553.000.00.00.H01"


def _dissolution(request_type: str) -> Dossier:
    owner = create_organisation()
    draft = create_dossier(owner, DISSOLUTION)
    pairs = [(k, request_type if k == "request_type" else v) for k, v in draft.form_pairs]
    dossier_operations.save_form(draft.id, owner, pairs, None)
    dossier, _ = dossier_operations.submit(draft.id, owner)
    processing.act(dossier.id, create_official("reception"), "receive", {}, None)
    return db.session.get(Dossier, dossier.id)


def test_a_branch_is_dissolved_in_ten_working_days_a_school_in_fifteen():
    """Decree 95/2026 Art. 9 (catalogue `[processing_days_when]`): the variant the applicant chose sets
    the legal time, the appointment date and form 01's "thời hạn giải quyết"."""
    branch, school = _dissolution("cham_dut_phan_hieu"), _dissolution("giai_the_truong")
    calendar = current_calendar()
    received = to_local(branch.received_at).replace(tzinfo=None)
    assert branch.processing_days == 10 and school.processing_days == 15
    assert branch.due_date == calendar.due_date(received, 10)
    assert school.due_date == calendar.due_date(to_local(school.received_at).replace(tzinfo=None), 15)
    assert branch.due_date < school.due_date


def test_the_procedure_page_shows_the_2026_rules_and_when_they_apply(client):
    load_catalogue()
    page = client.get(f"/procedures/{DISSOLUTION}").get_data(as_text=True)
    assert (
        "15 ngày làm việc kể từ ngày nhận đủ hồ sơ hợp lệ; chấm dứt hoạt động (giải thể) phân hiệu: "
        "10 ngày làm việc (Điều 9 Nghị định số 95/2026/NĐ-CP)" in page
    )
    assert 'data-testid="effective-from">31/03/2026<' in page
    branch = client.get("/procedures/1.000154.000.00.00.H01").get_data(as_text=True)
    assert (
        "5 ngày làm việc" in branch
        and "Văn bản chấp thuận của Ủy ban nhân dân cấp tỉnh nơi đặt phân hiệu" in branch
    )
    exemption = client.get("/procedures/1.005144.000.00.00.H01").get_data(as_text=True)
    assert (
        "Đề nghị miễn, giảm học phí trong cơ sở giáo dục nghề nghiệp và cơ sở giáo dục đại học công lập"
        in exemption
    )


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("days = 10", 'days = "mười"'), "processing_days_when.days"),
        (('values = ["cham_dut_phan_hieu"]', 'values = ["phan_hieu"]'), "processing_days_when.values"),
        (('legal_basis = "Điều 9 Nghị định số 95/2026/NĐ-CP"\n', ""), "processing_days_when.legal_basis"),
        (("effective_from = 2026-03-31", 'effective_from = "31/03/2026"'), "effective_from must be a date"),
    ],
)
def test_a_variants_time_needs_its_choice_days_and_legal_basis(tmp_path, change, message):
    directory = _copy_catalogue(tmp_path)
    path = directory / "1.000553.toml"
    path.write_text(path.read_text(encoding="utf-8").replace(*change), encoding="utf-8")
    with pytest.raises(CatalogueError, match=f"1.000553.toml.*{message}"):
        import_catalogue(directory)
