"""Small factory functions (GOV.UK Notify's tests/app/db.py style): each builds one thing, through the
same operations the app uses."""

from __future__ import annotations

import io
import itertools
import re

from werkzeug.datastructures import FileStorage

from service.accounts import operations as accounts
from service.accounts import totp, twofactor
from service.accounts.models import SecondFactor, User
from service.database import begin_write
from service.dossiers import operations as dossiers
from service.dossiers.models import Dossier
from service.dossiers.samples import pdf_bytes, sample_file, sample_pairs
from service.extensions import db
from service.notifications.models import OutboundEmail
from service.payments.models import PaymentOrder
from service.procedures.catalogue import import_catalogue
from service.procedures.models import Procedure, ProcedureVersion

PASSWORD = "ba-con-meo-trang-2026"  # meets the password policy (service/accounts/passwords.py)
PERSON_PROCEDURE = "2.001959.000.00.00.H01"  # chính sách nội trú: filed by a person, decided by the Sở (1.005144 goes to the school)
ORGANISATION_PROCEDURE = "2.000189.000.00.00.H01"  # đăng ký hoạt động GDNN: filed by an organisation
_numbers = itertools.count(1)


def create_citizen(
    email: str | None = None, phone: str = "0912345678", confirmed: bool = True, **extra
) -> User:
    n = next(_numbers)
    data = {
        "account_type": "citizen",
        "email": email or f"congdan{n}@example.vn",
        "full_name": extra.pop("full_name", f"Nguyễn Văn Thử {n}"),
        "personal_id": extra.pop("personal_id", f"089{n:09d}"),
        "phone": phone,
        "password": PASSWORD,
        "organisation_name": None,
        "tax_code": None,
    }
    return _confirm(accounts.register_applicant(data, "127.0.0.1"), confirmed)


def create_organisation(email: str | None = None, confirmed: bool = True) -> User:
    n = next(_numbers)
    data = {
        "account_type": "organisation",
        "email": email or f"tochuc{n}@example.vn",
        "full_name": "Trần Thị Đại Diện",
        "personal_id": None,
        "phone": "0296385123",
        "password": PASSWORD,
        "organisation_name": f"Trung tâm GDNN số {n}",
        "tax_code": f"16{n:08d}",
    }
    return _confirm(accounts.register_applicant(data, "127.0.0.1"), confirmed)


def _confirm(user: User, confirmed: bool) -> User:
    if confirmed:  # as a confirmation link would: the account then holds its identity number
        accounts.mark_email_confirmed(user.id)
    return db.session.get(User, user.id)


def create_official(
    role: str, email: str | None = None, enrolled: bool = True, agency: str | None = None
) -> User:
    """An official who has enrolled a second factor (unless `enrolled=False`): login() gives its code.
    `agency`: a commune's ward code for an official of that commune's centre (default: the province's)."""
    n = next(_numbers)
    user = accounts.create_official(
        email or f"{role}{n}@so.example.vn", role, f"Cán bộ {n}", PASSWORD, agency=agency
    )
    return _enrolled(user) if enrolled else user


def _enrolled(user: User) -> User:
    twofactor.enrol(user.id, totp.new_secret())
    return db.session.get(User, user.id)


def fresh_code(user: User) -> str:
    """A code of the official's app that the next login accepts: the step of the last code used is
    forgotten first (a test signs one official in several times within a step; the replay guard itself
    is tested in tests/accounts/test_two_factor.py)."""
    begin_write()
    factor = db.session.get(SecondFactor, user.id)
    factor.last_used_step = None
    secret = totp.decrypt(factor.secret_encrypted)
    db.session.commit()
    return totp.code_at(secret, totp.current_step())


def load_catalogue() -> None:
    if db.session.scalar(db.select(db.func.count()).select_from(Procedure)) == 0:
        import_catalogue()


def procedure_version(code: str = PERSON_PROCEDURE) -> ProcedureVersion:
    load_catalogue()
    return db.session.scalar(db.select(Procedure).where(Procedure.code == code)).current_version


