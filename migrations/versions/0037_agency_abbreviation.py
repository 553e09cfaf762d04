"""agency abbreviation: the receiving unit's abbreviation in "Lưu: VT, ..." of forms 01-05

Revision ID: 0037
Revises: 0036
Create Date: 2026-11-30 04:05:00

"""

from alembic import op
import sqlalchemy as sa


revision = "0037"
down_revision = "0036"
branch_labels = None
depends_on = None


def upgrade():
    # A plain ALTER TABLE on both databases: a batch rebuild of agencies would break the dossiers'
    # references to it on SQLite.
    op.add_column(
        "agencies", sa.Column("abbreviation", sa.String(length=20), server_default="", nullable=False)
    )


def downgrade():
    op.drop_column("agencies", "abbreviation")  # SQLite 3.35+ drops a column in place
