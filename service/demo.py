"""Demo data for `flask --app wsgi seed-demo`: the catalogue, one account per role, dossiers in several
states with attached files. The password and the officials' second-factor secret are in the README."""

from __future__ import annotations

import io
from dataclasses import replace

from flask import current_app
from werkzeug.datastructures import FileStorage

from config import DEMO_TOTP_SECRET
from service.accounts import operations as accounts
from service.accounts import twofactor
from service.accounts.models import User
from service.accounts.roles import Role
from service.agencies.operations import seed as seed_agencies
from service.database import write
from service.documents.jobs import run_pending
from service.dossiers import operations as dossiers
from service.dossiers import processing
from service.dossiers.samples import sample_file, sample_pairs
from service.extensions import db
from service.procedures.catalogue import import_catalogue
from service.procedures.operations import save_procedure_setting
from service.procedures.queries import get_published

# A passphrase that meets the password policy (service/accounts/passwords.py); published in the README.
DEMO_PASSWORD = "dong-lua-chin-vang-2026"
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
# A commune's service centre receives and decides the commune-level procedures (LAW-2026 §3): the demo's
# is that of phường Long Xuyên (30307 in vietnam-provinces), with its own desk, specialist and leader.
DEMO_COMMUNE = "30307"
COMMUNE_OFFICIALS = [
    ("motcua.longxuyen@demo.gdnn.vn", Role.RECEPTION, "Huỳnh Thị Một Cửa"),
    ("chuyenvien.longxuyen@demo.gdnn.vn", Role.SPECIALIST, "Trương Văn Xã"),
    ("lanhdao.longxuyen@demo.gdnn.vn", Role.LEADER, "Lâm Quốc Phường"),
]


def seed() -> bool:
    if accounts.find_by_email("quantri@demo.gdnn.vn") is not None:
        return False
    import_catalogue()
    seed_agencies()
    departments = {code: accounts.create_department(code, name).id for code, name in DEPARTMENTS}
    for email, role, name, department in OFFICIALS:
        _official(
            accounts.create_official(
                email, role, name, DEMO_PASSWORD, department_id=departments.get(department)
            )
        )
    for email, role, name in COMMUNE_OFFICIALS:
        _official(accounts.create_official(email, role, name, DEMO_PASSWORD, agency=DEMO_COMMUNE))
    citizen = _applicant("congdan@demo.gdnn.vn", "citizen", "Nguyễn Văn An", "089205001234", "0912345678")
    organisation = _applicant("tochuc@demo.gdnn.vn", "organisation", "Trần Thị Bình", None, "0296385123")
    desk = accounts.find_by_email("tiepnhan@demo.gdnn.vn")
    specialist = accounts.find_by_email("chuyenvien@demo.gdnn.vn")
    leader = accounts.find_by_email("lanhdao@demo.gdnn.vn")
    for code in ("2.000189.000.00.00.H01", "1.000389.000.00.00.H01", "1.005144.000.00.00.H01"):
        save_procedure_setting(get_published(code).id, departments["GDNN"], specialist.id)

    _dossier(citizen, "1.005144.000.00.00.H01", submit=False)  # a draft
    _dossier(organisation, "2.000189.000.00.00.H01", submit=False)  # a draft whose e-form has a table
    _dossier(citizen, "2.001959.000.00.00.H01", submit=True)  # waiting for reception
    withdrawn = _dossier(citizen, "2.001959.000.00.00.H01", submit=True)
    dossiers.withdraw(withdrawn.id, citizen, "Đã nộp nhầm thủ tục.")
    _commune(citizen)
    supplement = _dossier(citizen, "2.001959.000.00.00.H01", submit=True)
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
    _steps(
        proposal,
        [
            (desk, "receive", {}),
            (desk, "assign", {"assignee_id": specialist.id}),
            (specialist, "start_appraisal", {}),
            (
                specialist,
                "propose",
                {
                    "decision": "approve",
                    "draft": "Cấp Giấy chứng nhận đăng ký bổ sung hoạt động GDNN.",
                    "reason": "Đủ điều kiện.",
                },
            ),
        ],
    )
    done = _dossier(organisation, "2.000189.000.00.00.H01", submit=True)
    _steps(done, [
        (desk, "receive", {}), (desk, "assign", {"assignee_id": specialist.id}), (specialist, "start_appraisal", {}),
        (specialist, "propose", {"decision": "approve", "draft": "Cấp Giấy chứng nhận đăng ký hoạt động GDNN."}),
        (leader, "approve", {}), (desk, "return_result", {"method": "electronic"}),
    ])  # fmt: skip
    _by_post(citizen, desk, specialist, leader)
    _paper(organisation, desk)
    run_pending()  # the documents of those steps (receipts, control slips, the certificate)
    _quality(organisation, done, appraisal)
    _school()
    _school_application(citizen)
    return True


