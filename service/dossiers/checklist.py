"""The desk's checklist at reception (Decree 118/2025 art. 15): for each required component of the
procedure version, received, missing or not valid, with the reason. The findings are what a supplement
request (form 02) lists and what a refusal to receive (form 03) gives as its reasons.

`problems()` and `replace()` are used by desk filing and by the examination of an online dossier
(service/dossiers/desk.py); `with_findings()` by the step itself (service/dossiers/processing.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from service.accounts.models import User
from service.dossiers.models import Dossier, ReceptionCheck
from service.extensions import db
from service.timeutil import utcnow
from workflows.labelled import Labelled
from workflows.states import DossierStatus


class CheckVerdict(Labelled):
    RECEIVED = "received", "Đã nhận"
    MISSING = "missing", "Thiếu"
    INVALID = "invalid", "Không hợp lệ"


# The steps at reception whose reason states the findings.
STATED_BY = frozenset({"request_supplement", "refuse"})
REASON_LIMIT = 1000


@dataclass(frozen=True)
class Verdict:
    verdict: str
    reason: str = ""


def required_documents(dossier_or_version) -> list[dict]:
    version = getattr(dossier_or_version, "procedure_version", dossier_or_version)
    return [d for d in version.documents if d.get("required")]


def problems(documents: list[dict], verdicts: dict[str, Verdict]) -> list[tuple[str, str]]:
    """(document name, message) for each required component without a verdict, or missing / not valid
    without the reason the applicant will read."""
    found = []
    for document in documents:
        given = verdicts.get(document["key"])
        if given is None or given.verdict not in CheckVerdict.labels():
            found.append(
                (document["name"], "Vui lòng chọn kết quả kiểm tra: đã nhận, thiếu hoặc không hợp lệ.")
            )
        elif given.verdict != CheckVerdict.RECEIVED and not given.reason.strip():
            found.append(
                (
                    document["name"],
                    "Vui lòng ghi rõ lý do thiếu hoặc không hợp lệ để người nộp biết cần bổ sung gì.",
                )
            )
        elif len(given.reason) > REASON_LIMIT:
            found.append((document["name"], f"Lý do quá dài (tối đa {REASON_LIMIT} ký tự)."))
    return found


def replace(dossier: Dossier, official: User, verdicts: dict[str, Verdict]) -> None:
    """In the caller's transaction, the dossier locked: the desk's verdicts replace any earlier ones."""
    for check in list(dossier.checks):
        db.session.delete(check)
    db.session.flush()
    now = utcnow()
    for document in required_documents(dossier):
        given = verdicts[document["key"]]
        reason = given.reason.strip() if given.verdict != CheckVerdict.RECEIVED else ""
        db.session.add(
            ReceptionCheck(
                dossier_id=dossier.id,
                document_key=document["key"],
                verdict=given.verdict,
                reason=reason or None,
                checked_by_id=official.id,
                checked_at=now,
            )
        )
    db.session.flush()
    db.session.expire(dossier, ["checks"])


def findings(dossier: Dossier) -> list[str]:
    """One line per component found missing or not valid: "<name>: <verdict> – <reason>"."""
    names = {d["key"]: d["name"] for d in dossier.procedure_version.documents}
    return [
        f"{names.get(c.document_key, c.document_key)}: {CheckVerdict(c.verdict).label.lower()} – {c.reason}"
        for c in dossier.checks
        if c.verdict != CheckVerdict.RECEIVED
    ]


def with_findings(dossier: Dossier, typed: str | None) -> str:
    """The reason a supplement request or refusal at reception gives: the checklist's findings, one a
    line, then what the official typed (a finding typed again is not repeated)."""
    typed = (typed or "").strip()
    if dossier.status != DossierStatus.SUBMITTED:  # a specialist's request during appraisal: as typed
        return typed
    lines = [line for line in findings(dossier) if line not in typed]
    return "\n".join([*lines, typed] if typed else lines)


def verdicts_of(dossier: Dossier) -> dict[str, ReceptionCheck]:
    return {c.document_key: c for c in dossier.checks}