def create_dossier(
    owner: User,
    code: str | None = None,
    submitted: bool = False,
    files: bool = True,
    commune: str | None = None,
) -> Dossier:
    code = code or (ORGANISATION_PROCEDURE if owner.role == "organisation" else PERSON_PROCEDURE)
    version = procedure_version(code)
    dossier = dossiers.start_draft(owner, version)
    dossiers.save_form(dossier.id, owner, sample_pairs(version.fields), None)
    if files:
        for document in version.documents:
            if document.get("required"):
                data, name = sample_file(document["file_types"], document["key"])
                dossiers.add_file(
                    dossier.id, owner, document["key"], FileStorage(io.BytesIO(data), filename=name)
                )
    if submitted:
        dossier, _ = dossiers.submit(dossier.id, owner, commune)
    return db.session.get(Dossier, dossier.id)


def pdf_upload(name: str = "giay-to.pdf", data: bytes | None = None) -> tuple[io.BytesIO, str]:
    return io.BytesIO(data if data is not None else pdf_bytes()), name


def login(client, user: User, password: str = PASSWORD):
    """Sign in as a person would: the password, then an official's code from the app (second step)."""
    response = client.submit("/account/login", {"email": user.email, "password": password})
    if response.status_code != 302 or not response.location.endswith("/account/two-factor"):
        return response  # a citizen signed in, or the password was refused
    if not twofactor.has_factor(user.id):
        return response  # not enrolled: the test goes through the enrolment itself
    return client.submit("/account/two-factor", {"code": fresh_code(user)})


def last_email(recipient: str) -> OutboundEmail:
    return db.session.scalars(
        db.select(OutboundEmail).where(OutboundEmail.recipient == recipient).order_by(OutboundEmail.id.desc())
    ).first()


def link_in(message: OutboundEmail) -> str:
    """The path of the first link in an email (the test client takes paths)."""
    return re.search(r"https?://[^/\s]+(/\S+)", message.body_text).group(1)


def queries_to_get(client, url: str) -> int:
    """How many SQL statements a page costs (to prove it does not query once per row)."""
    from sqlalchemy import event

    statements = []

    def record(*_args):
        statements.append(1)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        assert client.get(url).status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    return len(statements)


def create_payment_order(
    amount: int = 500_000, description: str = "Học phí học kỳ 1", **fields
) -> PaymentOrder:
    from service.payments import settlement

    fields.setdefault("payer_name", "Trần Thị Bình")
    fields.setdefault("payer_email", f"payer{next(_numbers)}@example.vn")
    return settlement.create_order(amount, description, **fields)


# ---------------------------------------------------------------- schools


def create_school(code: str | None = None, **fields):
    from service.schools.models import School

    n = next(_numbers)
    begin_write()
    school = School(
        code=code or f"TR{n}",
        name=fields.pop("name", f"Trường Cao đẳng số {n}"),
        kind=fields.pop("kind", "college"),
        # A school issues its tuition receipts in its name: its tax code and its own series' letters.
        tax_code=fields.pop("tax_code", f"16{n:08d}"),
        receipt_series_letters=fields.pop("receipt_series_letters", "AA"),
        **fields,
    )
    db.session.add(school)
    db.session.commit()
    return school


def create_school_user(school, role: str = "accountant") -> User:
    n = next(_numbers)
    return _enrolled(
        accounts.create_official(
            f"{role}{n}@truong.example.vn", role, f"Nhân viên {n}", PASSWORD, school_id=school.id
        )
    )


def create_class(
    school, code: str = "CD-CNTT-K26", programme: str = "Công nghệ thông tin", level: str = "cao_dang"
):
    from service.schools.models import SchoolClass

    begin_write()
    record = SchoolClass(school_id=school.id, code=code, name=f"Lớp {code}", programme=programme, level=level)
    db.session.add(record)
    db.session.commit()
    return record