def _by_post(citizen: User, desk: User, specialist: User, leader: User) -> None:
    """A citizen who chose to receive the result by post: decided, and the desk's order to the carrier
    requested (the worker sends it to VNPost, or its simulator, and follows it)."""
    from service.postal import operations as postal
    from service.postal import settings as postal_settings

    address = {
        "province": str(current_app.config["PROVINCE_CODE"]),
        "ward": DEMO_COMMUNE,
        "street": "12 Trần Hưng Đạo",
    }
    dossier = _dossier(citizen, "2.001959.000.00.00.H01", True, filing=dossiers.Filing(True, "post", address))
    _steps(dossier, [
        (desk, "receive", {}), (desk, "assign", {"assignee_id": specialist.id}), (specialist, "start_appraisal", {}),
        (specialist, "propose", {"decision": "approve", "draft": "Cho hưởng chính sách nội trú năm học 2026-2027."}),
        (leader, "approve", {}),
    ])  # fmt: skip
    if postal_settings.enabled(current_app.config):  # unless the carrier's settings were emptied
        postal.request_shipment(dossier.id, desk, None)


def _paper(organisation: User, desk: User) -> None:
    """A private school's application to become non-profit (Decree 66/2026) that came by post, filed on
    paper by the desk (each component checked, its scan attached) and received at once."""
    from service.dossiers import desk as paper
    from service.dossiers.checklist import Verdict
    from service.timeutil import local_today

    version = get_published("DP-ND66-2026-01").current_version
    required = [d for d in version.documents if d.get("required")]
    scans = _scans(required)
    filing = paper.PaperFiling(
        applicant=organisation,
        version=version,
        channel="post",
        pairs=sample_pairs(version.fields),
        verdicts={d["key"]: Verdict("received", "") for d in required},
        scans=scans,
        received_on=local_today(),
        postmarked_on=local_today(),
    )
    paper.file_paper(desk, filing)
    # The same brought to the desk without its first component: a supplement asked at once (form 02),
    # which the desk will enter from the papers the applicant brings ("Nhận hồ sơ bổ sung bản giấy").
    first = required[0]["key"]
    missing = {**filing.verdicts, first: Verdict("missing", "Chưa có bản chính để đối chiếu.")}
    paper.file_paper(
        desk,
        replace(
            filing,
            channel="desk",
            verdicts=missing,
            scans={k: v for k, v in _scans(required).items() if k != first},
            outcome="request_supplement",
            reason="Bổ sung giấy tờ còn thiếu theo danh mục dưới đây.",
            received_on=None,
            postmarked_on=None,
        ),
    )


def _scans(documents: list[dict]) -> dict[str, list[FileStorage]]:
    scans = {}
    for document in documents:
        data, name = sample_file(document["file_types"], document["key"])
        scans[document["key"]] = [FileStorage(stream=io.BytesIO(data), filename=name)]
    return scans


def _school_application(citizen: User) -> None:
    """A learner's application for a tuition reduction, filed to the demo college, which decides it
    (1.005144 at a public institution: its staff's page "Đơn miễn, giảm")."""
    from service.schools.models import School

    school = db.session.scalar(db.select(School).where(School.code == "CDAG"))
    _dossier(citizen, "1.005144.000.00.00.H01", submit=True, school=str(school.id))


