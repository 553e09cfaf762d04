"""The daily deadline digest and the workflow diagrams command."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app

from config import BASE_DIR
from service.backoffice.digest import send_deadline_digests
from service.database import begin_write
from service.dossiers import processing
from service.dossiers.models import Dossier
from service.extensions import db
from service.notifications.models import OutboundEmail
from service.timeutil import local_today
from tests.factories import create_citizen, create_dossier, create_official


def _received_with_due(reception, days: int) -> Dossier:
    dossier = create_dossier(create_citizen(), submitted=True)
    processing.act(dossier.id, reception, "receive", {}, None)
    begin_write()
    db.session.get(Dossier, dossier.id).due_date = local_today() + timedelta(days=days)
    db.session.commit()
    return db.session.get(Dossier, dossier.id)


def digests_to(email: str) -> list[OutboundEmail]:
    return db.session.scalars(db.select(OutboundEmail).where(OutboundEmail.recipient == email)).all()


def test_officials_get_one_digest_a_day_with_what_is_due(app):
    reception, specialist = create_official("reception"), create_official("specialist")
    late = _received_with_due(reception, -2)
    soon = _received_with_due(reception, 1)
    calm = _received_with_due(reception, 30)
    processing.act(late.id, reception, "assign", {"assignee_id": specialist.id}, None)

    result = app.test_cli_runner().invoke(args=["notify-deadlines"])
    assert result.exit_code == 0, result.output
    again = app.test_cli_runner().invoke(args=["notify-deadlines"])
    assert "0 digests sent" in again.output

    [desk_digest] = digests_to(reception.email)
    assert (
        late.code in desk_digest.body_text
        and soon.code in desk_digest.body_text
        and calm.code not in desk_digest.body_text
    )
    assert "QUÁ HẠN (1)" in desk_digest.body_text
    [specialist_digest] = [m for m in digests_to(specialist.email) if "Hồ sơ sắp đến hạn" in m.subject]
    assert late.code in specialist_digest.body_text and soon.code not in specialist_digest.body_text


def test_no_digest_when_nothing_is_due():
    reception = create_official("reception")
    _received_with_due(reception, 30)
    with current_app.test_request_context():
        assert send_deadline_digests(local_today()) == (0, 0)


def test_the_workflow_diagrams_in_the_docs_match_the_code(app, tmp_path):
    result = app.test_cli_runner().invoke(args=["workflows", "diagram", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    for name in ("one_stop", "single_desk"):
        generated = (tmp_path / f"{name}.md").read_text(encoding="utf-8")
        assert "stateDiagram-v2" in generated
        assert generated == (BASE_DIR / "docs" / "workflows" / f"{name}.md").read_text(encoding="utf-8"), (
            "docs/workflows is out of date: run `flask --app wsgi workflows diagram`"
        )
