"""Login sessions that end: on logout, a password change or reset and an account's deactivation (in
every browser at once), after SESSION_IDLE_MINUTES without a request and SESSION_ABSOLUTE_HOURS after
the login (ASVS 4.0.3 §3.3).

Flask keeps the session in a signed cookie, which the server cannot delete. The id Flask-Login keeps
in it therefore carries the account's session version (User.get_id); raising the version
(operations._revoke_sessions) leaves every cookie issued before it naming a version that no longer
exists, and the cookie is refused. A remember-me cookie would carry the same id; none is issued.
"""

from __future__ import annotations

import time

from flask import current_app, flash, g, session
from flask_login import login_user, logout_user

from service.accounts.models import User
from service.extensions import db

LOGIN_AT, SEEN_AT = "login_at", "seen_at"
# Flask-Login's own keys, forgotten when a session ends.
LOGIN_KEYS = ("_user_id", "_fresh", "_id", "_remember", LOGIN_AT, SEEN_AT)
# Kept across a login: the values of a draft posted after the session had ended, saved into the draft
# once its owner is back (service/dossiers/drafts.py). Nothing else set before the login is carried
# into the signed-in session (session fixation).
SURVIVES_LOGIN = ("form_stash",)
# The activity time is rewritten at most once a minute, not with every response.
TOUCH_EVERY_SECONDS = 60
EXPIRED_MESSAGE = (
    "Phiên đăng nhập đã hết hạn. Vui lòng đăng nhập lại. Dữ liệu bạn đã lưu vẫn được giữ nguyên."
)


def begin(user: User) -> None:
    """Sign the user in, in a session started afresh."""
    kept = {key: session[key] for key in SURVIVES_LOGIN if key in session}
    session.clear()
    login_user(user)
    now = _now()
    session.update(kept)
    session[LOGIN_AT] = session[SEEN_AT] = now


def end() -> None:
    logout_user()
    session.clear()


def resume(session_id: str) -> User | None:
    """The signed-in user of this request (Flask-Login's user loader), or None when the session was
    revoked, the account deactivated or the session timed out; the login is then forgotten."""
    user = _user_named(session_id)
    now = _now()
    if user is None or _timed_out(now):
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