def _quality(organisation: User, returned, running) -> None:
    """A rating of the returned dossier, a feedback waiting for an answer, and two report rounds."""
    from service.quality import operations as quality
    from service.quality.models import CRITERIA
    from service.reporting.operations import open_round

    returned = db.session.get(type(returned), returned.id)
    quality.rate(
        returned,
        organisation,
        {key: 5 for key in CRITERIA} | {"contacts": 4},
        "Giải quyết nhanh, rõ ràng.",
    )
    quality.file_feedback(
        db.session.get(type(running), running.id),
        organisation,
        "kien_nghi",
        "Đề nghị cho biết tiến độ thẩm định hồ sơ đăng ký hoạt động.",
    )
    open_round("TSTN", "2026-H2", None)
    open_round("NGCSVC", "2026", None)


SCHOOL_STAFF = [
    ("ketoan.truong@demo.gdnn.vn", Role.ACCOUNTANT, "Huỳnh Thị Kế Toán"),
    ("quantri.truong@demo.gdnn.vn", Role.SCHOOL_ADMIN, "Lâm Văn Quản Trị"),
]
CLASSES = [
    ("CD-CNTT-K26", "Cao đẳng Công nghệ thông tin K26", "Công nghệ thông tin", "cao_dang"),
    ("CD-KT-K26", "Cao đẳng Kế toán doanh nghiệp K26", "Kế toán doanh nghiệp", "cao_dang"),
    ("TC-DCN-K26", "Trung cấp Điện công nghiệp K26", "Điện công nghiệp", "trung_cap"),
]
SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Huỳnh", "Võ", "Đặng", "Bùi", "Đỗ", "Ngô"]
GIVEN = [
    "Văn An",
    "Thị Bình",
    "Minh Châu",
    "Quốc Dũng",
    "Thu Hà",
    "Gia Huy",
    "Ngọc Lan",
    "Đức Minh",
    "Thanh Tâm",
    "Hoài Thương",
]


def _school() -> None:
    """A college with classes, students (imported from a CSV as an accountant would), a term's fees, an
    exemption, invoices, and one invoice paid through the VNPAY simulator's protocol."""
    import csv
    from datetime import date

    from service.admin.operations import register_school
    from service.dossiers.samples import pdf_bytes
    from service.schools import fees, imports, invoicing
    from service.schools.models import FeeItem, SchoolClass, Student, Term

    with write():
        school = register_school(
            "CDAG",
            "Trường Cao đẳng An Giang",
            "college",
            tax_code="1600255421",
            receipt_series_letters="CD",  # the school's own receipts: EBL01, series 26TCD
            bank_bin="970436",
            bank_account_no="0761002345678",
            bank_account_name="TRUONG CAO DANG AN GIANG",
            bank_name="Vietcombank An Giang",
            allow_partial_payment=True,
        )
        db.session.add_all(
            SchoolClass(school_id=school.id, code=c, name=n, programme=p, level=lv) for c, n, p, lv in CLASSES
        )
        term = Term(
            school_id=school.id,
            code="2026-2027-HK1",
            name="Học kỳ I năm học 2026-2027",
            starts_on=date(2026, 9, 1),
            ends_on=date(2027, 1, 15),
        )
        db.session.add(term)
        items = {
            "HP": FeeItem(school_id=school.id, code="HP", name="Học phí", kind="tuition_credit"),
            "BHYT": FeeItem(school_id=school.id, code="BHYT", name="Bảo hiểm y tế", kind="other"),
        }
        db.session.add_all(items.values())
    staff = [
        _official(accounts.create_official(e, r, n, DEMO_PASSWORD, school_id=school.id))
        for e, r, n in SCHOOL_STAFF
    ]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(imports.TEMPLATE_HEADERS)
    for n in range(30):
        code, name, level = CLASSES[n % 3][0], f"{SURNAMES[n % 10]} {GIVEN[(n * 3) % 10]}", ""
        writer.writerow(
            [
                f"SV26{n + 1:04d}",
                name,
                f"{(n % 27) + 1:02d}/{(n % 12) + 1:02d}/2007",
                f"0892070{n:05d}",
                code,
                "",
                level,
                f"09{n:08d}",
                f"sv26{n + 1:04d}@demo.gdnn.vn",
            ]
        )
    batch = imports.stage(out.getvalue().encode("utf-8"), "danh-sach-k26.csv", school.id, staff[0].id)
    imports.run(batch.id)
    tuition = dict(
        term_id=term.id, fee_item_id=items["HP"].id, unit_amount=350_000, due_on=date(2026, 12, 15)
    )
    fees.add_schedule(school.id, staff[0].id, scope="level", scope_value="Cao đẳng", credits=18, **tuition)
    fees.add_schedule(school.id, staff[0].id, scope="level", scope_value="Trung cấp", credits=15, **tuition)
    fees.add_schedule(
        school.id,
        staff[0].id,
        term_id=term.id,
        fee_item_id=items["BHYT"].id,
        scope="school",
        scope_value="",
        unit_amount=1_105_650 // 2,
        due_on=date(2026, 12, 15),
    )
    first = db.session.scalar(
        db.select(Student).where(Student.school_id == school.id, Student.code == "SV260001")
    )
    fees.add_exemption(
        school.id,
        first,
        staff[0].id,
        ("quyet-dinh-mien-giam.pdf", pdf_bytes("Quyet dinh mien giam hoc phi")),
        category="giam_70_dtts_vung_kk",
        percent=70,
        basis="Quyết định số 123/QĐ-CĐAG ngày 05/9/2026",
        valid_from=date(2026, 9, 1),
        valid_to=date(2027, 6, 30),
    )
    invoicing.invoice_term(school.id, term.id, staff[0].id)


