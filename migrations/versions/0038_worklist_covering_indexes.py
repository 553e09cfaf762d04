"""dossiers: the worklists' indexes carry status, supplements, assignee, department, agency, school, due date and the
applicant's name (every list's count, page and search read from the index alone)

Revision ID: 0038
Revises: 0037
Create Date: 2026-11-30 07:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0038'
down_revision = '0037'
branch_labels = None
depends_on = None

# As in service/dossiers/models.py (and migrations 0026, 0028): the order, then what the lists'
# conditions (status, supplements, assignee, department), visibility (agency, school) and a search (applicant's
# name) read, and due_date itself, which PostgreSQL's planner wants from the index before it reads
# coalesce(due_date, ...) from it.
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
    ("ix_dossiers_worklist_agency", ["agency_id"], NOT_DRAFT),
    ("ix_dossiers_worklist_running", [], RUNNING),
    ("ix_dossiers_worklist_approval", [], "status IN ('proposed', 'forwarded')"),
    ("ix_dossiers_worklist_to_return", [], "status IN ('approved', 'denied')"),
    ("ix_dossiers_worklist_supplemented", [], "supplement_count > 0 AND status IN ('submitted', 'under_appraisal')"),
]
COVERED = ["status", "supplement_count", "assignee_id", "department_id", "agency_id", "school_id", "due_date", "applicant_name"]


def _recreate(covered):
    for name, columns, where in WORKLISTS:
        op.drop_index(name, table_name='dossiers')
        op.create_index(
            name, 'dossiers', [*columns, SORT_KEY, 'id', *[c for c in covered if c not in columns]],
            postgresql_where=sa.text(where), sqlite_where=sa.text(where),
        )


def upgrade():
    _recreate(COVERED)


def downgrade():
    _recreate([])
