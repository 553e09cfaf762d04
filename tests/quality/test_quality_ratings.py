"""Satisfaction ratings (once per dossier, after the result, only the owner's) and feedback answered
by an official within a deadline, counted in the indicators."""

from __future__ import annotations

from datetime import date

from service.database import begin_write, write
from service.dossiers.models import Dossier
from service.extensions import db
from service.quality import indicators
from service.quality.models import CRITERIA, Feedback, Rating
from service.timeutil import local_today, utcnow
from tests.factories import create_citizen, create_dossier, create_official, last_email, login

SCORES = {key: "5" for key in CRITERIA}


def returned_dossier(owner) -> Dossier:
    dossier = create_dossier(owner, submitted=True)
    begin_write()
    record = db.session.get(Dossier, dossier.id)
    record.status, record.received_at = "returned", utcnow()
    db.session.commit()
    return record


def test_a_citizen_rates_a_returned_dossier_once(client):
    owner = create_citizen()
    dossier = returned_dossier(owner)
    login(client, owner)
    assert "Đánh giá chất lượng phục vụ" in client.get(f"/dossiers/{dossier.id}").get_data(as_text=True)
    missing = client.submit(f"/dossiers/{dossier.id}/rating", {**SCORES, "overall": ""})
    assert missing.status_code == 400 and "Vui lòng chấm từ 1 đến 5" in missing.get_data(as_text=True)
    out_of_range = client.submit(f"/dossiers/{dossier.id}/rating", {**SCORES, "overall": "9"})
    assert out_of_range.status_code == 400
    assert (
        client.submit(
            f"/dossiers/{dossier.id}/rating", {**SCORES, "overall": "4", "comment": "Nhanh"}
        ).status_code
        == 302
    )
    again = client.submit(f"/dossiers/{dossier.id}/rating", {**SCORES, "overall": "1"})
    assert "Bạn đã đánh giá hồ sơ này" in again.get_data(as_text=True)
    [rating] = db.session.scalars(db.select(Rating)).all()
    assert rating.overall == 4 and rating.comment == "Nhanh"
    # Decision 766 counts the dossiers received in the period less those rated unsatisfied (1 or 2).
    today = indicators.Period(local_today(), local_today())
    satisfied = {i.key: i for i in indicators.indicators(today)}["satisfied"]
    assert (satisfied.numerator, satisfied.denominator) == (1, 1)
    begin_write()
    db.session.get(Rating, rating.id).overall = 2
    db.session.commit()
    satisfied = {i.key: i for i in indicators.indicators(today)}["satisfied"]
    assert (satisfied.numerator, satisfied.denominator) == (0, 1)


def test_no_rating_before_the_result_nor_of_someone_elses_dossier(client):
    owner, stranger = create_citizen(), create_citizen()
    waiting = create_dossier(owner, submitted=True)
    login(client, owner)
    early = client.submit(f"/dossiers/{waiting.id}/rating", SCORES)
    assert early.status_code == 409 and "sau khi hồ sơ đã được trả kết quả" in early.get_data(as_text=True)
    done = returned_dossier(owner)
    login(client, stranger)
    assert client.submit(f"/dossiers/{done.id}/rating", SCORES).status_code in (403, 404)
    official = create_official("leader")
    login(client, official)
    assert client.submit(f"/dossiers/{done.id}/rating", SCORES).status_code == 403
    assert db.session.scalar(db.select(db.func.count()).select_from(Rating)) == 0


def test_returning_the_result_invites_the_citizen_to_rate(app):
    from service.dossiers import notices

    owner = create_citizen()
    dossier = returned_dossier(owner)
    with write():  # recorded with a step, as processing.act does
        notices.tell_applicant(dossier, "return_result")
    assert "Mời đánh giá chất lượng phục vụ" in last_email(owner.email).subject


