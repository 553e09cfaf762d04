"""results by post: shipments of a dossier's result (VNPost), their statuses, the carrier's callbacks
and the outbox of orders

Revision ID: 0036
Revises: 0035
Create Date: 2026-11-30 03:40:00

"""

from alembic import op
import sqlalchemy as sa


revision = "0036"
down_revision = "0035"
branch_labels = None
depends_on = None

STATUSES = "status IN ('requested', 'created', 'delivering', 'delivered', 'failed')"


def upgrade():
    op.create_table(
        "postal_shipments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dossier_id", sa.Integer(), nullable=False),
        sa.Column("order_number", sa.String(length=60), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("item_code", sa.String(length=40), nullable=True),
        sa.Column("carrier_order_id", sa.String(length=60), nullable=True),
        sa.Column("receiver", sa.JSON(), nullable=False),
        sa.Column("requested_by_id", sa.Integer(), nullable=False),
        sa.Column("requested_at", sa.DateTime(), nullable=False),
        sa.Column("accepted_at", sa.DateTime(), nullable=True),
        sa.Column("delivered_at", sa.DateTime(), nullable=True),
        sa.Column("failed_at", sa.DateTime(), nullable=True),
        sa.Column("failure_note", sa.Text(), nullable=True),
        sa.Column("last_status_code", sa.SmallInteger(), nullable=True),
        sa.Column("last_checked_at", sa.DateTime(), nullable=True),
        sa.CheckConstraint(STATUSES, name=op.f("ck_postal_shipments_status")),
        sa.ForeignKeyConstraint(
            ["dossier_id"], ["dossiers.id"], name=op.f("fk_postal_shipments_dossier_id_dossiers")
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_id"], ["users.id"], name=op.f("fk_postal_shipments_requested_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_postal_shipments")),
        sa.UniqueConstraint("item_code", name=op.f("uq_postal_shipments_item_code")),
        sa.UniqueConstraint("order_number", name=op.f("uq_postal_shipments_order_number")),
    )
    op.create_index(op.f("ix_postal_shipments_dossier_id"), "postal_shipments", ["dossier_id"], unique=False)
    op.create_table(
        "postal_shipment_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("shipment_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("status_code", sa.SmallInteger(), nullable=True),
        sa.Column("happened_at", sa.DateTime(), nullable=False),
        sa.Column("source", sa.String(length=10), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["shipment_id"],
            ["postal_shipments.id"],
            name=op.f("fk_postal_shipment_events_shipment_id_postal_shipments"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_postal_shipment_events")),
    )
    op.create_index(
        op.f("ix_postal_shipment_events_shipment_id"), "postal_shipment_events", ["shipment_id"], unique=False
    )
    op.create_table(
        "postal_callbacks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("signature", sa.String(length=64), nullable=False),
        sa.Column("item_code", sa.String(length=40), nullable=False),
        sa.Column("status_code", sa.SmallInteger(), nullable=False),
        sa.Column("outcome", sa.String(length=12), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_postal_callbacks")),
        sa.UniqueConstraint("signature", name=op.f("uq_postal_callbacks_signature")),
    )
    op.create_table(
        "postal_shipment_jobs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("shipment_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("answer", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(), nullable=True),
        sa.Column("locked_until", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["shipment_id"],
            ["postal_shipments.id"],
            name=op.f("fk_postal_shipment_jobs_shipment_id_postal_shipments"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_postal_shipment_jobs")),
    )
    op.create_index(
        op.f("ix_postal_shipment_jobs_shipment_id"), "postal_shipment_jobs", ["shipment_id"], unique=False
    )
    op.create_index(op.f("ix_postal_shipment_jobs_status"), "postal_shipment_jobs", ["status"], unique=False)


def downgrade():
    op.drop_index(op.f("ix_postal_shipment_jobs_status"), table_name="postal_shipment_jobs")
    op.drop_index(op.f("ix_postal_shipment_jobs_shipment_id"), table_name="postal_shipment_jobs")
    op.drop_table("postal_shipment_jobs")
    op.drop_table("postal_callbacks")
    op.drop_index(op.f("ix_postal_shipment_events_shipment_id"), table_name="postal_shipment_events")
    op.drop_table("postal_shipment_events")
    op.drop_index(op.f("ix_postal_shipments_dossier_id"), table_name="postal_shipments")
    op.drop_table("postal_shipments")
