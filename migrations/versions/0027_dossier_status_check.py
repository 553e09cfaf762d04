"""dossiers.status accepts only the dossier workflow's states (a CHECK constraint from DossierStatus)

Revision ID: 0027
Revises: 0026
Create Date: 2026-11-30 00:10:00

The values are written out here, as they were when this revision was made (workflows/states.py
DossierStatus): a later change of the workflow's states comes with its own revision.

SQLite cannot add a constraint to a table: the batch rebuilds `dossiers` (copy, drop, rename), the way
SQLite's documentation prescribes (https://www.sqlite.org/lang_altertable.html, "other kinds of table
schema changes"): with foreign-key enforcement off, since dropping a table that other rows reference
would otherwise fail (or delete them), and a foreign_key_check before the rebuild commits. The rebuild
reflects the table's indexes, and SQLite cannot reflect an index on an expression, so the worklists'
partial indexes of 0026 (on coalesce(due_date, ...)) would be lost with the old table: they are made
again after it, exactly as 0026 made them. PostgreSQL adds the constraint in place.
"""
from alembic import op
import sqlalchemy as sa


revision = '0027'
down_revision = '0026'
branch_labels = None
depends_on = None

CHECKS = {
    ('dossiers', 'status'): (
        'draft', 'submitted', 'received', 'supplement_requested', 'refused', 'assigned', 'under_appraisal',
        'proposed', 'forwarded', 'approved', 'denied', 'awaiting_payment', 'returned', 'withdrawn',
        'stop_requested', 'stopped', 'closed',
    ),
}

# As 0026 made them (its SORT_KEY and WORKLISTS).
SORT_KEY = sa.text("coalesce(due_date, '9999-12-31')")
NOT_DRAFT = "status != 'draft'"
RUNNING = (
    "status IN ('submitted', 'received', 'assigned', 'under_appraisal', 'proposed', 'forwarded', "
    "'approved', 'denied', 'stop_requested')"
)
WORKLISTS = [
    ("ix_dossiers_worklist", [], NOT_DRAFT),
    ("ix_dossiers_worklist_status", ["status"], NOT_DRAFT),
    ("ix_dossiers_worklist_assignee", ["assignee_id"], NOT_DRAFT),
    ("ix_dossiers_worklist_department", ["department_id"], NOT_DRAFT),
    ("ix_dossiers_worklist_running", [], RUNNING),
    ("ix_dossiers_worklist_approval", [], "status IN ('proposed', 'forwarded')"),
    ("ix_dossiers_worklist_to_return", [], "status IN ('approved', 'denied')"),
    ("ix_dossiers_worklist_supplemented", [], "supplement_count > 0 AND status IN ('submitted', 'under_appraisal')"),
]


def _rebuilding() -> bool:
    return op.get_bind().dialect.name == 'sqlite'


def _drop_worklists():
    for name, _columns, _where in WORKLISTS:
        op.drop_index(name, table_name='dossiers')


def _create_worklists():
    for name, columns, where in WORKLISTS:
        op.create_index(
            name, 'dossiers', [*columns, SORT_KEY, 'id'],
            postgresql_where=sa.text(where), sqlite_where=sa.text(where),
        )


def _foreign_keys(state):
    """SQLite reads this pragma outside a transaction only: the migration's work so far commits first."""
    with op.get_context().autocommit_block():
        op.execute(f"PRAGMA foreign_keys={state}")


def _rebuild(change):
    """`change` on PostgreSQL; on SQLite, the table rebuilt with its references kept and checked."""
    if not _rebuilding():
        change()
        return
    _foreign_keys("OFF")
    try:
        _drop_worklists()
        change()
        _create_worklists()
        dangling = op.get_bind().exec_driver_sql("PRAGMA foreign_key_check").all()
        if dangling:
            raise RuntimeError(f"rows reference missing rows after rebuilding dossiers: {dangling[:5]}")
    finally:
        _foreign_keys("ON")


def _add_checks():
    for (table, column), values in CHECKS.items():
        condition = f"{column} IN ({', '.join(repr(v) for v in values)})"
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_check_constraint(op.f(f'ck_{table}_{column}'), condition)


def _drop_checks():
    for table, column in reversed(list(CHECKS)):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(op.f(f'ck_{table}_{column}'), type_='check')


def upgrade():
    _rebuild(_add_checks)


def downgrade():
    _rebuild(_drop_checks)
