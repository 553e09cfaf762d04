"""Flask-Login wiring: the user of a request comes from a session that has not ended (sessions.py)."""

from service.accounts import sessions
from service.accounts.models import User
from service.extensions import login_manager


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    return sessions.resume(session_id)
