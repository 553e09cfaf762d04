"""A new draft starts with what the account already knows about the applicant.

The national portal fills the applicant's details from the VNeID identity; we do the same from the
account (which a VNeID login keeps up to date: name, identity number and date of birth as VNeID gives
them, service/accounts/vneid_accounts.py). Only the fields the catalogue marks with `prefill` are filled,
and they stay editable: a parent filing for a child corrects the name.
"""

from __future__ import annotations

from typing import Any

from service.accounts.models import User


def account_values(owner: User) -> dict[str, str]:
    """The account's details by prefill source (catalogue PREFILL_SOURCES); empty ones left out."""
    values = {
        "full_name": owner.full_name,  # an organisation's account: its representative's name
        "organisation_name": owner.organisation_name or "",
        # The number VNeID or the desk vouched for, else the one typed at registration (still a claim).
        "personal_id": owner.personal_id or owner.personal_id_claim or "",
        "birth_date": owner.birth_date.isoformat() if owner.birth_date else "",  # the date input's format
        "phone": owner.phone or "",
        "email": owner.email or "",
    }
    return {source: value for source, value in values.items() if value}


def prefilled_pairs(owner: User, fields: list[dict[str, Any]]) -> list[list[str]]:
    """The e-form pairs a new draft starts with, as stored in `Dossier.form_data`."""
    values = account_values(owner)
    return [[spec["key"], values[spec["prefill"]]] for spec in fields if values.get(spec.get("prefill", ""))]
