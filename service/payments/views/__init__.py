"""The payments blueprint (`payments`, under /payments), split by audience: the payer's pages
(`payer.py`), the gateways' and platforms' callbacks (`callbacks.py`: machine callers, CSRF-exempt,
each authenticated by its own signature or key), and the accountants' back office (`accountants.py`).
What their pages share is in `blueprint.py`."""

from __future__ import annotations

from service.payments.views import accountants, callbacks, payer
from service.payments.views.blueprint import bp

__all__ = ["accountants", "bp", "callbacks", "payer"]
