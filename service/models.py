"""Every model, imported in one place for Alembic and the relationships' string references."""

from service.accounts.models import AccountToken, ConsentRecord, Department, RecoveryCode, SecondFactor, User
from service.agencies.models import Agency
from service.audit.models import AuditEntry, AuditHead
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
from service.nationalportal.models import NationalPortalJob, NationalResultLink, NationalSync
from service.notifications.models import OutboundEmail, OutboundSms
from service.payments.models import (
    PaymentAttempt,
    PaymentIncident,
    PaymentNotification,
    PaymentOrder,
    PaymentRefund,
    TaxTransmission,
    UnverifiedNotificationDay,
)
from service.postal.models import PostalCallback, Shipment, ShipmentEvent, ShipmentJob
from service.procedures.models import Procedure, ProcedureSetting, ProcedureVersion
from service.quality.models import Feedback, Rating
from service.reporting.models import ReportReminder, ReportRound, ReportSubmission
from service.schools.models import (
    Exemption,
    FeeItem,
    FeeSchedule,
    Invoice,
    InvoiceCounter,
    InvoiceLine,
    InvoiceRun,
    ManualPayment,
    Reminder,
    School,
    SchoolClass,
    StatementLine,
    Student,
    StudentImport,
    Term,
)

__all__ = [
    "AccountToken",
    "Agency",
    "AuditEntry",
    "AuditHead",
    "RecoveryCode",
    "SecondFactor",
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
    "NationalPortalJob",
    "NationalResultLink",
    "NationalSync",
    "PostalCallback",
    "Shipment",
    "ShipmentEvent",
    "ShipmentJob",
    "OutboundEmail",
    "OutboundSms",
    "Feedback",
    "ReportReminder",
    "ReportRound",
    "ReportSubmission",
    "Rating",
    "PaymentRefund",
    "TaxTransmission",
    "Exemption",
    "FeeItem",
    "FeeSchedule",
    "Invoice",
    "InvoiceCounter",
    "InvoiceLine",
    "InvoiceRun",
    "ManualPayment",
    "Reminder",
    "School",
    "SchoolClass",
    "StatementLine",
    "Student",
    "StudentImport",
    "Term",
    "PaymentAttempt",
    "PaymentIncident",
    "PaymentNotification",
    "PaymentOrder",
    "UnverifiedNotificationDay",
    "Procedure",
    "ProcedureVersion",
    "User",
]
