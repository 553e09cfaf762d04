"""paper dossiers: when their components were digitised at the desk (Decision 766)

Revision ID: 0022
Revises: 0021
Create Date: 2026-11-29 18:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0022'
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade():
    # A nullable column added in place: no table rebuild on SQLite, existing rows stay as they are.
    op.add_column('dossiers', sa.Column('components_digitised_at', sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table('dossiers', schema=None) as batch_op:
        batch_op.drop_column('components_digitised_at')
