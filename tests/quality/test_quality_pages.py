"""Ratings and feedback pages that serve (issue 15 item 7): linked from the menu of the roles that use
them, procedures by name, every criterion's average, reception let in; leaders emailed when something
awaits them."""

from __future__ import annotations

import html
import re

import pytest

from service.database import begin_write
from service.dossiers import processing
from service.dossiers.models import Dossier
from service.extensions import db
from service.notifications.models import OutboundEmail
from service.quality import operations
from service.quality.models import CRITERIA, Feedback
from service.timeutil import utcnow
from tests.factories import (
    ORGANISATION_PROCEDURE,
    create_citizen,
    create_dossier,
    create_official,
    create_organisation,
    login,
    procedure_version,
)


def returned_dossier(owner, code: str | None = None) -> Dossier:
    dossier = create_dossier(owner, code=code, submitted=True)
    begin_write()
    record = db.session.get(Dossier, dossier.id)
    record.status, record.received_at = "returned", utcnow()
    db.session.commit()
    return record


def rate(owner, code: str | None = None, comment: str = "", **scores) -> None:
    dossier = returned_dossier(owner, code)
    operations.rate(dossier, owner, {key: 5 for key in CRITERIA} | scores, comment)


def emails_to(user) -> list[OutboundEmail]:
    db.session.expire_all()
    return db.session.scalars(db.select(OutboundEmail).where(OutboundEmail.recipient == user.email)).all()


@pytest.mark.parametrize("role", ["reception", "specialist", "leader", "admin"])
def test_the_ratings_page_is_in_the_menu_of_every_role_that_reads_it(client, role):
    login(client, create_official(role))
    home = client.get("/officials/ratings" if role == "admin" else "/officials/dossiers")
    assert 'href="/officials/ratings"' in home.get_data(as_text=True)
    assert client.get("/officials/ratings").status_code == 200


def test_the_ratings_page_is_not_for_applicants_or_school_staff(client):
    owner = create_citizen()
    login(client, owner)
    assert 'href="/officials/ratings"' not in client.get("/dossiers").get_data(as_text=True)
    assert client.get("/officials/ratings").status_code == 403
    login(client, create_official("accountant"))
    assert client.get("/officials/ratings").status_code == 403


def test_ratings_show_procedure_names_and_the_average_of_every_criterion(client):
    person, organisation = create_citizen(), create_organisation()
    rate(person, convenience=2, attitude=4, comment="Cán bộ hướng dẫn tận tình")
    rate(person, convenience=4, attitude=3, timeliness=1)
    rate(organisation, overall=3, transparency=2)
    login(client, create_official("reception"))  # reception answers the citizens: it reads their ratings
    response = client.get("/officials/ratings")
    page = html.unescape(response.get_data(as_text=True))
    assert response.status_code == 200
    person_name, organisation_name = procedure_version().name, procedure_version(ORGANISATION_PROCEDURE).name
    assert person_name in page and organisation_name in page
    row = re.search(rf"<tr><th scope=\"row\">{re.escape(person_name)}.*?</tr>", page, re.S).group(0)
    cells = re.findall(r"<td>([^<]*)</td>", row)
    # count, then the seven criteria in the form's order: overall, convenience, timeliness, attitude,
    # contacts, transparency, feedback handling
    assert cells == ["2", "5,0", "3,0", "3,0", "3,5", "5,0", "5,0", "5,0"]
    overall = re.search(r'data-testid="criteria-averages".*?</table>', page, re.S).group(0)
    averages = dict(re.findall(r'<th scope="row">([^<]*)</th><td>([^<]*)</td>', overall))
    assert averages == {
        CRITERIA["overall"]: "4,3",
        CRITERIA["convenience"]: "3,7",
        CRITERIA["timeliness"]: "3,7",
        CRITERIA["attitude"]: "4,0",
        CRITERIA["contacts"]: "5,0",
        CRITERIA["transparency"]: "4,0",
        CRITERIA["feedback_handling"]: "5,0",
    }
    assert f"{person_name} – hài lòng chung 5/5: Cán bộ hướng dẫn tận tình" in page


def test_reception_answers_feedback_from_its_menu_and_a_refused_answer_is_kept(client):
    owner = create_citizen()
    dossier = create_dossier(owner, submitted=True)
    feedback = operations.file_feedback(dossier, owner, "kien_nghi", "Đề nghị rút ngắn thời gian thẩm định.")
    login(client, create_official("reception"))
    listing = client.get("/officials/feedback").get_data(as_text=True)
    assert 'href="/officials/feedback"' in listing  # in the menu
    assert procedure_version().name in html.unescape(listing)  # the procedure by name
    short = client.submit(f"/officials/feedback/{feedback.id}/answer", {"answer": "Đã nhận"})
    page = short.get_data(as_text=True)
    assert short.status_code == 400 and "từ 10 đến 4000 ký tự" in page
    assert re.search(rf'<textarea id="answer-{feedback.id}"[^>]*>Đã nhận</textarea>', page)
    answer = "Sở sẽ rà soát quy trình thẩm định trong quý tới."
    assert client.submit(f"/officials/feedback/{feedback.id}/answer", {"answer": answer}).status_code == 302
    assert db.session.get(Feedback, feedback.id).answer == answer


def test_a_leader_is_emailed_when_a_proposal_awaits_approval(people_of_a_department):
    citizen, desk, specialist, leader = people_of_a_department
    dossier = create_dossier(citizen, submitted=True)
    for actor, event, data in [
        (desk, "receive", {}),
        (desk, "assign", {"assignee_id": specialist.id}),
        (specialist, "start_appraisal", {}),
    ]:
        processing.act(dossier.id, actor, event, data, None)
    with pytest.raises(processing.DossierError):  # refused: nothing awaits the leader, nobody is told
        processing.act(dossier.id, specialist, "propose", {"decision": "approve", "draft": ""}, None)
    assert emails_to(leader) == []
    processing.act(dossier.id, specialist, "propose", {"decision": "approve", "draft": "Cấp giấy."}, None)
    [told] = emails_to(leader)
    assert (
        told.subject == f"Hồ sơ {dossier.code}: Chờ lãnh đạo phê duyệt" and "chờ phê duyệt" in told.body_text
    )


@pytest.fixture
def people_of_a_department():
    return (
        create_citizen(),
        create_official("reception"),
        create_official("specialist"),
        create_official("leader"),
    )
