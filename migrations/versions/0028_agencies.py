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
    # Added in place (no batch rebuild of `users` or `dossiers`: other tables reference them, and
    # SQLite refuses to drop a referenced table while foreign keys are enforced).
    for table in ("users", "dossiers"):
        if op.get_bind().dialect.name == "sqlite":
            op.execute(f"ALTER TABLE {table} ADD COLUMN agency_id INTEGER REFERENCES agencies (id)")
        else:
            op.add_column(table, sa.Column("agency_id", sa.Integer(), nullable=True))
            op.create_foreign_key(op.f(f"fk_{table}_agency_id_agencies"), table, "agencies", ["agency_id"], ["id"])
    op.create_index(op.f("ix_users_agency_id"), "users", ["agency_id"], unique=False)
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
    op.drop_index(op.f("ix_users_agency_id"), table_name="users")
    for table in ("dossiers", "users"):
        if op.get_bind().dialect.name == "sqlite":  # its foreign key is unnamed there: a rebuild drops it
            with op.batch_alter_table(table, schema=None) as batch_op:
                batch_op.drop_column("agency_id")
        else:
            op.drop_constraint(op.f(f"fk_{table}_agency_id_agencies"), table, type_="foreignkey")
            op.drop_column(table, "agency_id")
    op.drop_table("agencies")
