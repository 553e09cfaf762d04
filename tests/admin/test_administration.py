"""Administration for the workflow: departments, the working-day calendar, procedure settings."""

from __future__ import annotations

from datetime import date

import pytest

from service.accounts.models import Department
from service.deadlines.models import CalendarOverride
from service.dossiers import processing
from service.dossiers.models import Dossier
from service.extensions import db
from service.procedures.models import ProcedureSetting
from tests.factories import create_citizen, create_dossier, create_official, load_catalogue, login, refused


def test_departments_are_created_and_officials_belong_to_them(client):
    admin = create_official("admin")
    login(client, admin)
    client.submit("/admin/departments", {"code": "gdnn", "name": "Phòng Giáo dục nghề nghiệp"})
    department = db.session.scalar(db.select(Department).where(Department.code == "GDNN"))
    assert department.name == "Phòng Giáo dục nghề nghiệp"
    page = client.submit("/admin/departments", {"code": "GDNN", "name": "Trùng"}).get_data(as_text=True)
    assert "đã tồn tại" in page
    client.submit(
        "/admin/users/new",
        {
            "full_name": "Chuyên viên A",
            "email": "cva@so.vn",
            "role": "specialist",
            "department_id": str(department.id),
        },
    )
    from service.accounts.models import User

    assert db.session.scalar(db.select(User).where(User.email == "cva@so.vn")).department_id == department.id


def test_departments_have_one_name_each_are_renamed_and_removed_only_when_empty(client):
    login(client, create_official("admin"))
    client.submit("/admin/departments", {"code": "GDNN", "name": "Phòng Giáo dục nghề nghiệp"})
    client.submit("/admin/departments", {"code": "KHTC", "name": "Phòng Kế hoạch - Tài chính"})
    twin = client.submit("/admin/departments", {"code": "GDNN2", "name": "phòng  giáo dục NGHỀ nghiệp"})
    assert twin.status_code == 400 and "Đã có phòng, đơn vị tên" in twin.get_data(as_text=True)
    gdnn, khtc = (
        db.session.scalar(db.select(Department.id).where(Department.code == c)) for c in ("GDNN", "KHTC")
    )
    clash = client.submit(f"/admin/departments/{khtc}/rename", {"name": "Phòng Giáo dục nghề nghiệp"})
    assert clash.status_code == 400 and "Đã có phòng, đơn vị tên" in clash.get_data(as_text=True)
    client.submit(
        f"/admin/departments/{gdnn}/rename",
        {"name": "Phòng Giáo dục nghề nghiệp và Giáo dục thường xuyên"},
    )
    db.session.expire_all()
    assert db.session.get(Department, gdnn).name == "Phòng Giáo dục nghề nghiệp và Giáo dục thường xuyên"
    from service.accounts import operations as accounts

    accounts.update_official(create_official("specialist").id, "specialist", gdnn, None)
    held = client.submit(f"/admin/departments/{gdnn}/retire")
    assert held.status_code == 400 and "còn 1 cán bộ" in held.get_data(as_text=True)
    client.submit(f"/admin/departments/{khtc}/retire")
    assert db.session.get(Department, khtc) is None and db.session.get(Department, gdnn) is not None
    page = client.get("/admin/departments").get_data(as_text=True)
    assert "data-confirm=" in page  # removal asks first


def test_declared_days_change_the_due_date(client):
    admin = create_official("admin")
    login(client, admin)
    client.submit(
        "/admin/calendar", {"day": "2026-12-01", "kind": "off", "note": "Nghỉ theo Thông báo 01/TB-UBND"}
    )
    client.submit("/admin/calendar", {"day": "2026-12-05", "kind": "working", "note": "Làm bù"})
    overrides = {o.day: o.is_working for o in db.session.scalars(db.select(CalendarOverride))}
    assert overrides == {date(2026, 12, 1): False, date(2026, 12, 5): True}
    page = client.get("/admin/calendar?year=2026").get_data(as_text=True)
    assert (
        "01/12/2026" in page and "02/09/2026" in page
    )  # declared, and National Day from the holidays package
    client.submit("/admin/calendar/2026-12-01/delete")
    assert db.session.get(CalendarOverride, date(2026, 12, 1)) is None
    assert client.submit("/admin/calendar/not-a-date/delete").status_code == 404


@pytest.mark.parametrize(
    "day, kind, message",
    [
        ("2026-12-05", "off", "thứ Bảy 05/12/2026 vốn là ngày nghỉ cuối tuần"),
        ("2026-12-03", "working", "thứ Năm 03/12/2026 vốn là ngày làm việc"),
        ("2026-09-02", "working", "là ngày lễ (Quốc khánh)"),
        ("2026-01-01", "off", "đã là ngày nghỉ (Tết Dương lịch)"),
    ],
)
def test_a_declaration_against_the_week_is_refused_and_nothing_is_saved(client, day, kind, message):
    login(client, create_official("admin"))
    response = client.submit("/admin/calendar", {"day": day, "kind": kind, "note": "Thông báo 01/TB-UBND"})
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    assert db.session.scalars(db.select(CalendarOverride)).all() == []


