"""Shared test helpers: documents."""

from __future__ import annotations

import io

import pypdf
import pytest

from service.documents.jobs import run_pending
from service.documents.models import IssuedDocument
from service.dossiers import processing
from service.extensions import db
from tests.factories import create_dossier, create_official


def text_of(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)


def documents_of(dossier, kind=None) -> list[IssuedDocument]:
    query = (
        db.select(IssuedDocument).where(IssuedDocument.dossier_id == dossier.id).order_by(IssuedDocument.id)
    )
    if kind:
        query = query.where(IssuedDocument.kind == kind)
    return db.session.scalars(query).all()


def through(dossier, steps):
    for actor, event, data in steps:
        processing.act(dossier.id, actor, event, data, None)
    run_pending()


@pytest.fixture
def staff():
    return {role: create_official(role) for role in ("reception", "specialist", "leader")}


def granted(owner, staff):
    desk, specialist, leader = staff["reception"], staff["specialist"], staff["leader"]
    dossier = create_dossier(owner, submitted=True)
    through(dossier, [
        (desk, "receive", {}), (desk, "assign", {"assignee_id": specialist.id}), (specialist, "start_appraisal", {}),
        (specialist, "propose", {"decision": "approve", "draft": "Cấp giấy chứng nhận cho đơn vị."}),
        (leader, "approve", {}),
    ])  # fmt: skip
    return dossier
