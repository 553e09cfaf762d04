"""Registration throttling: a script cannot create accounts in bulk nor flood one mailbox.

Counted in the rate limiter's storage (RATELIMIT_STORAGE_URI, Redis when several workers run), for
each registration that passes the form's checks (a mistyped form costs nothing):
- per client address: REGISTER_RATE_LIMIT (5 per hour);
- per email typed, from any address: REGISTER_EMAIL_RATE_LIMIT (3 per hour). Each registration mails
  that address (a confirmation link, or a warning that it has an account already), so this bounds the
  mail a stranger can send to someone. The email is counted whether or not it has an account: the
  refusal tells nothing about which do.
"""

from __future__ import annotations

import math
import time

from flask import current_app
from limits import RateLimitItem, parse

from service.extensions import limiter

NAMESPACE = "register"


def _limits(email: str, address: str) -> list[tuple[RateLimitItem, tuple[str, ...]]]:
    config = current_app.config
    return [
        (parse(config["REGISTER_RATE_LIMIT"]), ("address", address)),
        (parse(config["REGISTER_EMAIL_RATE_LIMIT"]), ("email", email)),
    ]


def take(email: str, address: str) -> int:
    """Count a registration: 0 when it may go on, otherwise the minutes until it may."""
    if not limiter.enabled:
        return 0
    for item, keys in _limits(email, address):
        if not limiter.limiter.hit(item, NAMESPACE, *keys):
            reset = limiter.limiter.get_window_stats(item, NAMESPACE, *keys).reset_time
            return max(1, math.ceil((reset - time.time()) / 60))
    return 0
