"""Locking an official who still holds dossiers asks where they go (issue 15 item 8): the count is shown,
a colleague of the same role must be chosen, and the dossiers pass to them in the same transaction,
written in each dossier's history and the audit log, the colleague emailed."""

from __future__ import annotations

import html
import re

import pytest

from service.accounts.models import User
from service.audit.models import AuditEntry
from service.database import begin_write
from service.dossiers import processing
from service.dossiers.models import Dossier, DossierEvent
from service.extensions import db
from service.notifications.models import OutboundEmail
from tests.factories import create_citizen, create_dossier, create_official, login


@pytest.fixture
def desk():
    return create_official("reception")


def assigned_to(specialist, desk, appraising: bool = False) -> Dossier:
    dossier = create_dossier(create_citizen(), submitted=True)
    processing.act(dossier.id, desk, "receive", {}, None)
    processing.act(dossier.id, desk, "assign", {"assignee_id": specialist.id}, None)
    if appraising:
        processing.act(dossier.id, specialist, "start_appraisal", {}, None)
    return db.session.get(Dossier, dossier.id)


def finished(dossier: Dossier) -> Dossier:
    begin_write()
    record = db.session.get(Dossier, dossier.id)
    record.status = "returned"
    db.session.commit()
    return record


def fresh(model, record_id):
    db.session.expire_all()
    return db.session.get(model, record_id)


def emails_to(user) -> list[OutboundEmail]:
    db.session.expire_all()
    return db.session.scalars(db.select(OutboundEmail).where(OutboundEmail.recipient == user.email)).all()


def test_locking_an_official_who_holds_nothing_works_as_before(client):
    login(client, create_official("admin"))
    idle = create_official("specialist")
    page = client.get("/admin/users").get_data(as_text=True)
    assert f"/admin/users/{idle.id}/active/0" in page and f"/admin/users/{idle.id}/deactivate" not in page
    assert client.submit(f"/admin/users/{idle.id}/active/0").status_code == 302
    assert fresh(User, idle.id).is_active_account is False


def test_the_lock_shows_how_many_dossiers_the_official_holds_and_who_can_take_them(client, desk):
    leaving, colleague = create_official("specialist"), create_official("specialist")
    locked_colleague, leader = create_official("specialist"), create_official("leader")
    begin_write()
    db.session.get(User, locked_colleague.id).is_active_account = False
    db.session.commit()
    assigned_to(leaving, desk), assigned_to(leaving, desk, appraising=True)
    finished(assigned_to(leaving, desk))  # returned: nothing left to do, nothing to hand over
    login(client, create_official("admin"))
    users = client.get("/admin/users").get_data(as_text=True)
    assert "đang giữ 2 hồ sơ chưa giải quyết xong" in users
    assert f'href="/admin/users/{leaving.id}/deactivate"' in users  # not a one-click lock
    assert f"/admin/users/{leaving.id}/active/0" not in users
    page = html.unescape(client.get(f"/admin/users/{leaving.id}/deactivate").get_data(as_text=True))
    assert "Hồ sơ đang giữ: 2" in page
    offered = re.findall(r'<option value="(\d+)"', page)
    assert offered == [str(colleague.id)]  # same role, active, not the one leaving
    assert str(leader.id) not in offered and str(locked_colleague.id) not in offered


def test_locking_without_choosing_who_takes_the_dossiers_is_refused(client, desk):
    leaving, leader = create_official("specialist"), create_official("leader")
    create_official("specialist")
    dossier = assigned_to(leaving, desk)
    login(client, create_official("admin"))
    for data, message in [
        ({}, "Vui lòng chọn cán bộ cùng vai trò đang hoạt động để nhận bàn giao"),
        ({"successor_id": str(leader.id)}, "Chỉ bàn giao cho một cán bộ khác cùng vai trò, đang hoạt động"),
        ({"successor_id": str(leaving.id)}, "Chỉ bàn giao cho một cán bộ khác cùng vai trò, đang hoạt động"),
        ({"successor_id": "99999"}, "Chỉ bàn giao cho một cán bộ khác cùng vai trò, đang hoạt động"),
    ]:
        response = client.submit(f"/admin/users/{leaving.id}/active/0", data)
        assert response.status_code == 400 and message in response.get_data(as_text=True)
    assert fresh(User, leaving.id).is_active_account is True
    assert fresh(Dossier, dossier.id).assignee_id == leaving.id
    assert db.session.scalar(db.select(db.func.count()).where(AuditEntry.event == "account.deactivated")) == 0


def test_the_dossiers_pass_to_the_chosen_colleague_with_the_lock(client, other_client, desk):
    leaving, colleague = create_official("specialist"), create_official("specialist")
    first, second = assigned_to(leaving, desk), assigned_to(leaving, desk, appraising=True)
    done = finished(assigned_to(leaving, desk))
    versions = {d.id: d.version for d in (first, second)}
    login(other_client, leaving)
    login(client, create_official("admin"))
    response = client.submit(f"/admin/users/{leaving.id}/active/0", {"successor_id": str(colleague.id)})
    assert response.status_code == 302
    assert fresh(User, leaving.id).is_active_account is False
    assert other_client.get("/officials/dossiers").status_code in (302, 401)  # the session ended
    for dossier in (first, second):
        moved = fresh(Dossier, dossier.id)
        assert moved.assignee_id == colleague.id and moved.version == versions[dossier.id] + 1
        step = db.session.scalars(
            db.select(DossierEvent)
            .where(DossierEvent.dossier_id == dossier.id)
            .order_by(DossierEvent.id.desc())
        ).first()
        assert step.event == "assign" and step.from_status == step.to_status == moved.status
        assert f"Bàn giao từ {leaving.full_name} cho {colleague.full_name}" in step.note
    assert fresh(Dossier, second.id).status == "under_appraisal"  # the work goes on where it was
    assert fresh(Dossier, done.id).assignee_id == leaving.id  # a finished dossier keeps its history
    [entry] = db.session.scalars(db.select(AuditEntry).where(AuditEntry.event == "account.deactivated")).all()
    assert entry.details["handed_over_to"] == colleague.id
    assert sorted(entry.details["dossiers"]) == sorted([first.code, second.code])
    [email] = emails_to(colleague)
    assert email.subject == f"Bàn giao 2 hồ sơ của {leaving.full_name}"
    assert first.code in email.body_text and second.code in email.body_text
    login(other_client, colleague)
    mine = other_client.get("/officials/dossiers", query_string={"list": "mine"}).get_data(as_text=True)
    assert first.code in mine and second.code in mine
    assert other_client.get(f"/dossiers/{second.id}").status_code == 200


def test_the_only_specialist_holding_dossiers_cannot_be_locked_until_someone_can_take_them(client, desk):
    only = create_official("specialist")
    dossier = assigned_to(only, desk)
    login(client, create_official("admin"))
    page = client.get(f"/admin/users/{only.id}/deactivate").get_data(as_text=True)
    assert "Không có cán bộ nào khác cùng vai trò đang hoạt động" in page
    assert client.submit(f"/admin/users/{only.id}/active/0").status_code == 400
    assert fresh(User, only.id).is_active_account is True
    assert fresh(Dossier, dossier.id).assignee_id == only.id
