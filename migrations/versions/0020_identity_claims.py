"""identity claims: a citizen's typed identity number waits as a claim until the email is confirmed

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-10 09:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade():
    # Added in place (no batch rebuild of `users`: other tables reference it, foreign keys enforced).
    op.add_column('users', sa.Column('personal_id_claim', sa.String(length=12), nullable=True))
    op.create_index(op.f('ix_users_personal_id_claim'), 'users', ['personal_id_claim'], unique=False)
    # An unconfirmed account holds no identity number any more (anyone can type anyone's number): the
    # numbers such accounts hold become claims, attached when their email is confirmed.
    op.execute(
        'UPDATE users SET personal_id_claim = personal_id, personal_id = NULL '
        'WHERE email_confirmed_at IS NULL AND personal_id IS NOT NULL'
    )


def downgrade():
    # Claims go back to the old column where that keeps it unique (a refused claim is lost).
    op.execute(
        'UPDATE users SET personal_id = personal_id_claim WHERE personal_id IS NULL '
        'AND personal_id_claim NOT IN (SELECT personal_id FROM users WHERE personal_id IS NOT NULL) '
        'AND personal_id_claim IN (SELECT personal_id_claim FROM users GROUP BY personal_id_claim '
        'HAVING count(*) = 1)'
    )
    op.drop_index(op.f('ix_users_personal_id_claim'), table_name='users')
    if op.get_bind().dialect.name == 'sqlite':
        op.execute('ALTER TABLE users DROP COLUMN personal_id_claim')
    else:
        op.drop_column('users', 'personal_id_claim')
