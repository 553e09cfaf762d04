"""What the payments service tells its clients, as blinker signals.

Payments knows nothing of dossiers, schools or documents: they subscribe here (see `subscribers.py` of
each feature, connected by the app factory). Every signal is sent inside the transaction that made the
change, with the order locked, so a receiver adds its own rows (a receipt job, an incident, an email in
the outbox) to the same commit: they exist together or not at all. A receiver must not commit, sleep or
call out over the network; anything slow goes to the job engine.
"""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

# sender: the PaymentOrder, now paid; attempt=: the PaymentAttempt that paid it.
order_paid = _signals.signal("order-paid")
# sender: the PaymentOrder, paid before; attempt=: a second successful PaymentAttempt (an incident is
# already recorded for an accountant; nothing is counted twice).
order_paid_again = _signals.signal("order-paid-again")
# sender: the PaymentOrder; refund=: the PaymentRefund that has just completed.
order_refunded = _signals.signal("order-refunded")
