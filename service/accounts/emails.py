"""Emails that carry a single-use account link: email confirmation, password reset, an official's
first password."""

from __future__ import annotations

from flask import current_app, url_for

from service.accounts import tokens
from service.accounts.models import User
from service.database import write
from service.notifications.email import queue_email

OFFICIAL_WELCOME_HOURS = 72
RESEND_COOLDOWN_SECONDS = 60
# purpose of the link -> (token purpose, endpoint that consumes it, config key or fixed hours)
LINKS = {
    "confirm_email": (tokens.CONFIRM_EMAIL, "accounts.confirm", "TOKEN_HOURS_CONFIRM"),
    "reset_password": (tokens.RESET_PASSWORD, "accounts.reset_password", "TOKEN_HOURS_RESET"),
    "official_welcome": (tokens.RESET_PASSWORD, "accounts.reset_password", OFFICIAL_WELCOME_HOURS),
    # A confirmation asked for again sets the password too: whoever registered the address first (maybe
    # not its owner) chose the password, so the owner's click must not hand that account over.
    "activate_account": (tokens.RESET_PASSWORD, "accounts.reset_password", "TOKEN_HOURS_CONFIRM"),
}


def send_account_link(user: User, template: str) -> bool:
    """Issue a token and email its link with templates/emails/<template>.txt. Needs a request context.

    At most one link per address and purpose a minute, so that the public forms cannot flood a mailbox.
    """
    purpose, endpoint, lifetime = LINKS[template]
    hours = current_app.config[lifetime] if isinstance(lifetime, str) else lifetime
    with write():
        if tokens.recently_issued(user, purpose, RESEND_COOLDOWN_SECONDS):
            return False
        raw = tokens.issue_token(user, purpose, hours)
        link = current_app.config["APP_BASE_URL"] + url_for(endpoint, token=raw)
        queue_email(user.email, template, user=user, link=link, hours=hours)  # with the token, or not at all
    return True


def tell_owner(user: User, what: str, detail: str = "") -> None:
    """A security notice to the account's own address, inside the step's transaction (ASVS 4.0.3
    2.2.3, 2.5.5, 2.8.5): a password changed or reset, a second factor reset, a code replayed."""
    from service.timeutil import format_datetime, utcnow

    queue_email(
        user.email,
        "account_security",
        user=user,
        what=what,
        detail=detail,
        when=format_datetime(utcnow()),
        base_url=current_app.config["APP_BASE_URL"],
    )
