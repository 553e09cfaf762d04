"""Demo data for `flask --app wsgi seed-demo`: the catalogue, one account per role, dossiers in several
states with attached files. The passwords are listed in the README."""

from __future__ import annotations

import io

from werkzeug.datastructures import FileStorage

from service.accounts import operations as accounts
from service.accounts.models import User
from service.accounts.roles import Role
from service.database import begin_write
from service.documents.jobs import run_pending
from service.dossiers import operations as dossiers
from service.dossiers import processing
from service.dossiers.samples import sample_file, sample_pairs
from service.extensions import db
from service.procedures.catalogue import import_catalogue
from service.procedures.operations import save_procedure_setting
from service.procedures.queries import get_published
from service.timeutil import utcnow

DEMO_PASSWORD = "Demo@2026"
DEPARTMENTS = [
    ("MOTCUA", "Bộ phận Một cửa"),
    ("GDNN", "Phòng Giáo dục nghề nghiệp"),
    ("BGD", "Ban Giám đốc Sở"),
]
OFFICIALS = [
    ("tiepnhan@demo.gdnn.vn", Role.RECEPTION, "Lê Thị Tiếp Nhận", "MOTCUA"),
    ("chuyenvien@demo.gdnn.vn", Role.SPECIALIST, "Phạm Văn Chuyên", "GDNN"),
    ("lanhdao@demo.gdnn.vn", Role.LEADER, "Võ Minh Lãnh", "GDNN"),
    ("ketoan@demo.gdnn.vn", Role.ACCOUNTANT, "Đặng Thu Kế", None),
    ("quantri@demo.gdnn.vn", Role.ADMIN, "Quản trị hệ thống", None),
]


def seed() -> bool:
    if accounts.find_by_email("quantri@demo.gdnn.vn") is not None:
        return False
    import_catalogue()
    departments = {code: accounts.create_department(code, name).id for code, name in DEPARTMENTS}
    for email, role, name, department in OFFICIALS:
        accounts.create_official(email, role, name, DEMO_PASSWORD, department_id=departments.get(department))
    citizen = _applicant("congdan@demo.gdnn.vn", "citizen", "Nguyễn Văn An", "089205001234", "0912345678")
    organisation = _applicant("tochuc@demo.gdnn.vn", "organisation", "Trần Thị Bình", None, "0296385123")
    desk = accounts.find_by_email("tiepnhan@demo.gdnn.vn")
    specialist = accounts.find_by_email("chuyenvien@demo.gdnn.vn")
    leader = accounts.find_by_email("lanhdao@demo.gdnn.vn")
    for code in ("2.000189.000.00.00.H01", "1.000389.000.00.00.H01", "1.005144.000.00.00.H01"):
        save_procedure_setting(get_published(code).id, departments["GDNN"], specialist.id)

    _dossier(citizen, "1.005144.000.00.00.H01", submit=False)  # a draft
    _dossier(citizen, "2.001959.000.00.00.H01", submit=True)  # waiting for reception
    withdrawn = _dossier(citizen, "2.002284.000.00.00.H01", submit=True)
    dossiers.withdraw(withdrawn.id, citizen, "Đã nộp nhầm thủ tục.")
    supplement = _dossier(citizen, "1.005144.000.00.00.H01", submit=True)
    _steps(
        supplement,
        [(desk, "request_supplement", {"reason": "Bổ sung giấy xác nhận hộ nghèo năm 2026 do UBND xã cấp."})],
    )
    appraisal = _dossier(organisation, "2.000189.000.00.00.H01", submit=True)
    _steps(
        appraisal,
        [
            (desk, "receive", {}),
            (desk, "assign", {"assignee_id": specialist.id}),
            (specialist, "start_appraisal", {}),
        ],
    )
    proposal = _dossier(organisation, "1.000389.000.00.00.H01", submit=True)
    _steps(proposal, [
        (desk, "receive", {}), (desk, "assign", {"assignee_id": specialist.id}), (specialist, "start_appraisal", {}),
        (specialist, "propose", {"decision": "approve", "draft": "Cấp Giấy chứng nhận đăng ký bổ sung hoạt động GDNN.", "reason": "Đủ điều kiện."}),
    ])  # fmt: skip
    done = _dossier(organisation, "2.000189.000.00.00.H01", submit=True)
    _steps(done, [
        (desk, "receive", {}), (desk, "assign", {"assignee_id": specialist.id}), (specialist, "start_appraisal", {}),
        (specialist, "propose", {"decision": "approve", "draft": "Cấp Giấy chứng nhận đăng ký hoạt động GDNN."}),
        (leader, "approve", {}), (desk, "return_result", {"method": "electronic"}),
    ])  # fmt: skip
    run_pending()  # the documents of those steps (receipts, control slips, the certificate)
    return True


def _steps(dossier, steps) -> None:
    for actor, event, data in steps:
        processing.act(dossier.id, actor, event, data, None)


def _applicant(email: str, kind: str, name: str, personal_id: str | None, phone: str) -> User:
    data = {
        "account_type": kind, "email": email, "full_name": name, "personal_id": personal_id, "phone": phone,
        "password": DEMO_PASSWORD, "organisation_name": "Trung tâm Giáo dục nghề nghiệp Long Xuyên",
        "tax_code": "1600123456",
    }  # fmt: skip
    user = accounts.register_applicant(data, "127.0.0.1")
    begin_write()
    db.session.get(User, user.id).email_confirmed_at = utcnow()
    db.session.commit()
    return user


def _dossier(owner: User, code: str, submit: bool):
    version = get_published(code).current_version
    dossier = dossiers.start_draft(owner, version)
    dossiers.save_form(dossier.id, owner, sample_pairs(version.fields), None)
    for document in version.documents:
        if document.get("required") or not submit:
            data, name = sample_file(document["file_types"], f"{document['key']}")
            upload = FileStorage(stream=io.BytesIO(data), filename=name)
            dossiers.add_file(dossier.id, owner, document["key"], upload)
    if submit:
        dossier, _ = dossiers.submit(dossier.id, owner)
    return dossier
