"""exemption rule sets: revoking an exemption (who, why); invoicing runs count the students held back

Exemption categories and rates are data now (catalogue/exemptions/*.toml); existing rows keep their
category code and are judged against the rule set of the term billed.

Revision ID: 0023
Revises: 0022
Create Date: 2026-11-29 18:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0023'
down_revision = "0022"
branch_labels = None
depends_on = None


def upgrade():
    # No batch rebuild: invoice_lines reference exemptions while foreign keys are enforced, so SQLite
    # could not drop and recreate the table on a populated database. SQLite adds the column with its
    # named foreign key inline (Alembic cannot ALTER constraints there).
    if op.get_bind().dialect.name == 'sqlite':
        op.execute('ALTER TABLE exemptions ADD COLUMN revoked_by_id INTEGER '
                   'CONSTRAINT fk_exemptions_revoked_by_id_users REFERENCES users (id)')
    else:
        op.add_column('exemptions', sa.Column('revoked_by_id', sa.Integer(), nullable=True))
        op.create_foreign_key(op.f('fk_exemptions_revoked_by_id_users'), 'exemptions', 'users',
                              ['revoked_by_id'], ['id'])
    op.add_column('exemptions', sa.Column('revoke_reason', sa.Text(), nullable=True))
    op.add_column('invoice_runs', sa.Column('held_count', sa.Integer(), server_default='0', nullable=False))


def downgrade():
    if op.get_bind().dialect.name != 'sqlite':
        op.drop_constraint(op.f('fk_exemptions_revoked_by_id_users'), 'exemptions', type_='foreignkey')
    for table, column in (('invoice_runs', 'held_count'), ('exemptions', 'revoke_reason'),
                          ('exemptions', 'revoked_by_id')):
        if op.get_bind().dialect.name == 'sqlite':
            op.execute(f'ALTER TABLE {table} DROP COLUMN {column}')
        else:
            op.drop_column(table, column)