def test_re_declaring_a_day_asks_first_and_keeps_the_old_basis(client):
    login(client, create_official("admin"))
    client.submit("/admin/calendar", {"day": "2026-12-01", "kind": "off", "note": "Thông báo 01/TB-UBND"})
    again = client.submit(
        "/admin/calendar", {"day": "2026-12-01", "kind": "off", "note": "Thông báo 02/TB-UBND"}
    )
    assert (
        again.status_code == 400
        and "đã được khai báo là ngày nghỉ (căn cứ: Thông báo 01/TB-UBND)" in again.get_data(as_text=True)
    )
    assert db.session.get(CalendarOverride, date(2026, 12, 1)).note == "Thông báo 01/TB-UBND"
    client.submit(
        "/admin/calendar",
        {"day": "2026-12-01", "kind": "off", "note": "Thông báo 02/TB-UBND", "replace": "y"},
    )
    db.session.expire_all()
    assert db.session.get(CalendarOverride, date(2026, 12, 1)).note == "Thông báo 02/TB-UBND"
    page = client.get("/admin/calendar?year=2026").get_data(as_text=True)
    assert (
        "là ngày nghỉ (căn cứ: Thông báo 02/TB-UBND); thay cho ngày nghỉ (căn cứ: Thông báo 01/TB-UBND)"
        in page
    )
    assert 'data-confirm="Xóa khai báo ngày 01/12/2026?' in page  # no removal on one click
    assert (
        "24/11/2026 – Ngày Văn hóa Việt Nam" in page or "01/01/2026 – Tết Dương lịch" in page
    )  # in Vietnamese
    assert "New Year" not in page


def test_a_declared_day_off_moves_a_real_due_date(app):
    from service.deadlines.calendar import current_calendar, declare_day

    with app.test_request_context():
        before = current_calendar().add_working_days(date(2026, 11, 30), 1)
        declare_day(date(2026, 12, 1), False, "Nghỉ", None)
        after = current_calendar().add_working_days(date(2026, 11, 30), 1)
    assert (before, after) == (date(2026, 12, 1), date(2026, 12, 2))


def test_procedure_settings_route_received_dossiers_and_preselect_the_specialist(client):
    admin, reception = create_official("admin"), create_official("reception")
    specialist = create_official("specialist")
    load_catalogue()
    login(client, admin)
    client.submit("/admin/departments", {"code": "GDNN", "name": "Phòng GDNN"})
    department = db.session.scalar(db.select(Department))
    dossier = create_dossier(create_citizen(), submitted=True)
    code = dossier.procedure_version.code
    client.submit(
        f"/admin/procedures/{code}/settings",
        {"department_id": str(department.id), "default_specialist_id": str(specialist.id)},
    )
    setting = db.session.get(ProcedureSetting, dossier.procedure_version.procedure_id)
    assert (setting.department_id, setting.default_specialist_id) == (department.id, specialist.id)
    processing.act(dossier.id, reception, "receive", {}, None)
    assert db.session.get(Dossier, dossier.id).department_id == department.id
    client.submit("/account/logout")
    client._csrf = None
    login(client, reception)
    page = client.get(f"/dossiers/{dossier.id}").get_data(as_text=True)
    assert f'<option value="{specialist.id}" selected>' in page


@pytest.mark.parametrize(
    "url", ["/admin/departments", "/admin/calendar", "/admin/procedures/2.000189.000.00.00.H01/settings"]
)
def test_administration_is_for_administrators_only(client, url):
    load_catalogue()
    login(client, create_official("leader"))
    refused(client.get(url), 403)


def test_an_administrator_changes_an_officials_role_and_department(client):
    from service.accounts.models import User

    admin, official = create_official("admin"), create_official("reception")
    citizen = create_citizen()
    login(client, admin)
    client.submit("/admin/departments", {"code": "MC", "name": "Một cửa"})
    department = db.session.scalar(db.select(Department))
    client.submit(
        f"/admin/users/{official.id}/edit",
        {"role": "leader", "department_id": str(department.id), "position": "Trưởng phòng"},
    )
    changed = db.session.get(User, official.id)
    assert (changed.role, changed.department_id, changed.position) == (
        "leader",
        department.id,
        "Trưởng phòng",
    )
    page = client.submit(
        f"/admin/users/{official.id}/edit", {"role": "citizen", "department_id": "0"}
    ).get_data(as_text=True)
    assert db.session.get(User, official.id).role == "leader" and "Lựa chọn không hợp lệ" in page
    assert client.get(f"/admin/users/{citizen.id}/edit").status_code == 404
