"""outbox: attempts, backoff and leases on emails, SMS and document jobs

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-29 15:20:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None

TABLES = ('outbound_emails', 'outbound_sms', 'document_jobs')


def upgrade():
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            if table != 'outbound_emails':
                batch_op.add_column(sa.Column('attempts', sa.Integer(), nullable=False, server_default='0'))
            batch_op.add_column(sa.Column('next_attempt_at', sa.DateTime(), nullable=True))
            batch_op.add_column(sa.Column('locked_until', sa.DateTime(), nullable=True))


def downgrade():
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('locked_until')
            batch_op.drop_column('next_attempt_at')
            if table != 'outbound_emails':
                batch_op.drop_column('attempts')
