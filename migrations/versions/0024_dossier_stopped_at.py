"""dossiers: when a stop ended them (the statistics counted stopped dossiers as in progress)

Revision ID: 0024
Revises: 0023
Create Date: 2026-11-29 19:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0024'
down_revision = '0023'
branch_labels = None
depends_on = None


def upgrade():
    # A nullable column added in place (no table rebuild on SQLite), then filled from the history: the
    # time of each stopped dossier's "stop" step.
    op.add_column('dossiers', sa.Column('stopped_at', sa.DateTime(), nullable=True))
    op.execute(
        "UPDATE dossiers SET stopped_at = (SELECT MAX(e.at) FROM dossier_events e "
        "WHERE e.dossier_id = dossiers.id AND e.event = 'stop') WHERE status = 'stopped'"
    )


def downgrade():
    with op.batch_alter_table('dossiers', schema=None) as batch_op:
        batch_op.drop_column('stopped_at')
