"""sessions that can be revoked: users carry a session version; the per-account login lock goes

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-02 10:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade():
    # Cookies issued before this revision carry no version: they are refused, everyone signs in again.
    op.add_column('users', sa.Column('session_version', sa.Integer(), server_default='0', nullable=False))
    # Failed logins are counted per address in the rate limiter's storage now (a lock that anyone
    # could set on any account is gone). Dropped in place (SQLite >= 3.35 does it natively): a batch
    # rebuild of `users` would fail on a populated database, whose rows other tables reference while
    # foreign keys are enforced.
    for column in ('locked_until', 'failed_logins'):
        if op.get_bind().dialect.name == 'sqlite':
            op.execute(f'ALTER TABLE users DROP COLUMN {column}')
        else:
            op.drop_column('users', column)


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('failed_logins', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('locked_until', sa.DateTime(), nullable=True))
        batch_op.drop_column('session_version')
