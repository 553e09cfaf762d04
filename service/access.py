"""The one permission decorator. Every view declares who may use it; create_app() refuses to start
if a view does not."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import wraps

from flask import Flask, abort
from flask_login import current_user

from service.extensions import login_manager

ANYONE = "anyone"
SIGNED_IN = "signed_in"


def allow(*who: str) -> Callable:
    """`@allow(ANYONE)`, `@allow(SIGNED_IN)` or `@allow(Role.CITIZEN, Role.ORGANISATION, ...)`."""
    if not who:
        raise ValueError("allow() needs at least one role, ANYONE or SIGNED_IN")

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(*args, **kwargs):
            if ANYONE not in who:
                if not current_user.is_authenticated:
                    return login_manager.unauthorized()
                if SIGNED_IN not in who and current_user.role not in who:
                    abort(403)
            return view(*args, **kwargs)

        wrapper.access = frozenset(who)
        return wrapper

    return decorator


def has_role(*roles: Iterable[str] | str) -> bool:
    return current_user.is_authenticated and current_user.role in roles


def check_every_view_declares_access(app: Flask) -> None:
    undeclared = [
        endpoint
        for endpoint, view in app.view_functions.items()
        if endpoint != "static" and not hasattr(view, "access")
    ]
    if undeclared:
        raise RuntimeError(f"Views without @allow(...): {', '.join(sorted(undeclared))}")
