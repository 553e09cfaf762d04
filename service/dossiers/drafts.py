"""Nothing typed into a draft is lost when the session expires.

If the e-form is posted after the login session (or its CSRF token) has expired, the posted values are
kept server-side under a random token held in the new session. When the owner, logged in again, opens
the draft, the values are saved into it.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from flask import flash, redirect, request, session, url_for
from flask_login import current_user
from sqlalchemy import delete

from service.accounts.models import User
from service.database import for_update, write
from service.dossiers import operations
from service.dossiers.models import Dossier, FormStash
from service.extensions import db
from service.timeutil import utcnow

DRAFT_FORM_ENDPOINT = "dossiers.edit"
NOT_FORM_FIELDS = {"csrf_token", "action", "version"}
MAX_STASH_BYTES = 256 * 1024


def posted_pairs() -> list[tuple[str, str]]:
    return [(name, value) for name, value in request.form.items(multi=True) if name not in NOT_FORM_FIELDS]


def stash_posted_draft() -> bool:
    if request.method != "POST" or request.endpoint != DRAFT_FORM_ENDPOINT:
        return False
    if (request.content_length or 0) > MAX_STASH_BYTES:
        return False
    dossier_id = request.view_args["dossier_id"]
    token = secrets.token_urlsafe(32)
    with write():  # no view ran (login or CSRF refused the post): nothing but reads is open before it
        draft = db.session.scalar(
            db.select(Dossier.id).where(Dossier.id == dossier_id, Dossier.status == "draft")
        )
        if draft is None:
            return False
        _prune_stashes(dossier_id)
        db.session.add(FormStash(token=token, dossier_id=dossier_id, form_data=posted_pairs()))
    session["form_stash"] = token
    return True


def _prune_stashes(dossier_id: int) -> None:
    """Unauthenticated posts reach here: keep the table small (no old stashes, a few per draft at most)."""
    db.session.execute(delete(FormStash).where(FormStash.created_at < utcnow() - timedelta(days=2)))
    newest = (
        db.select(FormStash.id)
        .where(FormStash.dossier_id == dossier_id)
        .order_by(FormStash.id.desc())
        .limit(2)
    )
    db.session.execute(
        delete(FormStash).where(
            FormStash.dossier_id == dossier_id, FormStash.id.not_in(newest.scalar_subquery())
        )
    )


def rescue_draft_after_csrf_failure():
    if not stash_posted_draft():
        return None
    edit_url = url_for(DRAFT_FORM_ENDPOINT, dossier_id=request.view_args["dossier_id"])
    flash("Phiên làm việc đã hết hạn. Dữ liệu bạn vừa nhập đã được giữ lại và lưu vào bản nháp.", "warning")
    if current_user.is_authenticated:
        return redirect(edit_url)
    return redirect(url_for("accounts.login", next=edit_url))


def restore_stash(dossier: Dossier, owner: User) -> Dossier | None:
    """The values kept for this session saved into the owner's draft, and their stash removed, in one
    transaction (the draft as saved); None when nothing was kept for this draft."""
    token = session.pop("form_stash", None)
    if not token:
        return None
    with write():
        stash = db.session.scalar(for_update(db.select(FormStash).where(FormStash.token == token)))
        if stash is None or stash.dossier_id != dossier.id:
            return None
        pairs = [(name, value) for name, value in stash.form_data]
        db.session.delete(stash)
        return operations.save_form(dossier.id, owner, pairs, None)
