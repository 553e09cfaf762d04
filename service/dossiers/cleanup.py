"""Abandoned drafts are deleted, after their owner was told by email and given time to keep them.

A draft untouched (no save, no upload) for DRAFT_ABANDONED_DAYS is announced to its owner: one email per
account lists its drafts and the date after which they go. The warning records the draft's version; a
draft still at that version DRAFT_DELETION_NOTICE_DAYS later is deleted with its files, and any save or
upload meanwhile (a new version) keeps it and starts the count again. Submitted dossiers are never
touched. Runs daily (service.dossiers.tasks.clean_abandoned_drafts); DRAFT_ABANDONED_DAYS = 0 turns it off.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import groupby

from flask import current_app

from service import audit, uploads
from service.database import for_update, write
from service.dossiers.models import Dossier
from service.dossiers.operations import remove_draft_rows
from service.extensions import db
from service.notifications.email import queue_email
from service.timeutil import utcnow
from workflows.states import DossierStatus

log = logging.getLogger(__name__)
BATCH = 500  # drafts handled per run and step: a backlog is worked off over the following days


@dataclass
class Cleanup:
    warned: int = 0  # drafts announced
    deleted: int = 0


def clean_abandoned_drafts(now: datetime | None = None) -> Cleanup:
    days = current_app.config["DRAFT_ABANDONED_DAYS"]
    if days <= 0:
        return Cleanup()
    now = now or utcnow()
    result = Cleanup(deleted=_delete_expired(now))
    result.warned = _warn(now, now - timedelta(days=days))
    return result


def _warn(now: datetime, untouched_since: datetime) -> int:
    """Announce the drafts untouched since then and not yet announced at their current version."""
    not_warned = Dossier.cleanup_warned_version.is_(None) | (
        Dossier.cleanup_warned_version != Dossier.version
    )
    due = db.session.execute(
        db.select(Dossier.owner_id, Dossier.id)
        .where(Dossier.status == DossierStatus.DRAFT, Dossier.updated_at < untouched_since, not_warned)
        .order_by(Dossier.owner_id, Dossier.id)
        .limit(BATCH)
    ).all()
    warned = 0
    for _owner_id, rows in groupby(due, key=lambda row: row.owner_id):
        warned += _warn_owner([row.id for row in rows], now, untouched_since)
    return warned


def _warn_owner(dossier_ids: list[int], now: datetime, untouched_since: datetime) -> int:
    """One email for the owner's drafts, written with the warning marks (both or neither)."""
    deletion = now + timedelta(days=current_app.config["DRAFT_DELETION_NOTICE_DAYS"])
    with write():
        drafts = db.session.scalars(
            for_update(db.select(Dossier).where(Dossier.id.in_(dossier_ids))).order_by(Dossier.id)
        ).all()
        drafts = [d for d in drafts if d.status == DossierStatus.DRAFT and d.updated_at < untouched_since]
        if not drafts:
            return 0
        for draft in drafts:
            draft.cleanup_warned_at, draft.cleanup_warned_version = now, draft.version
        owner = drafts[0].owner
        queue_email(
            owner.email,
            "drafts_expiring",
            name=owner.display_name,
            drafts=drafts,
            deletion=deletion,
            days=current_app.config["DRAFT_ABANDONED_DAYS"],
            base_url=current_app.config["APP_BASE_URL"],
        )
    return len(drafts)


def _delete_expired(now: datetime) -> int:
    notice = timedelta(days=current_app.config["DRAFT_DELETION_NOTICE_DAYS"])
    expired = db.session.scalars(
        db.select(Dossier.id)
        .where(
            Dossier.status == DossierStatus.DRAFT,
            Dossier.cleanup_warned_at <= now - notice,
            Dossier.cleanup_warned_version == Dossier.version,
        )
        .order_by(Dossier.id)
        .limit(BATCH)
    ).all()
    return sum(_delete(dossier_id, now - notice) for dossier_id in expired)


def _delete(dossier_id: int, warned_before: datetime) -> bool:
    """Deleted under the draft's lock if it is still the draft its owner was warned about."""
    with write():
        draft = db.session.scalar(for_update(db.select(Dossier).where(Dossier.id == dossier_id)))
        if not (
            draft is not None
            and draft.status == DossierStatus.DRAFT
            and draft.cleanup_warned_at is not None
            and draft.cleanup_warned_at <= warned_before
            and draft.cleanup_warned_version == draft.version
        ):
            return False
        details = {
            "owner": draft.owner.email,
            "procedure": draft.procedure_version.name,
            "started_on": draft.created_at.date().isoformat(),
            "files": len(draft.files),
        }
        audit.record("dossier.abandoned_draft_deleted", draft, actor=None, details=details)
        stored = remove_draft_rows(draft)
    for name in stored:
        uploads.remove(name)
    log.info("Abandoned draft %s deleted (%s files)", dossier_id, len(stored))
    return True
