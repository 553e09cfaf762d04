"""resource limits: abandoned-draft warnings on dossiers, daily counts of unsigned gateway notifications

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-05 09:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0021'
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade():
    # Added in place (no batch rebuild): other tables reference dossiers while foreign keys are enforced.
    op.add_column('dossiers', sa.Column('cleanup_warned_at', sa.DateTime(), nullable=True))
    op.add_column('dossiers', sa.Column('cleanup_warned_version', sa.Integer(), nullable=True))
    op.create_table('unverified_notification_days',
    sa.Column('gateway', sa.String(length=10), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('received', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('gateway', 'day', name=op.f('pk_unverified_notification_days'))
    )
    # The daily prune of old unsigned notifications looks them up by age.
    op.create_index(op.f('ix_payment_notifications_received_at'), 'payment_notifications', ['received_at'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_payment_notifications_received_at'), table_name='payment_notifications')
    op.drop_table('unverified_notification_days')
    for column in ('cleanup_warned_version', 'cleanup_warned_at'):
        if op.get_bind().dialect.name == 'sqlite':
            op.execute(f'ALTER TABLE dossiers DROP COLUMN {column}')  # in place, as 0017 does
        else:
            op.drop_column('dossiers', column)