def _commune(citizen: User) -> None:
    """Two commune-level dossiers at phường Long Xuyên: one waiting at its desk, one decided there."""
    _dossier(citizen, "2.002284.000.00.00.H01", submit=True)
    decided = _dossier(citizen, "2.002284.000.00.00.H01", submit=True)
    desk, specialist, leader = (accounts.find_by_email(email) for email, _role, _name in COMMUNE_OFFICIALS)
    proposal = {"decision": "approve", "draft": "Cho hưởng chính sách nội trú năm học 2026-2027."}
    steps = [("receive", {}), ("assign", {"assignee_id": specialist.id}), ("start_appraisal", {})]
    _steps(decided, [(desk, *steps[0]), (desk, *steps[1]), (specialist, *steps[2])])
    _steps(decided, [(specialist, "propose", proposal), (leader, "approve", {})])


def _official(user: User) -> User:
    """Every official signs in with a second factor: the demo's share the published secret (README),
    so that a person trying the demo can sign in; seed-demo runs in development only."""
    twofactor.enrol(user.id, DEMO_TOTP_SECRET)
    return user


def _steps(dossier, steps) -> None:
    for actor, event, data in steps:
        processing.act(dossier.id, actor, event, data, None)


def _applicant(email: str, kind: str, name: str, personal_id: str | None, phone: str) -> User:
    data = {
        "account_type": kind,
        "email": email,
        "full_name": name,
        "personal_id": personal_id,
        "phone": phone,
        "password": DEMO_PASSWORD,
        "organisation_name": "Trung tâm Giáo dục nghề nghiệp Long Xuyên",
        "tax_code": "1600123456",
    }
    with write():  # a demo account is confirmed from the start (and so holds its identity number)
        user = accounts.register_applicant(data, "127.0.0.1")
        return accounts.mark_email_confirmed(user.id)


def _dossier(
    owner: User,
    code: str,
    submit: bool,
    school: str | None = None,
    filing: dossiers.Filing = dossiers.DECLARED_ELECTRONIC,
):
    version = get_published(code).current_version
    dossier = dossiers.start_draft(owner, version)
    dossiers.save_form(dossier.id, owner, sample_pairs(version.fields), None)
    for document in version.documents:
        if document.get("required") or not submit:
            data, name = sample_file(document["file_types"], f"{document['key']}")
            upload = FileStorage(stream=io.BytesIO(data), filename=name)
            dossiers.add_file(dossier.id, owner, document["key"], upload)
    if submit:
        # A commune-level one goes to the demo commune; one a school decides, to `school`.
        dossier, _ = dossiers.submit(dossier.id, owner, DEMO_COMMUNE, filing, school=school)
    return dossier
