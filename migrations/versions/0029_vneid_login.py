"""users: VNeID login (TechID, identity level, last VNeID login, date of birth); email optional

Revision ID: 0029
Revises: 0028
Create Date: 2026-11-29 23:45:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0029'
down_revision = '0028'
branch_labels = None
depends_on = None

EMAIL_REQUIRED, EMAIL_OPTIONAL = 'email VARCHAR(254) NOT NULL', 'email VARCHAR(254)'


def upgrade():
    # Added in place (no batch rebuild of `users`: other tables reference it, foreign keys enforced).
    op.add_column('users', sa.Column('vneid_tech_id', sa.String(length=64), nullable=True))
    op.add_column('users', sa.Column('identity_level', sa.SmallInteger(), nullable=True))
    op.add_column('users', sa.Column('vneid_login_at', sa.DateTime(), nullable=True))
    op.add_column('users', sa.Column('birth_date', sa.Date(), nullable=True))
    op.create_index(op.f('ix_users_vneid_tech_id'), 'users', ['vneid_tech_id'], unique=True)
    # A citizen's account created by a VNeID login may have no email (VNeID need not give one).
    if op.get_bind().dialect.name == 'sqlite':
        _sqlite_email_column(EMAIL_REQUIRED, EMAIL_OPTIONAL)
    else:
        op.alter_column('users', 'email', existing_type=sa.String(length=254), nullable=True)


def downgrade():
    # The older schema needs an email on every account: a VNeID-only account gets an address that
    # reaches nobody (.invalid, RFC 2606) and keeps its dossiers.
    op.execute("UPDATE users SET email = 'vneid-' || id || '@account.invalid' WHERE email IS NULL")
    if op.get_bind().dialect.name == 'sqlite':
        _sqlite_email_column(EMAIL_OPTIONAL, EMAIL_REQUIRED)
    else:
        op.alter_column('users', 'email', existing_type=sa.String(length=254), nullable=False)
    op.drop_index(op.f('ix_users_vneid_tech_id'), table_name='users')
    for column in ('birth_date', 'vneid_login_at', 'identity_level', 'vneid_tech_id'):
        if op.get_bind().dialect.name == 'sqlite':
            op.execute(f'ALTER TABLE users DROP COLUMN {column}')
        else:
            op.drop_column('users', column)


def _sqlite_email_column(before, after):
    """SQLite cannot alter a column, and a batch rebuild of `users` fails while rows of other tables
    reference it (foreign keys on, inside the migration's transaction). Its documented way to remove a
    NOT NULL constraint (sqlite.org/lang_altertable.html §7) edits the stored CREATE TABLE instead:
    the rows' format does not change."""
    bind = op.get_bind()
    sql = bind.exec_driver_sql("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'users'").scalar_one()
    if before not in sql:
        raise RuntimeError(f'users.email is not declared as {before!r}: {sql}')
    version = bind.exec_driver_sql('PRAGMA schema_version').scalar_one()
    bind.exec_driver_sql('PRAGMA writable_schema = ON')
    bind.execute(
        sa.text("UPDATE sqlite_master SET sql = :sql WHERE type = 'table' AND name = 'users'"),
        {'sql': sql.replace(before, after, 1)},
    )
    bind.exec_driver_sql(f'PRAGMA schema_version = {version + 1}')
    bind.exec_driver_sql('PRAGMA writable_schema = OFF')
