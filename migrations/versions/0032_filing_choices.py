"""filing: the applicant's declaration time, chosen way of receiving the result and postal address

Revision ID: 0032
Revises: 0030
Create Date: 2026-11-30 00:40:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0032'
down_revision = '0030'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('dossiers', sa.Column('delivery_method', sa.String(length=12), nullable=True))
    op.add_column('dossiers', sa.Column('delivery_address', sa.JSON(), nullable=True))
    op.add_column('dossiers', sa.Column('declared_at', sa.DateTime(), nullable=True))


def downgrade():
    # Plain DROP COLUMN (SQLite 3.35+ drops a column without a key or index in place): a batch rebuild
    # of `dossiers` would lose its status CHECK and the worklists' partial indexes.
    for column in ('declared_at', 'delivery_address', 'delivery_method'):
        op.drop_column('dossiers', column)
