"""receipts per Decree 254/2026: a school's receipt settings, the outbox of receipt data to the tax authority

Revision ID: 0033
Revises: 0032
Create Date: 2026-11-30 01:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0033'
down_revision = '0032'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('schools') as batch:
        batch.add_column(sa.Column('tuition_document', sa.String(length=10), nullable=False, server_default='receipt'))
        batch.add_column(sa.Column('receipt_form_symbol', sa.String(length=5), nullable=False, server_default='EBL01'))
        batch.add_column(sa.Column('receipt_series_letters', sa.String(length=2), nullable=True))
    op.create_table(
        'tax_transmissions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('document_id', sa.Integer(), nullable=False),
        sa.Column('status', sa.String(length=10), nullable=False),
        sa.Column('message_id', sa.String(length=46), nullable=True),
        sa.Column('message', sa.Text(), nullable=True),
        sa.Column('answer', sa.Text(), nullable=True),
        sa.Column('acknowledged_at', sa.DateTime(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('error', sa.Text(), nullable=True),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('next_attempt_at', sa.DateTime(), nullable=True),
        sa.Column('locked_until', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['document_id'], ['issued_documents.id'], name=op.f('fk_tax_transmissions_document_id_issued_documents')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_tax_transmissions')),
        sa.UniqueConstraint('document_id', name=op.f('uq_tax_transmissions_document_id')),
    )
    op.create_index(op.f('ix_tax_transmissions_status'), 'tax_transmissions', ['status'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_tax_transmissions_status'), table_name='tax_transmissions')
    op.drop_table('tax_transmissions')
    with op.batch_alter_table('schools') as batch:
        batch.drop_column('receipt_series_letters')
        batch.drop_column('receipt_form_symbol')
        batch.drop_column('tuition_document')
