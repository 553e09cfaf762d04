"""status columns accept only their declared values (CHECK constraints from the Labelled enums)

Revision ID: 0025
Revises: 0024
Create Date: 2026-11-29 21:10:00

The values are written out here, as they were when this revision was made: a later enum change comes
with its own revision.
"""
from alembic import op


revision = '0025'
down_revision = '0024'
branch_labels = None
depends_on = None

CHECKS = {
    ('payment_orders', 'status'): ('unpaid', 'paid', 'cancelled'),
    ('payment_attempts', 'status'): ('created', 'pending', 'succeeded', 'failed', 'cancelled', 'expired'),
    ('payment_refunds', 'status'): ('requested', 'pending', 'succeeded', 'failed'),
    ('payment_incidents', 'kind'): ('second_success', 'unmatched_credit', 'underpaid', 'overpaid', 'paid_cancelled'),
    ('invoices', 'status'): ('issued', 'cancelled', 'replaced'),
    ('invoice_runs', 'status'): ('queued', 'running', 'done', 'failed'),
    ('student_imports', 'status'): ('validated', 'confirmed', 'importing', 'done', 'failed'),
    ('report_submissions', 'status'): ('draft', 'submitted', 'accepted', 'returned'),
    ('issued_documents', 'status'): ('valid', 'replaced', 'revoked'),
}


def _foreign_keys(state):
    """SQLite reads this pragma outside a transaction only: the migration's work so far commits first."""
    with op.get_context().autocommit_block():
        op.execute(f"PRAGMA foreign_keys={state}")


def _rebuild(change):
    """SQLite adds a CHECK by rebuilding the table (copy, drop, rename): a table other rows reference
    (payment_orders by its attempts, invoices by their lines) can be dropped only with foreign-key
    enforcement off, as SQLite prescribes; the references are checked before the rebuild commits."""
    if op.get_bind().dialect.name != 'sqlite':
        change()
        return
    _foreign_keys("OFF")
    try:
        change()
        dangling = op.get_bind().exec_driver_sql("PRAGMA foreign_key_check").all()
        if dangling:
            raise RuntimeError(f"rows reference missing rows after the rebuild: {dangling[:5]}")
    finally:
        _foreign_keys("ON")


def _add_checks():
    for (table, column), values in CHECKS.items():
        condition = f"{column} IN ({', '.join(repr(v) for v in values)})"
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_check_constraint(op.f(f'ck_{table}_{column}'), condition)


def _drop_checks():
    for table, column in reversed(list(CHECKS)):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(op.f(f'ck_{table}_{column}'), type_='check')


def upgrade():
    _rebuild(_add_checks)


def downgrade():
    _rebuild(_drop_checks)
