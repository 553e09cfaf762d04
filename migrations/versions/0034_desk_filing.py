"""desk and post filing: the postmark date, scans marked as digitised, the reception checklist

Revision ID: 0034
Revises: 0033
Create Date: 2026-11-30 03:30:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0034'
down_revision = '0033'
branch_labels = None
depends_on = None


def upgrade():
    # Plain ADD / DROP COLUMN (SQLite 3.35+ does both in place for a column without a key or index): a
    # batch rebuild of `dossiers` would lose its status CHECK and the worklists' partial indexes, and
    # dropping a table others refer to fails with foreign keys enforced (see 0032).
    op.add_column('dossiers', sa.Column('postmarked_on', sa.Date(), nullable=True))
    op.add_column('dossier_files', sa.Column('digitised', sa.Boolean(), nullable=False, server_default=sa.false()))
    op.create_table(
        'reception_checks',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('dossier_id', sa.Integer(), nullable=False),
        sa.Column('document_key', sa.String(length=60), nullable=False),
        sa.Column('verdict', sa.String(length=10), nullable=False),
        sa.Column('reason', sa.Text(), nullable=True),
        sa.Column('checked_by_id', sa.Integer(), nullable=False),
        sa.Column('checked_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['checked_by_id'], ['users.id'], name=op.f('fk_reception_checks_checked_by_id_users')),
        sa.ForeignKeyConstraint(['dossier_id'], ['dossiers.id'], name=op.f('fk_reception_checks_dossier_id_dossiers')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_reception_checks')),
        sa.UniqueConstraint('dossier_id', 'document_key', name=op.f('uq_reception_checks_dossier_id')),
    )
    op.create_index(op.f('ix_reception_checks_dossier_id'), 'reception_checks', ['dossier_id'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_reception_checks_dossier_id'), table_name='reception_checks')
    op.drop_table('reception_checks')
    op.drop_column('dossier_files', 'digitised')
    op.drop_column('dossiers', 'postmarked_on')
