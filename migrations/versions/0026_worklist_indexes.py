"""dossiers: partial indexes for the officials' worklists (keyset pages), phone and trigram name search

Revision ID: 0026
Revises: 0025
Create Date: 2026-11-29 20:45:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0026'
down_revision = '0025'
branch_labels = None
depends_on = None

# As in service/dossiers/models.py: the worklists' order (a dossier without a due date sorts last), and
# each list's condition written with its values, so that the planner can match a query to its index.
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


def upgrade():
    for name, columns, where in WORKLISTS:
        op.create_index(
            name, 'dossiers', [*columns, SORT_KEY, 'id'],
            postgresql_where=sa.text(where), sqlite_where=sa.text(where),
        )
    op.create_index('ix_dossiers_lookup_phone', 'dossiers', ['lookup_phone'])
    op.create_index('ix_users_phone', 'users', ['phone'])
    if op.get_bind().dialect.name == 'postgresql':
        # The test and production databases are created by a role allowed to add the extension.
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        op.create_index(
            'ix_dossiers_applicant_name_trgm', 'dossiers', ['applicant_name'],
            postgresql_using='gin', postgresql_ops={'applicant_name': 'gin_trgm_ops'},
        )


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.drop_index('ix_dossiers_applicant_name_trgm', table_name='dossiers')
    op.drop_index('ix_users_phone', table_name='users')
    op.drop_index('ix_dossiers_lookup_phone', table_name='dossiers')
    for name, _columns, _where in reversed(WORKLISTS):
        op.drop_index(name, table_name='dossiers')
