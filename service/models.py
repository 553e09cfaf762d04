"""Every model, imported in one place for Alembic and the relationships' string references."""

from service.accounts.models import AccountToken, ConsentRecord, User
from service.dossiers.models import Dossier, DossierCounter, DossierEvent, DossierFile, FormStash
from service.notifications.models import OutboundEmail
from service.procedures.models import Procedure, ProcedureVersion

__all__ = [
    "AccountToken",
    "ConsentRecord",
    "Dossier",
    "DossierCounter",
    "DossierEvent",
    "DossierFile",
    "FormStash",
    "OutboundEmail",
    "Procedure",
    "ProcedureVersion",
    "User",
]
