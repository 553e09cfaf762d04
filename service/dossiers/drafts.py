"""Nothing typed into a draft is lost when the session expires.

If the e-form is posted after the login session (or its CSRF token) has expired, the posted values are
kept server-side under a random token held in the new session. When the owner, logged in again, opens
the draft, the values are saved into it.

A post refused by the CSRF check is kept only when it proves it was typed into one of our own pages:
a CSRF token signed by us (expired, or from a session that has ended) AND the browser's own word that
the form was on our origin. The token alone proves nothing, since an attacker's page can post one
signed for the attacker's session; the headers a browser adds (Origin, Referer, Sec-Fetch-Site) are
the ones no page can forge. So a cross-site post, with or without a token, never reaches a draft.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from flask import current_app, flash, redirect, request, session, url_for
from flask_login import current_user
from itsdangerous import BadData, URLSafeTimedSerializer
from sqlalchemy import delete

from service.accounts.models import User
from service.database import for_update, write
from service.dossiers import operations
from service.dossiers.models import Dossier, FormStash
from service.extensions import db
from service.requests import is_our_origin
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
    if not (_posted_from_our_page() and _token_signed_by_us()) or not stash_posted_draft():
        return None
    edit_url = url_for(DRAFT_FORM_ENDPOINT, dossier_id=request.view_args["dossier_id"])
    flash("Phiên làm việc đã hết hạn. Dữ liệu bạn vừa nhập đã được giữ lại và lưu vào bản nháp.", "warning")
    if current_user.is_authenticated:
        return redirect(edit_url)
    return redirect(url_for("accounts.login", next=edit_url))


def _posted_from_our_page() -> bool:
    """The browser says the form was on our origin: Sec-Fetch-Site, when sent, is same-origin, and the
    Origin header (or, from a browser that sends none, the Referer) names our host. A page elsewhere can
    suppress Referer but cannot set these, so a post carrying neither is refused."""
    fetch_site = request.headers.get("Sec-Fetch-Site")
    if fetch_site is not None and fetch_site != "same-origin":
        return False
    origin = request.headers.get("Origin")
    return is_our_origin(origin if origin is not None else request.referrer or "")


def _token_signed_by_us() -> bool:
    """A CSRF token Flask-WTF issued (same key and salt), whatever its age or session: the form was
    rendered by us. Missing or forged tokens are not."""
    token = request.form.get(current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"))
    key = current_app.config.get("WTF_CSRF_SECRET_KEY") or current_app.secret_key
    try:
        URLSafeTimedSerializer(key, salt="wtf-csrf-token").loads(token or "")
    except BadData:
        return False
    return True


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
