"""The applicant's document store ("Giấy tờ của tôi"): what they filed before and what they were issued.

Nothing is stored twice to make it: the store is the applicant's earlier dossiers' files and the valid
results (decision, certificate, written answer) issued on them. Reusing one in a new dossier attaches a
copy under the same rules as an upload (type by content, the document's and the dossier's limits, the
draft quota), so that the new dossier keeps its file whatever happens to the old one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from werkzeug.exceptions import NotFound

from service import uploads
from service.accounts.models import User
from service.documents.models import IssuedDocument
from service.dossiers import operations
from service.dossiers.documents import RESULT_DOCUMENT_KINDS
from service.dossiers.models import Dossier, DossierFile
from service.extensions import db

SHOWN = 100  # the newest items; an applicant with more finds older ones on their dossiers' pages


@dataclass(frozen=True)
class StoredDocument:
    source: str  # "file:<id>" (an earlier upload) or "result:<id>" (an issued result)
    name: str
    file_type: str
    size: int
    at: datetime
    dossier_id: int
    dossier_code: str | None
    procedure: str
    is_result: bool
    item_id: int


def my_documents(owner: User, except_dossier: int | None = None) -> list[StoredDocument]:
    """The owner's results first, then their earlier uploads, newest first, each content once."""
    items = _results(owner, except_dossier) + _uploads(owner, except_dossier)
    seen: set[str] = set()
    unique = []
    for item, digest in items:
        if digest not in seen:
            seen.add(digest)
            unique.append(item)
    return unique[:SHOWN]


def _results(owner: User, except_dossier: int | None) -> list[tuple[StoredDocument, str]]:
    statement = (
        db.select(IssuedDocument, Dossier)
        .join(Dossier, Dossier.id == IssuedDocument.dossier_id)
        .where(
            Dossier.owner_id == owner.id,
            IssuedDocument.kind.in_(RESULT_DOCUMENT_KINDS),
            IssuedDocument.status == "valid",
        )
        .order_by(IssuedDocument.issued_at.desc())
        .limit(SHOWN)
    )
    if except_dossier is not None:
        statement = statement.where(Dossier.id != except_dossier)
    return [
        (
            StoredDocument(
                f"result:{doc.id}",
                _result_name(doc, dossier),
                "pdf",
                doc.size,
                doc.issued_at,
                dossier.id,
                dossier.code,
                dossier.procedure_version.name,
                True,
                doc.id,
            ),
            doc.sha256,
        )
        for doc, dossier in db.session.execute(statement)
    ]


def _uploads(owner: User, except_dossier: int | None) -> list[tuple[StoredDocument, str]]:
    statement = (
        db.select(DossierFile, Dossier)
        .join(Dossier, Dossier.id == DossierFile.dossier_id)
        .where(Dossier.owner_id == owner.id, DossierFile.uploaded_by_id == owner.id)
        .order_by(DossierFile.uploaded_at.desc())
        .limit(SHOWN)
    )
    if except_dossier is not None:
        statement = statement.where(Dossier.id != except_dossier)
    return [
        (
            StoredDocument(
                f"file:{f.id}",
                f.original_name,
                f.file_type,
                f.size,
                f.uploaded_at,
                dossier.id,
                dossier.code,
                dossier.procedure_version.name,
                False,
                f.id,
            ),
            f.sha256,
        )
        for f, dossier in db.session.execute(statement)
    ]


def _result_name(document: IssuedDocument, dossier: Dossier) -> str:
    number = f" số {document.number}" if document.number else ""
    return f"{document.title}{number}.pdf"


def reuse(dossier_id: int, owner: User, document_key: str, source: str):
    """A copy of one of the owner's stored documents attached to their draft (or supplement) as
    `document_key`. Anything not in the owner's store is 404, as another person's dossier is."""
    item = next((i for i in my_documents(owner, dossier_id) if i.source == source), None)
    if item is None:
        raise NotFound()
    stored_name = _stored_name(item)
    try:
        data = uploads.read(stored_name)
    except FileNotFoundError as error:
        raise operations.DossierError("Tệp này không còn trong kho lưu trữ; vui lòng tải lên lại.") from error
    return operations.attach(dossier_id, owner, document_key, data, item.name)


def _stored_name(item: StoredDocument) -> str:
    model = IssuedDocument if item.is_result else DossierFile
    return db.session.get(model, item.item_id).stored_name
