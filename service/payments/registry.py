"""What payments asks of the features that use it, registered by them (not imported by payments).

Payments needs answers it cannot know itself: whose bank account an order's money goes to (a
school collects its own tuition), where a payer goes back to after paying (the dossier, the school's
bill or the order's own page), and which fee a national-platform bill code names. Each feature registers
its answer when the app starts (and the documents service lends it the receipts of paid orders) (`register_*` in its `subscribers.py`); payments falls back to the
agency's own settings when nobody answers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

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


@dataclass
class Receipts:
    """The e-receipt of a paid order (kept by the documents service): the document in force, its PDF."""

    find: Callable[[int], Any]
    pdf: Callable[[Any], bytes]


_collectors: list[CollectorAccounts] = []
_receipts: list[Receipts] = []
_back_links: dict[str, Callable[[PaymentOrder], tuple[str, str] | None]] = {}
_bill_finders: list[Callable[[str], Any]] = []


def register_collector_accounts(accounts: CollectorAccounts) -> None:
    if accounts not in _collectors:
        _collectors.append(accounts)


def register_back_link(purpose: str, link: Callable[[PaymentOrder], tuple[str, str] | None]) -> None:
    _back_links[purpose] = link


def register_bill_finder(finder: Callable[[str], Any]) -> None:
    if finder not in _bill_finders:
        _bill_finders.append(finder)


def register_receipts(receipts: Receipts) -> None:
    _receipts[:] = [receipts]


def receipt(order_id: int) -> Any:
    """The order's receipt in force, or None (none yet, or no documents service connected)."""
    return _receipts[0].find(order_id) if _receipts else None


def receipt_pdf(document: Any) -> bytes:
    return _receipts[0].pdf(document)


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


def find_bill(code: str) -> Any:
    for finder in _bill_finders:
        bill = finder(code)
        if bill is not None:
            return bill
    return None
