"""school-decided dossiers: an application the learner's school decides (1.005144 at a public
institution, LAW-2026 §2) names that school

Revision ID: 0035
Revises: 0034
Create Date: 2026-11-30 03:40:00

"""

from alembic import op
import sqlalchemy as sa


revision = "0035"
down_revision = "0034"
branch_labels = None
depends_on = None


def _sqlite() -> bool:
    return op.get_bind().dialect.name == "sqlite"


def upgrade():
    # Added in place, as 0028 added agency_id: no batch rebuild of `dossiers` (other tables reference
    # it, and a rebuild would lose 0027's status CHECK and the worklists' partial indexes).
    if _sqlite():
        if "school_id" not in {c["name"] for c in sa.inspect(op.get_bind()).get_columns("dossiers")}:
            op.execute("ALTER TABLE dossiers ADD COLUMN school_id INTEGER REFERENCES schools (id)")
    else:
        op.add_column("dossiers", sa.Column("school_id", sa.Integer(), nullable=True))
        op.create_foreign_key(
            op.f("fk_dossiers_school_id_schools"), "dossiers", "schools", ["school_id"], ["id"]
        )
    op.create_index(op.f("ix_dossiers_school_id"), "dossiers", ["school_id"], unique=False)


def downgrade():
    op.drop_index(op.f("ix_dossiers_school_id"), table_name="dossiers")
    if _sqlite():
        # SQLite drops no column that has a foreign key (see 0028): the column stays, emptied, for an
        # upgrade to take as it is.
        op.execute("UPDATE dossiers SET school_id = NULL")
        return
    op.drop_constraint(op.f("fk_dossiers_school_id_schools"), "dossiers", type_="foreignkey")
    op.drop_column("dossiers", "school_id")
