"""The dossier page (`/dossiers/<id>`), drawn for the applicant and for officials.

An official's action that was not done (a missing reason, a date the law refuses, a page someone else
changed in the meantime) draws the page again, in the same response, with what the official typed back
in the form it came from (`Kept`): nothing typed is lost and nothing is kept anywhere else (the session
cookie is signed, not encrypted, and too small for a draft result)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import render_template, request
from flask_login import current_user

from service import audit, uploads
from service.accounts.roles import DOSSIER_ROLES
from service.documents.jobs import pending_jobs
from service.dossiers import processing, queries
from service.dossiers.display import describe
from service.dossiers.documents import RESULT_DOCUMENT_KINDS
from service.dossiers.issued_documents import visible_documents
from service.dossiers.models import Dossier
from service.dossiers.operations import is_supplement_file
from service.payments import settlement
from service.payments.settlement import fee_order

# The inputs of the officials' forms on the page (templates/backoffice/_panel.html), with the names
# the page shows them under when their form is no longer offered.
KEPT_FIELDS = {
    "reason": "Nội dung, lý do, ghi chú",
    "draft": "Dự thảo kết quả",
    "recipients": "Nơi nhận",
    "decision": "Đề xuất",
    "method": "Hình thức trả kết quả",
    "assignee_id": "Chuyên viên xử lý",
    "components_digitised": "Đã số hóa thành phần hồ sơ giấy",
    "new_date": "Ngày hẹn mới",
    "body": "Ý kiến nội bộ",
}
SHOWN_WHEN_GONE = ("reason", "draft", "recipients", "new_date", "body")  # worth copying by hand


@dataclass(frozen=True)
class Kept:
    """What an official typed into one form of the page (`form`: "act:<event>", "extend" or "comment")
    and was not done: the page fills that form with it."""

    form: str = ""
    values: dict[str, str] = field(default_factory=dict)
    attachment_lost: bool = False  # a browser never fills a file input again: the page asks for it

    @classmethod
    def from_request(cls, form: str) -> Kept:
        values = {name: value for name, value in request.form.items() if name in KEPT_FIELDS}
        upload = request.files.get("attachment")
        return cls(form, values, attachment_lost=bool(upload and upload.filename))

    def value(self, form: str, name: str, default: str | None = "") -> str:
        """The typed value when `form` is the form it came from, else the page's own default."""
        if form == self.form and name in self.values:
            return self.values[name]
        return default or ""

    def is_for(self, form: str) -> bool:
        return bool(self.form) and form == self.form

    def shown_when_gone(self) -> list[tuple[str, str]]:
        return [(KEPT_FIELDS[n], self.values[n]) for n in SHOWN_WHEN_GONE if self.values.get(n, "").strip()]


@dataclass(frozen=True)
class Viewer:
    """Who is looking at the dossier page: its applicant, an official, and what the official typed."""

    is_owner: bool
    official: bool
    kept: Kept


# What other features add to the dossier page (the officials' action panel, the applicant's rating and
# feedback), registered by them at start-up (`add_section`), so dossiers imports none of them.
_sections: list[Callable[[Dossier, Viewer], dict[str, Any]]] = []


def add_section(section: Callable[[Dossier, Viewer], dict[str, Any]]) -> None:
    if section not in _sections:
        _sections.append(section)


def dossier_page(dossier: Dossier, kept: Kept | None = None) -> str:
    entries = describe(dossier.procedure_version.fields, dossier.form_pairs)
    is_owner = dossier.owner_id == current_user.id
    official = current_user.role in DOSSIER_ROLES
    context: dict = {}
    for section in _sections:
        context.update(section(dossier, Viewer(is_owner=is_owner, official=official, kept=kept or Kept())))
    documents = visible_documents(dossier, current_user)
    page = render_template(
        "dossiers/detail.html",
        dossier=dossier,
        entries=entries,
        is_owner=is_owner,
        official=official,
        supplement_open=is_owner and processing.can_add_supplement_files(dossier),
        can_request_stop=is_owner and "request_stop" in processing.owner_actions(dossier, current_user),
        is_supplement_file=lambda f: is_supplement_file(dossier, f),
        type_labels=uploads.FILE_TYPE_LABELS,
        documents=documents,
        documents_pending=pending_jobs(dossier.id),
        results=[d for d in documents if d.kind in RESULT_DOCUMENT_KINDS and d.status == "valid"],
        provincial_results=_provincial_results(dossier),
        **_fee_context(fee_order(dossier.id)),
        **context,
    )
    if not is_owner:  # an official read the applicant's personal data: recorded once the page is made
        audit.record_view(dossier, details={"code": dossier.code})
    return page


def _provincial_results(dossier: Dossier) -> list[tuple[str, Any]]:
    """The chairman's decision (or answer) uploaded with the step that recorded it, with its name."""
    decided = {e.id: e.event for e in dossier.events}
    names = {
        "approve": "Quyết định của Chủ tịch Ủy ban nhân dân tỉnh",
        "deny": "Văn bản trả lời của Chủ tịch Ủy ban nhân dân tỉnh",
    }
    return [(names[decided[f.event_id]], f) for f in queries.provincial_result_files(dossier)]


def _fee_context(order) -> dict:
    """The fee as the money stands: a refund shows, in part or in full, wherever the order does."""
    refunded, still_paid = settlement.fee_standing(order)
    return {"fee_order": order, "fee_refunded": refunded, "fee_still_paid": still_paid}