def test_feedback_is_answered_within_its_deadline_and_judged(client, other_client):
    owner = create_citizen()
    dossier = create_dossier(owner, submitted=True)
    login(client, owner)
    short = client.submit(
        f"/dossiers/{dossier.id}/feedback", {"kind": "phan_anh", "content": "ngắn"}, follow_redirects=True
    )
    assert "từ 10 đến 4000 ký tự" in short.get_data(as_text=True)
    client.submit(
        f"/dossiers/{dossier.id}/feedback",
        {"kind": "kien_nghi", "content": "Đề nghị rút ngắn thời gian thẩm định."},
    )
    [feedback] = db.session.scalars(db.select(Feedback)).all()
    assert feedback.due_date > local_today()

    desk = create_official("reception")
    login(other_client, desk)
    assert "Đề nghị rút ngắn" in other_client.get("/officials/feedback").get_data(as_text=True)
    other_client.submit(
        f"/officials/feedback/{feedback.id}/answer",
        {"answer": "Sở sẽ rà soát quy trình thẩm định trong quý tới."},
    )
    twice = other_client.submit(
        f"/officials/feedback/{feedback.id}/answer",
        {"answer": "Trả lời lần hai không được."},
        follow_redirects=True,
    )
    assert "đã được trả lời" in twice.get_data(as_text=True)
    assert "Trả lời kiến nghị" in last_email(owner.email).subject

    stranger = create_citizen()
    login(other_client, stranger)
    assert other_client.submit(f"/feedback/{feedback.id}/judge", {"satisfied": "no"}).status_code == 404
    client.submit(f"/feedback/{feedback.id}/judge", {"satisfied": "yes"})
    db.session.expire_all()
    answered = db.session.get(Feedback, feedback.id)
    assert answered.answered_on_time is True and answered.satisfied is True
    found = {i.key: i for i in indicators.indicators(indicators.Period(local_today(), local_today()))}
    assert (found["feedback_on_time"].numerator, found["feedback_satisfied"].numerator) == (1, 1)


def test_a_late_answer_counts_as_late():
    from service.quality import operations

    owner, desk = create_citizen(), create_official("reception")
    dossier = create_dossier(owner, submitted=True)
    feedback = operations.file_feedback(dossier, owner, "phan_anh", "Cán bộ hẹn nhưng không gọi lại.")
    begin_write()
    db.session.get(Feedback, feedback.id).due_date = date(2026, 1, 5)
    db.session.commit()
    assert (
        operations.answer(feedback.id, desk, "Xin lỗi ông/bà, Sở đã nhắc nhở cán bộ.").answered_on_time
        is False
    )


def test_a_specialist_sees_and_answers_only_feedback_on_dossiers_assigned_to_them(client):
    from service.quality import operations

    owner = create_citizen()
    assigned, other = create_official("specialist"), create_official("specialist")
    dossier = create_dossier(owner, submitted=True)
    begin_write()
    db.session.get(Dossier, dossier.id).assignee_id = assigned.id
    db.session.commit()
    feedback = operations.file_feedback(dossier, owner, "phan_anh", "Hồ sơ của tôi chậm so với giấy hẹn.")
    answer = {"answer": "Sở xin lỗi, hồ sơ sẽ được giải quyết trong tuần này."}

    login(client, other)
    for show in ("open", "all"):
        assert "chậm so với giấy hẹn" not in client.get(f"/officials/feedback?show={show}").get_data(
            as_text=True
        )
    assert client.submit(f"/officials/feedback/{feedback.id}/answer", answer).status_code == 404
    assert db.session.get(Feedback, feedback.id).answered_at is None

    login(client, create_official("leader"))
    assert "chậm so với giấy hẹn" in client.get("/officials/feedback").get_data(as_text=True)
    login(client, assigned)
    assert "chậm so với giấy hẹn" in client.get("/officials/feedback").get_data(as_text=True)
    assert client.submit(f"/officials/feedback/{feedback.id}/answer", answer).status_code == 302
    db.session.expire_all()
    assert db.session.get(Feedback, feedback.id).answered_by_id == assigned.id
