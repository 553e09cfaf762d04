"""users: VNeID login (TechID, identity level, last VNeID login, date of birth); email optional

Revision ID: 0029
Revises: 0026
Create Date: 2026-11-29 23:45:00

"""

from alembic import op
import sqlalchemy as sa


revision = "0029"
down_revision = "0026"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        # A citizen's account created by a VNeID login may have no email (VNeID need not give one).
        batch_op.alter_column("email", existing_type=sa.String(length=254), nullable=True)
        batch_op.add_column(sa.Column("vneid_tech_id", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("identity_level", sa.SmallInteger(), nullable=True))
        batch_op.add_column(sa.Column("vneid_login_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("birth_date", sa.Date(), nullable=True))
        batch_op.create_unique_constraint(batch_op.f("uq_users_vneid_tech_id"), ["vneid_tech_id"])


def downgrade():
    # The older schema needs an email on every account: a VNeID-only account gets an address that
    # reaches nobody (.invalid, RFC 2606) and keeps its dossiers.
    op.execute("UPDATE users SET email = 'vneid-' || id || '@account.invalid' WHERE email IS NULL")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_users_vneid_tech_id"), type_="unique")
        batch_op.drop_column("birth_date")
        batch_op.drop_column("vneid_login_at")
        batch_op.drop_column("identity_level")
        batch_op.drop_column("vneid_tech_id")
        batch_op.alter_column("email", existing_type=sa.String(length=254), nullable=False)
