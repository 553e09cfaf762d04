"""`flask --app wsgi audit verify`: check the audit log's chain from its first entry."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from service.audit.chain import verify
from service.extensions import db
from service.timeutil import to_local

audit_cli = AppGroup("audit", help="Nhật ký kiểm toán.")


@audit_cli.command("verify")
def audit_verify():
    """Walk the hash chain; name the first broken entry and exit 1, or print the count and exit 0."""
    verdict = verify(db.session)
    broken = verdict.broken
    if broken is not None:
        when = (
            f" ({to_local(broken.occurred_at):%d/%m/%Y %H:%M:%S} Vietnam time)" if broken.occurred_at else ""
        )
        raise click.ClickException(
            f"Audit log broken at entry {broken.entry_id}{when}: {broken.problem}. "
            f"The {verdict.count} entries before it are intact."
        )
    # The last hash, written down elsewhere (a ticket, a signed email), also proves later that no
    # one rebuilt the whole chain from the start.
    click.echo(f"Audit log intact: {verdict.count} entries; last hash {verdict.last_hash}.")
