"""Every model, imported in one place for Alembic and the relationships' string references."""

from service.accounts.models import AccountToken, ConsentRecord, Department, User
from service.deadlines.models import CalendarOverride, DeadlineDigest
from service.documents.models import DocumentCounter, DocumentJob, IssuedDocument
from service.dossiers.models import (
    Dossier,
    DossierComment,
    DossierCounter,
    DossierEvent,
    DossierFile,
    FormStash,
)
from service.notifications.models import OutboundEmail
from service.payments.models import PaymentAttempt, PaymentIncident, PaymentNotification, PaymentOrder
from service.procedures.models import Procedure, ProcedureSetting, ProcedureVersion

__all__ = [
    "AccountToken",
    "CalendarOverride",
    "DeadlineDigest",
    "DocumentCounter",
    "DocumentJob",
    "IssuedDocument",
    "Department",
    "DossierComment",
    "ProcedureSetting",
    "ConsentRecord",
    "Dossier",
    "DossierCounter",
    "DossierEvent",
    "DossierFile",
    "FormStash",
    "OutboundEmail",
    "PaymentAttempt",
    "PaymentIncident",
    "PaymentNotification",
    "PaymentOrder",
    "Procedure",
    "ProcedureVersion",
    "User",
]
