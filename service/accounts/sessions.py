"""Login sessions that end: on logout, a password change or reset and an account's deactivation (in
every browser at once), after SESSION_IDLE_MINUTES without a request and SESSION_ABSOLUTE_HOURS after
the login (ASVS 4.0.3 §3.3).

Flask keeps the session in a signed cookie, which the server cannot delete. The id Flask-Login keeps
in it therefore carries the account's session version (User.get_id); raising the version
(operations.revoke_sessions) leaves every cookie issued before it naming a version that no longer
exists, and the cookie is refused. A remember-me cookie would carry the same id; none is issued.

An official's password alone opens no session: it starts a half-login (`begin_pending`), a note in the
cookie of who is to give the second factor, which no other page counts as signed in (Flask-Login knows
nothing of it) and which lasts TWO_FACTOR_PENDING_MINUTES. Only the second factor calls `begin`, and a
session of an official that did not pass it is refused (`resume`).
"""

from __future__ import annotations

import time

from flask import current_app, flash, g, session
from flask_login import login_user, logout_user

from service.accounts.models import User
from service.extensions import db

LOGIN_AT, SEEN_AT = "login_at", "seen_at"
# Set by a login that passed the second factor: an official's session is refused without it.
SECOND_FACTOR = "second_factor"
PENDING = "pending_login"
# Flask-Login's own keys, forgotten when a session ends.
LOGIN_KEYS = ("_user_id", "_fresh", "_id", "_remember", LOGIN_AT, SEEN_AT, SECOND_FACTOR)
# Kept across a login: the values of a draft posted after the session had ended, saved into the draft
# once its owner is back (service/dossiers/drafts.py). Nothing else set before the login is carried
# into the signed-in session (session fixation).
SURVIVES_LOGIN = ("form_stash",)
# The activity time is rewritten at most once a minute, not with every response.
TOUCH_EVERY_SECONDS = 60
EXPIRED_MESSAGE = (
    "Phiên đăng nhập đã hết hạn. Vui lòng đăng nhập lại. Dữ liệu bạn đã lưu vẫn được giữ nguyên."
)


def begin(user: User, second_factor: bool = False) -> None:
    """Sign the user in, in a session started afresh. `second_factor`: the official has just given it;
    a session started again for the same official (a password change) keeps it."""
    passed = second_factor or _passed_second_factor(user)
    _start_afresh()
    login_user(user)
    session[LOGIN_AT] = session[SEEN_AT] = _now()
    if passed:
        session[SECOND_FACTOR] = True


def begin_pending(user: User, next_url: str) -> None:
    """The password was right and a second factor is due: a half-login in a session started afresh."""
    _start_afresh()
    session[PENDING] = {"user": user.id, "version": user.session_version, "since": _now(), "next": next_url}


def pending_user() -> User | None:
    """Who is half signed in, or None: none, expired (then forgotten), or the account has changed
    since (deactivated, its sessions ended, its second factor reset)."""
    pending = session.get(PENDING)
    if not isinstance(pending, dict) or not all(
        isinstance(pending.get(k), int) for k in ("user", "version", "since")
    ):
        return None
    if _now() - pending["since"] > current_app.config["TWO_FACTOR_PENDING_MINUTES"] * 60:
        session.pop(PENDING, None)
        return None
    user = db.session.get(User, pending["user"])
    if user is None or not user.is_active_account or user.session_version != pending["version"]:
        session.pop(PENDING, None)
        return None
    return user


def pending_next() -> str:
    return session.get(PENDING, {}).get("next") or "/"


def drop_pending() -> None:
    session.pop(PENDING, None)


def _start_afresh() -> None:
    """Nothing set before a login is carried into it (session fixation), but SURVIVES_LOGIN."""
    kept = {key: session[key] for key in SURVIVES_LOGIN if key in session}
    session.clear()
    session.update(kept)


def _passed_second_factor(user: User) -> bool:
    signed_in_as = str(session.get("_user_id", "")).partition(":")[0]
    return bool(session.get(SECOND_FACTOR)) and signed_in_as == str(user.id)


def end() -> None:
    logout_user()
    session.clear()


def resume(session_id: str) -> User | None:
    """The signed-in user of this request (Flask-Login's user loader), or None when the session was
    revoked, the account deactivated or the session timed out; the login is then forgotten."""
    user = _user_named(session_id)
    now = _now()
    if user is None or _timed_out(now) or (user.is_official and not session.get(SECOND_FACTOR)):
        _forget_login()
        return None
    if now - session[SEEN_AT] >= TOUCH_EVERY_SECONDS:
        session[SEEN_AT] = now
    return user


def has_expired() -> bool:
    """True when this request came with a session that has just ended."""
    return g.get("session_expired", False)


def _user_named(session_id: str) -> User | None:
    user_id, _, version = session_id.partition(":")
    if not (user_id.isdigit() and version.isdigit()):
        return None  # a cookie from before versions, or not ours
    user = db.session.get(User, int(user_id))
    if user is None or not user.is_active_account or user.session_version != int(version):
        return None
    return user


def _timed_out(now: int) -> bool:
    config = current_app.config
    login_at, seen_at = session.get(LOGIN_AT), session.get(SEEN_AT)
    if not isinstance(login_at, int) or not isinstance(seen_at, int):
        return True
    idle, lifetime = config["SESSION_IDLE_MINUTES"] * 60, config["SESSION_ABSOLUTE_HOURS"] * 3600
    return now - seen_at > idle or now - login_at > lifetime


def _forget_login() -> None:
    """Only the login: the rest of the session (the CSRF token of the form being posted, a draft kept
    for later) stays, so that a form posted just after the session ended is not lost. logout_user()
    cannot be used here: it would ask the user loader again."""
    for key in LOGIN_KEYS:
        session.pop(key, None)
    g.session_expired = True
    flash(EXPIRED_MESSAGE, "info")


def _now() -> int:
    # Whole seconds since the epoch: plain JSON in the signed cookie.
    return int(time.time())
