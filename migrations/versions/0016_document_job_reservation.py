"""document jobs keep the number, verification code and date reserved for their document

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-29 15:40:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('document_jobs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('number', sa.String(length=60), nullable=True))
        batch_op.add_column(sa.Column('verification_code', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('issued_on', sa.Date(), nullable=True))


def downgrade():
    with op.batch_alter_table('document_jobs', schema=None) as batch_op:
        batch_op.drop_column('issued_on')
        batch_op.drop_column('verification_code')
        batch_op.drop_column('number')
