"""national portal sync: acknowledgements per dossier, the outbox of pushes, results' stable links

Revision ID: 0030
Revises: 0029
Create Date: 2026-11-30 00:10:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0030'
down_revision = '0029'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'national_portal_syncs',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('dossier_id', sa.Integer(), nullable=False),
        sa.Column('national_code', sa.String(length=40), nullable=False),
        sa.Column('filed_on_portal', sa.Boolean(), nullable=False),
        sa.Column('first_acknowledged_at', sa.DateTime(), nullable=True),
        sa.Column('last_acknowledged_at', sa.DateTime(), nullable=True),
        sa.Column('last_url', sa.String(length=20), nullable=True),
        sa.Column('last_status_code', sa.SmallInteger(), nullable=True),
        sa.Column('last_answer', sa.Text(), nullable=True),
        sa.Column('progress_through', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['dossier_id'], ['dossiers.id'], name=op.f('fk_national_portal_syncs_dossier_id_dossiers')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_national_portal_syncs')),
        sa.UniqueConstraint('dossier_id', name=op.f('uq_national_portal_syncs_dossier_id')),
    )
    op.create_index(op.f('ix_national_portal_syncs_national_code'), 'national_portal_syncs', ['national_code'], unique=False)
    op.create_table(
        'national_portal_jobs',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('dossier_id', sa.Integer(), nullable=False),
        sa.Column('history_id', sa.Integer(), nullable=True),
        sa.Column('event', sa.String(length=30), nullable=False),
        sa.Column('status', sa.String(length=10), nullable=False),
        sa.Column('answer', sa.Text(), nullable=True),
        sa.Column('acknowledged_at', sa.DateTime(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('error', sa.Text(), nullable=True),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('next_attempt_at', sa.DateTime(), nullable=True),
        sa.Column('locked_until', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['dossier_id'], ['dossiers.id'], name=op.f('fk_national_portal_jobs_dossier_id_dossiers')),
        sa.ForeignKeyConstraint(['history_id'], ['dossier_events.id'], name=op.f('fk_national_portal_jobs_history_id_dossier_events')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_national_portal_jobs')),
    )
    op.create_index(op.f('ix_national_portal_jobs_dossier_id'), 'national_portal_jobs', ['dossier_id'], unique=False)
    op.create_index(op.f('ix_national_portal_jobs_status'), 'national_portal_jobs', ['status'], unique=False)
    op.create_table(
        'national_result_links',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('document_id', sa.Integer(), nullable=False),
        sa.Column('token', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['document_id'], ['issued_documents.id'], name=op.f('fk_national_result_links_document_id_issued_documents')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_national_result_links')),
        sa.UniqueConstraint('document_id', name=op.f('uq_national_result_links_document_id')),
        sa.UniqueConstraint('token', name=op.f('uq_national_result_links_token')),
    )


def downgrade():
    op.drop_table('national_result_links')
    op.drop_index(op.f('ix_national_portal_jobs_status'), table_name='national_portal_jobs')
    op.drop_index(op.f('ix_national_portal_jobs_dossier_id'), table_name='national_portal_jobs')
    op.drop_table('national_portal_jobs')
    op.drop_index(op.f('ix_national_portal_syncs_national_code'), table_name='national_portal_syncs')
    op.drop_table('national_portal_syncs')
