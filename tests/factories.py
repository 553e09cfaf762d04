"""Small factory functions (GOV.UK Notify's tests/app/db.py style): each builds one thing, through the
same operations the app uses."""

from __future__ import annotations

import io
import itertools
import re

from werkzeug.datastructures import FileStorage

from service.accounts import operations as accounts
from service.accounts.models import User
from service.database import begin_write
from service.dossiers import operations as dossiers
from service.dossiers.models import Dossier
from service.dossiers.samples import pdf_bytes, sample_file, sample_pairs
from service.extensions import db
from service.notifications.models import OutboundEmail
from service.payments.models import PaymentOrder
from service.procedures.catalogue import import_catalogue
from service.procedures.models import Procedure, ProcedureVersion
from service.timeutil import utcnow

PASSWORD = "MatKhau2026"
PERSON_PROCEDURE = "1.005144.000.00.00.H01"  # miễn, giảm học phí: filed by a person
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
        "account_type": "organisation", "email": email or f"tochuc{n}@example.vn", "full_name": "Trần Thị Đại Diện",
        "personal_id": None, "phone": "0296385123", "password": PASSWORD,
        "organisation_name": f"Trung tâm GDNN số {n}", "tax_code": f"16{n:08d}",
    }  # fmt: skip
    return _confirm(accounts.register_applicant(data, "127.0.0.1"), confirmed)


def _confirm(user: User, confirmed: bool) -> User:
    if confirmed:
        begin_write()
        db.session.get(User, user.id).email_confirmed_at = utcnow()
        db.session.commit()
    return db.session.get(User, user.id)


def create_official(role: str, email: str | None = None) -> User:
    n = next(_numbers)
    return accounts.create_official(email or f"{role}{n}@so.example.vn", role, f"Cán bộ {n}", PASSWORD)


def load_catalogue() -> None:
    if db.session.scalar(db.select(db.func.count()).select_from(Procedure)) == 0:
        import_catalogue()


def procedure_version(code: str = PERSON_PROCEDURE) -> ProcedureVersion:
    load_catalogue()
    return db.session.scalar(db.select(Procedure).where(Procedure.code == code)).current_version


def create_dossier(
    owner: User, code: str | None = None, submitted: bool = False, files: bool = True
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
        dossier, _ = dossiers.submit(dossier.id, owner)
    return db.session.get(Dossier, dossier.id)


def pdf_upload(name: str = "giay-to.pdf", data: bytes | None = None) -> tuple[io.BytesIO, str]:
    return io.BytesIO(data if data is not None else pdf_bytes()), name


def login(client, user: User, password: str = PASSWORD):
    return client.submit("/account/login", {"email": user.email, "password": password})


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