def create_student(school, school_class, code: str | None = None, **fields):
    from datetime import date

    from service.schools.models import Student

    n = next(_numbers)
    begin_write()
    student = Student(
        school_id=school.id,
        code=code or f"SV{n:06d}",
        full_name=fields.pop("full_name", f"Người Học {n}"),
        date_of_birth=fields.pop("date_of_birth", date(2007, 3, 15)),
        class_id=school_class.id,
        programme=school_class.programme,
        level=school_class.level,
        **fields,
    )
    db.session.add(student)
    db.session.commit()
    return student


def create_term(school, code: str = "2026-2027-HK1", starts_on=None, ends_on=None):
    from datetime import date

    from service.schools.models import Term

    begin_write()
    term = Term(
        school_id=school.id,
        code=code,
        name=f"Học kỳ {code}",
        starts_on=starts_on or date(2026, 9, 1),
        ends_on=ends_on or date(2027, 1, 15),
    )
    db.session.add(term)
    db.session.commit()
    return term


def create_fee_item(school, code: str = "HP", kind: str = "tuition_term", name: str = "Học phí"):
    from service.schools.models import FeeItem

    begin_write()
    item = FeeItem(school_id=school.id, code=code, name=name, kind=kind)
    db.session.add(item)
    db.session.commit()
    return item


def create_schedule(school, term, item, amount: int, scope: str = "school", scope_value: str = "", **fields):
    from datetime import date

    from service.schools import fees

    return fees.add_schedule(
        school.id,
        None,
        term_id=term.id,
        fee_item_id=item.id,
        scope=scope,
        scope_value=scope_value,
        unit_amount=amount,
        credits=fields.pop("credits", None),
        due_on=fields.pop("due_on", date(2026, 12, 15)),
    )


def create_exemption(school, student, percent: int = 70, category: str = "giam_70_dtts_vung_kk", **fields):
    from datetime import date

    from service.schools import fees

    return fees.add_exemption(
        school.id,
        student,
        None,
        ("quyet-dinh.pdf", pdf_bytes("Quyet dinh")),
        category=category,
        percent=percent,
        basis=fields.pop("basis", "Quyết định số 12/QĐ-CĐ"),
        valid_from=fields.pop("valid_from", date(2026, 8, 1)),
        valid_to=fields.pop("valid_to", date(2027, 6, 30)),
    )


def create_exemption_record(school, student, category: str, percent: int, **fields):
    """An exemption row as an earlier version of the product stored it (today's checks bypassed): a
    category code the rule sets may no longer know."""
    from datetime import date

    from service.schools.models import Exemption

    begin_write()
    record = Exemption(
        school_id=school.id,
        student_id=student.id,
        category=category,
        percent=percent,
        basis=fields.pop("basis", "Quyết định số 7/QĐ-CĐ"),
        evidence_name="cu.pdf",
        evidence_stored="cu.pdf",
        valid_from=fields.pop("valid_from", date(2025, 8, 1)),
        valid_to=fields.pop("valid_to", date(2027, 6, 30)),
    )
    db.session.add(record)
    db.session.commit()
    return record


# ---------------------------------------------------------------- what a refused user sees

# The error pages' words, written out here rather than read from service/errors.py: a test that
# checks them checks what the person in front of the screen reads.
REFUSALS = {
    400: ("Yêu cầu không hợp lệ", "Dữ liệu gửi lên không hợp lệ. Vui lòng kiểm tra và thử lại."),
    403: ("Không có quyền truy cập", "Tài khoản của bạn không có quyền thực hiện thao tác này."),
    404: ("Không tìm thấy trang", "Trang hoặc hồ sơ bạn tìm không tồn tại hoặc bạn không có quyền xem."),
}


def refused(response, status: int, message: str | None = None) -> str:
    """The response is the Vietnamese error page of `status` (with `message`, when the page says why);
    returns the page's text."""
    assert response.status_code == status, response.status_code
    page = response.get_data(as_text=True)
    title, default = REFUSALS.get(status, ("", ""))
    assert title in page, page[:500]
    assert (message or default) in page, page[:2000]
    assert "Traceback" not in page
    return page


def row_counts(*models) -> tuple[int, ...]:
    """How many rows each table holds: equal before and after, nothing was written."""
    return tuple(db.session.scalar(db.select(db.func.count()).select_from(model)) for model in models)
