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


def upgrade():
    for (table, column), values in CHECKS.items():
        condition = f"{column} IN ({', '.join(repr(v) for v in values)})"
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_check_constraint(op.f(f'ck_{table}_{column}'), condition)


def downgrade():
    for table, column in reversed(list(CHECKS)):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(op.f(f'ck_{table}_{column}'), type_='check')
