"""What every gateway adapter is (`Adapter`: start, query, refund; `Start`, `Outcome`, `RefundOutcome`)
and where a payment's money goes (the collector's account): the base the adapters in `adapters.py` and
`paygov.py` build on, kept apart so that both import it and neither imports the other."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from flask import current_app

from service.payments import registry
from service.payments.models import PaymentAttempt, PaymentOrder, PaymentRefund
from service.payments.registry import Account
from service.text import without_diacritics


@dataclass(frozen=True)
class Start:
    """What the payer is given: a page to go to, or a QR code to scan."""

    redirect_url: str | None = None
    qr_payload: str | None = None


@dataclass(frozen=True)
class Outcome:
    """A gateway's verified word on an attempt (from a status query)."""

    state: str  # succeeded, failed, pending, unknown
    code: str = ""
    transaction: str | None = None


@dataclass(frozen=True)
class RefundOutcome:
    state: str  # succeeded, failed, pending
    code: str
    message: str
    transaction: str | None = None


class GatewayRefused(ValueError):
    """The gateway will not start this payment (its message is for the payer)."""


def order_info(text: str) -> str:
    """ASCII without diacritics or special characters (what VNPAY and MoMo accept)."""
    plain = re.sub(r"[^A-Za-z0-9 .-]", " ", without_diacritics(text))
    return " ".join(plain.split())[:255] or "Thanh toan"


class Adapter:
    name = ""
    label = ""
    min_amount = 1
    max_amount = 0  # per transaction, VND
    has_refund_api = True
    payer_facing = True  # offered to payers as a way to pay
    # A transfer the payer makes by hand (a QR, an account and a content to copy): pressing the button
    # again shows the same reference while it is valid, never a second one to confuse the bank feed.
    reuses_attempt = False
    # What the gateway needs: without all of them it is off (not offered, its callbacks answer 404), so
    # nothing is ever signed or verified with an empty or a demo secret. The simulators, when mounted,
    # stand in for the `simulated` ones (the gateway's own addresses).
    settings: tuple[str, ...] = ()
    simulated: tuple[str, ...] = ()

    def missing(self, config: Mapping) -> list[str]:
        stand_in = self.simulated if config.get("PAYMENT_SIMULATORS") else ()
        return [name for name in self.settings if not config.get(name) and name not in stand_in]

    def given(self, config: Mapping) -> list[str]:
        return [name for name in self.settings if config.get(name)]

    def enabled(self, config: Mapping | None = None) -> bool:
        return not self.missing(current_app.config if config is None else config)

    def available(self, school_id: int | None) -> bool:
        """Offered for a payment owed to this school (None: to the agency)."""
        return self.enabled()

    def attempt_minutes(self) -> int:
        return current_app.config["PAYMENT_ATTEMPT_MINUTES"]

    def check_amount(self, amount: int) -> str | None:
        """A message for the payer when the gateway cannot take this amount."""
        from service.money import format_money

        if amount < self.min_amount:
            return f"{self.label} chỉ nhận khoản từ {format_money(self.min_amount)} trở lên."
        if amount > self.max_amount:
            return f"Số tiền vượt hạn mức một giao dịch của {self.label} ({format_money(self.max_amount)})."
        return None

    def start(self, order: PaymentOrder, attempt: PaymentAttempt, client_ip: str) -> Start:
        raise NotImplementedError

    def query(self, attempt: PaymentAttempt) -> Outcome | None:
        return None

    def refund(self, refund: PaymentRefund, actor: str) -> RefundOutcome:
        raise NotImplementedError

    def refund_status(self, refund: PaymentRefund) -> RefundOutcome | None:
        return None


def base_url() -> str:
    return current_app.config["APP_BASE_URL"]


# The agency's own collecting account: all three given, or none (then only schools' accounts collect).
AGENCY_ACCOUNT = ("VIETQR_BANK_BIN", "VIETQR_ACCOUNT_NO", "VIETQR_ACCOUNT_NAME")


def collecting_account(order: PaymentOrder) -> Account | None:
    return account_for(order.school_id)


def account_for(collector_id: int | None) -> Account | None:
    """Where a transfer goes: the collector's own account (a school's, for its bills), else the agency's;
    None when neither is configured (no QR is ever drawn for a made-up account)."""
    if collector_id:
        found = registry.collector_account(collector_id)
        if found is not None:
            return found
    config = current_app.config
    if not all(config[name] for name in AGENCY_ACCOUNT):
        return None
    bank_bin, number, name = (config[name] for name in AGENCY_ACCOUNT)
    return Account(bank_bin, number, name, config["VIETQR_BANK_NAME"])


def our_accounts() -> set[str]:
    """Every account a bank feed may report credits to."""
    return {n for n in registry.collector_numbers() | {current_app.config["VIETQR_ACCOUNT_NO"]} if n}
