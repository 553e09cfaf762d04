"""Login throttling that slows a password guesser without letting anyone lock the owner out.

No account is ever locked: a lock that any stranger can set by typing wrong passwords would let him
keep an official out of work. Attempts are counted instead, in the rate limiter's storage
(RATELIMIT_STORAGE_URI, Redis when several workers run):
- per email as typed and client address: LOGIN_MAX_FAILURES attempts per LOGIN_LOCK_MINUTES, the count
  starting again after a successful login. A stranger who exhausts it blocks only his own address for
  that email; the owner signs in from hers.
- per client address, whatever the emails: LOGIN_ADDRESS_FAILURES failed attempts (one address trying
  many accounts).
The email is counted whether or not an account has it, so the answer never tells which emails do.

An official's second factor (twofactor.py) is counted per account, whatever the address: whoever is
asked for the code knows the password already, and six digits must not be guessed from many
addresses at once. The same LOGIN_MAX_FAILURES per LOGIN_LOCK_MINUTES, started again by a right code.
"""

from __future__ import annotations

import math
import time

from flask import current_app
from limits import RateLimitItem, parse

from service.extensions import limiter

NAMESPACE = "login"
CODE_NAMESPACE = "second_factor"


def _email_limit() -> RateLimitItem:
    config = current_app.config
    return parse(f"{config['LOGIN_MAX_FAILURES']} per {config['LOGIN_LOCK_MINUTES']} minutes")


def _address_limit() -> RateLimitItem:
    return parse(current_app.config["LOGIN_ADDRESS_FAILURES"])


def take_attempt(email: str, address: str) -> bool:
    """Count an attempt before the password is checked (so that parallel guesses all count): False
    when this address has used up its attempts, for this email or in all."""
    if not limiter.enabled:
        return True
    if not limiter.limiter.test(_address_limit(), NAMESPACE, address):
        return False
    return limiter.limiter.hit(_email_limit(), NAMESPACE, email, address)


def count_failure(address: str) -> None:
    if limiter.enabled:
        limiter.limiter.hit(_address_limit(), NAMESPACE, address)


def forget_attempts(email: str, address: str) -> None:
    """After a successful login the owner starts with a full count again."""
    if limiter.enabled:
        limiter.limiter.clear(_email_limit(), NAMESPACE, email, address)


def minutes_to_wait(email: str, address: str) -> int:
    """Until the used-up count starts again, at least a minute."""
    windows = [
        limiter.limiter.get_window_stats(_email_limit(), NAMESPACE, email, address),
        limiter.limiter.get_window_stats(_address_limit(), NAMESPACE, address),
    ]
    reset = max((window.reset_time for window in windows if window.remaining == 0), default=time.time())
    return max(1, math.ceil((reset - time.time()) / 60))


def take_code_attempt(user_id: int) -> bool:
    """Count an attempt at an official's second factor: False when the account has used them up."""
    if not limiter.enabled:
        return True
    return limiter.limiter.hit(_email_limit(), CODE_NAMESPACE, str(user_id))


def forget_code_attempts(user_id: int) -> None:
    if limiter.enabled:
        limiter.limiter.clear(_email_limit(), CODE_NAMESPACE, str(user_id))


def minutes_to_wait_for_code(user_id: int) -> int:
    window = limiter.limiter.get_window_stats(_email_limit(), CODE_NAMESPACE, str(user_id))
    return max(1, math.ceil((window.reset_time - time.time()) / 60))
