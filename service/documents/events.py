"""What the documents service tells the features that feed it, as blinker signals.

Documents knows no feature: a feature that wants to hear of its documents subscribes here (in its
`subscribers.py`, connected by the app factory). Every signal is sent inside the transaction that made
the change, with the document's row locked or just written, so what a receiver adds (a line of a
dossier's history, an email in the outbox) commits with it or not at all. A receiver must not commit,
sleep or call out over the network.
"""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

# sender: the IssuedDocument, just recorded (its job done in the same transaction).
document_issued = _signals.signal("document-issued")
# sender: the IssuedDocument a correction will replace; actor_id=, reason=: who asked and why.
correction_requested = _signals.signal("correction-requested")
# sender: the IssuedDocument, now revoked; actor_id=, reason=: who revoked it and why.
document_revoked = _signals.signal("document-revoked")
