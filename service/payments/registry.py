"""What payments asks of the features that use it, registered by them (not imported by payments).

Payments needs answers it cannot know itself: whose bank account an order's money goes to (a
school collects its own tuition), where a payer goes back to after paying (the dossier, the school's
bill or the order's own page), what a receipt says the money was for (a dossier's fee names its
applicant and procedure; the national payment platform's receipt data is drawn from the same answer),
and who collected it (a school issues its tuition receipts in its own name, tax code and series, or
sends its own e-invoice). Each feature registers its
answer when the app starts (`register_*` in its `subscribers.py`); payments falls back to the agency's
own settings, and to the order's own payer and description, when nobody answers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from service.payments.models import PaymentOrder


@dataclass(frozen=True)
class Account:
    """A bank account that receives transfers (VietQR needs the bank's BIN and the number)."""

    bank_bin: str
    number: str
    name: str
    bank_name: str = ""


@dataclass
class CollectorAccounts:
    """Accounts other than the agency's: by collector id (a school's), every number, owner of a number."""

    of: Callable[[int], Account | None]
    numbers: Callable[[], set[str]]
    owner: Callable[[str], int | None]


@dataclass(frozen=True)
class ReceiptSubject:
    """What a receipt says an order paid for, as its client feature knows it."""

    payer: str
    line: str  # the receipt's one line: what was paid for
    dossier_code: str = ""
    procedure: str = ""
    procedure_code: str = ""  # the national procedure code (mã TTHC), what the payment platform asks


@dataclass(frozen=True)
class ReceiptIssuer:
    """The collecting organisation a receipt is issued in the name of (Decree 254/2026 Art. 23(2)): its
    name, tax code and own symbols; `register` keeps its numbers apart from every other collector's.
    `issues_receipts` False: the collector sends its own e-invoice, and no receipt is issued here."""

    register: str
    name: str
    tax_code: str
    form_symbol: str
    series_letters: str
    title: str = "Biên lai thu phí, lệ phí"
    issues_receipts: bool = True


_receipt_issuers: list[Callable[[PaymentOrder], ReceiptIssuer | None]] = []
_collectors: list[CollectorAccounts] = []
_receipt_subjects: list[Callable[[PaymentOrder], ReceiptSubject | None]] = []
_back_links: dict[str, Callable[[PaymentOrder], tuple[str, str] | None]] = {}


def register_collector_accounts(accounts: CollectorAccounts) -> None:
    if accounts not in _collectors:
        _collectors.append(accounts)


def register_back_link(purpose: str, link: Callable[[PaymentOrder], tuple[str, str] | None]) -> None:
    _back_links[purpose] = link


def register_receipt_subject(subject: Callable[[PaymentOrder], ReceiptSubject | None]) -> None:
    if subject not in _receipt_subjects:
        _receipt_subjects.append(subject)


def register_receipt_issuer(issuer: Callable[[PaymentOrder], ReceiptIssuer | None]) -> None:
    if issuer not in _receipt_issuers:
        _receipt_issuers.append(issuer)


def receipt_issuer(order: PaymentOrder) -> ReceiptIssuer | None:
    """The collector other than the agency (a school), or None: the agency itself collected."""
    for issuer in _receipt_issuers:
        found = issuer(order)
        if found is not None:
            return found
    return None


def receipt_subject(order: PaymentOrder) -> ReceiptSubject | None:
    for subject in _receipt_subjects:
        found = subject(order)
        if found is not None:
            return found
    return None


def collector_account(collector_id: int) -> Account | None:
    for accounts in _collectors:
        found = accounts.of(collector_id)
        if found is not None:
            return found
    return None


def collector_numbers() -> set[str]:
    return {number for accounts in _collectors for number in accounts.numbers()}


def owner_of_account(number: str) -> int | None:
    for accounts in _collectors:
        owner = accounts.owner(number)
        if owner is not None:
            return owner
    return None


def back_link(order: PaymentOrder) -> tuple[str, str] | None:
    link = _back_links.get(order.purpose)
    return link(order) if link else None
