"""agencies: receiving agencies at two levels (the provincial centre, each commune's); officials and
dossiers belong to one (None: the provincial centre, as before)

Revision ID: 0028
Revises: 0026
Create Date: 2026-11-29 23:40:00

"""

from alembic import op
import sqlalchemy as sa


revision = "0028"
down_revision = "0026"
branch_labels = None
depends_on = None

SORT_KEY = sa.text("coalesce(due_date, '9999-12-31')")
NOT_DRAFT = "status != 'draft'"


def upgrade():
    op.create_table(
        "agencies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=30), nullable=False),
        sa.Column("level", sa.String(length=10), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("ward_code", sa.Integer(), nullable=True),
        sa.Column("address", sa.String(length=255), nullable=False),
        sa.Column("phone", sa.String(length=30), nullable=False),
        sa.Column("issuer_parent", sa.String(length=200), nullable=False),
        sa.Column("issuer_name", sa.String(length=200), nullable=False),
        sa.Column("deciding_body", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["parent_id"], ["agencies.id"], name=op.f("fk_agencies_parent_id_agencies")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agencies")),
        sa.UniqueConstraint("code", name=op.f("uq_agencies_code")),
        sa.UniqueConstraint("ward_code", name=op.f("uq_agencies_ward_code")),
    )
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("agency_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_users_agency_id"), ["agency_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_users_agency_id_agencies"), "agencies", ["agency_id"], ["id"]
        )
    with op.batch_alter_table("dossiers", schema=None) as batch_op:
        batch_op.add_column(sa.Column("agency_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_dossiers_agency_id_agencies"), "agencies", ["agency_id"], ["id"]
        )
    # A commune's officials read their lists along this index (service/dossiers/models.py).
    op.create_index(
        "ix_dossiers_worklist_agency",
        "dossiers",
        ["agency_id", SORT_KEY, "id"],
        postgresql_where=sa.text(NOT_DRAFT),
        sqlite_where=sa.text(NOT_DRAFT),
    )


def downgrade():
    op.drop_index("ix_dossiers_worklist_agency", table_name="dossiers")
    with op.batch_alter_table("dossiers", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_dossiers_agency_id_agencies"), type_="foreignkey")
        batch_op.drop_column("agency_id")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_users_agency_id_agencies"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_users_agency_id"))
        batch_op.drop_column("agency_id")
    op.drop_table("agencies")
