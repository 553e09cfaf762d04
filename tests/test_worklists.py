"""Officials' worklists: per role, filtered, searched, sorted by due date, paginated, constant queries."""

from __future__ import annotations

from datetime import timedelta

from service.backoffice.queries import PAGE_SIZE
from service.database import begin_write
from service.dossiers import processing
from service.dossiers.models import Dossier
from service.extensions import db
from service.timeutil import local_today
from tests.factories import (
    create_citizen,
    create_dossier,
    create_official,
    create_organisation,
    login,
    queries_to_get,
)


def received(dossier, reception, due_in_days: int | None = None):
    processing.act(dossier.id, reception, "receive", {}, None)
    if due_in_days is not None:
        begin_write()
        db.session.get(Dossier, dossier.id).due_date = local_today() + timedelta(days=due_in_days)
        db.session.commit()
    return db.session.get(Dossier, dossier.id)


def codes_in(page: str, dossiers) -> list[str]:
    return [d.code for d in dossiers if d.code in page]


def test_reception_sees_what_waits_for_reception(client):
    reception = create_official("reception")
    waiting = create_dossier(create_citizen(), submitted=True)
    done = received(create_dossier(create_citizen(), submitted=True), reception)
    login(client, reception)
    page = client.get("/officials/dossiers").get_data(as_text=True)
    assert waiting.code in page and done.code not in page


def test_due_soon_and_overdue_lists_sorted_by_due_date(client):
    reception = create_official("reception")
    later = received(create_dossier(create_citizen(), submitted=True), reception, due_in_days=20)
    soon = received(create_dossier(create_citizen(), submitted=True), reception, due_in_days=1)
    late = received(create_dossier(create_citizen(), submitted=True), reception, due_in_days=-3)
    login(client, reception)
    overdue = client.get("/officials/dossiers?list=overdue").get_data(as_text=True)
    assert codes_in(overdue, [later, soon, late]) == [late.code]
    assert "Quá hạn" in overdue
    due_soon = client.get("/officials/dossiers?list=due_soon").get_data(as_text=True)
    assert codes_in(due_soon, [later, soon, late]) == [soon.code]
    everything = client.get("/officials/dossiers?list=all").get_data(as_text=True)
    assert everything.index(late.code) < everything.index(soon.code) < everything.index(later.code)


def test_search_by_code_name_identity_number_and_phone(client):
    reception = create_official("reception")
    citizen = create_citizen(full_name="Phạm Thị Tìm Thấy", phone="0977000111", personal_id="089077000111")
    target = create_dossier(citizen, submitted=True)
    other = create_dossier(create_citizen(), submitted=True)
    login(client, reception)
    for query in (target.code, "Tìm Thấy", "089077000111", "0977 000 111"):
        page = client.get("/officials/dossiers", query_string={"list": "all", "q": query}).get_data(
            as_text=True
        )
        assert codes_in(page, [target, other]) == [target.code], query


def test_filters_by_procedure_and_status(client):
    reception = create_official("reception")
    person = create_dossier(create_citizen(), submitted=True)
    organisation = create_dossier(create_organisation(), submitted=True)
    login(client, reception)
    page = client.get(
        "/officials/dossiers", query_string={"list": "all", "procedure": organisation.procedure_version.code}
    ).get_data(as_text=True)
    assert codes_in(page, [person, organisation]) == [organisation.code]
    page = client.get("/officials/dossiers", query_string={"list": "all", "status": "received"}).get_data(
        as_text=True
    )
    assert codes_in(page, [person, organisation]) == []


def test_a_specialist_sees_only_their_dossiers_and_leaders_see_proposals(client):
    reception, specialist, leader = (
        create_official("reception"),
        create_official("specialist"),
        create_official("leader"),
    )
    mine = received(create_dossier(create_citizen(), submitted=True), reception)
    theirs = received(create_dossier(create_citizen(), submitted=True), reception)
    processing.act(mine.id, reception, "assign", {"assignee_id": specialist.id}, None)
    processing.act(mine.id, specialist, "start_appraisal", {}, None)
    processing.act(mine.id, specialist, "propose", {"decision": "approve", "draft": "x"}, None)
    login(client, specialist)
    page = client.get("/officials/dossiers?list=all").get_data(as_text=True)
    assert codes_in(page, [mine, theirs]) == [mine.code]
    client.submit("/account/logout")
    client._csrf = None
    login(client, leader)
    page = client.get("/officials/dossiers").get_data(as_text=True)
    assert codes_in(page, [mine, theirs]) == [mine.code]


def test_bulk_assignment(client):
    reception, specialist = create_official("reception"), create_official("specialist")
    dossiers = [received(create_dossier(create_citizen(), submitted=True), reception) for _ in range(3)]
    login(client, reception)
    data = [("dossier_ids", str(d.id)) for d in dossiers] + [("assignee_id", str(specialist.id))]
    page = client.submit("/officials/dossiers/assign", data, follow_redirects=True).get_data(as_text=True)
    assert "Đã phân công 3 hồ sơ" in page
    assert {db.session.get(Dossier, d.id).assignee_id for d in dossiers} == {specialist.id}


def test_bulk_assignment_to_a_non_specialist_is_refused(client):
    reception = create_official("reception")
    dossier = received(create_dossier(create_citizen(), submitted=True), reception)
    login(client, reception)
    data = [("dossier_ids", str(dossier.id)), ("assignee_id", str(reception.id))]
    page = client.submit("/officials/dossiers/assign", data, follow_redirects=True).get_data(as_text=True)
    assert "Chỉ phân công cho tài khoản chuyên viên" in page
    assert db.session.get(Dossier, dossier.id).assignee_id is None


def test_pages_of_twenty_five(client):
    reception = create_official("reception")
    citizen = create_citizen()
    for _ in range(PAGE_SIZE + 2):
        create_dossier(citizen, submitted=True)
    login(client, reception)
    first = client.get("/officials/dossiers?list=all").get_data(as_text=True)
    second = client.get("/officials/dossiers?list=all&page=2").get_data(as_text=True)
    assert f"{PAGE_SIZE + 2} hồ sơ" in first
    assert first.count('href="/dossiers/') == PAGE_SIZE and second.count('href="/dossiers/') == 2


def test_a_worklist_costs_the_same_number_of_queries_whatever_its_length(app, client):
    reception = create_official("reception")
    login(client, reception)

    received(create_dossier(create_citizen(), submitted=True), reception)
    few = queries_to_get(client, "/officials/dossiers?list=all")
    for _ in range(5):
        received(create_dossier(create_citizen(), submitted=True), reception)
    assert queries_to_get(client, "/officials/dossiers?list=all") == few
