"""agencies: receiving agencies at two levels (the provincial centre, each commune's); officials and
dossiers belong to one (None: the provincial centre, as before)

Revision ID: 0028
Revises: 0027
Create Date: 2026-11-29 23:40:00

"""

from alembic import op
import sqlalchemy as sa


revision = "0028"
down_revision = "0027"
branch_labels = None
depends_on = None

SORT_KEY = sa.text("coalesce(due_date, '9999-12-31')")
NOT_DRAFT = "status != 'draft'"


def _sqlite() -> bool:
    return op.get_bind().dialect.name == "sqlite"


def upgrade():
    if _sqlite() and sa.inspect(op.get_bind()).has_table("agencies"):
        _add_references()  # left, emptied, by a downgrade on SQLite (see downgrade)
        return
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
    _add_references()


def _add_references():
    # Added in place (no batch rebuild of `users` or `dossiers`: other tables reference them, and
    # SQLite refuses to drop a referenced table while foreign keys are enforced).
    for table in ("users", "dossiers"):
        if op.get_bind().dialect.name == "sqlite":
            if "agency_id" in {c["name"] for c in sa.inspect(op.get_bind()).get_columns(table)}:
                continue  # left, empty, by a downgrade on SQLite (see downgrade)
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
    if _sqlite():
        # SQLite drops no column that has a foreign key, and rebuilding `dossiers` would lose the
        # worklists' partial indexes and the status CHECK of 0027 (the columns' table must stay for
        # the next rebuild to reflect them): every row goes back to the provincial centre, the agencies
        # are deleted, and the empty column and table stay for an upgrade to take as they are.
        for table in ("dossiers", "users"):
            op.execute(f"UPDATE {table} SET agency_id = NULL")
        op.execute("DELETE FROM agencies")
        return
    for table in ("dossiers", "users"):
        op.drop_constraint(op.f(f"fk_{table}_agency_id_agencies"), table, type_="foreignkey")
        op.drop_column(table, "agency_id")
    op.drop_table("agencies")
