"""Hostile and unlucky cases in service quality: the public cache, extreme dates, the department
filter, the trend's months, NUL characters, judging feedback."""

from __future__ import annotations

from datetime import date, datetime

from service.database import begin_write
from service.dossiers.models import Dossier
from service.extensions import db
from service.quality import indicators, statistics
from service.quality.models import CRITERIA, Feedback, Rating
from tests.factories import (
    PERSON_PROCEDURE,
    create_citizen,
    create_dossier,
    create_official,
    login,
    refused,
    row_counts,
)

SCORES = {key: "5" for key in CRITERIA}


def returned_dossier(owner) -> Dossier:
    dossier = create_dossier(owner, submitted=True)
    begin_write()
    record = db.session.get(Dossier, dossier.id)
    record.status = "returned"
    db.session.commit()
    return record


def test_public_page_cache_serves_a_logged_in_users_page_to_everyone(client, other_client):
    """/thong-ke caches the whole rendered page, base.html included: the first visitor's name,
    role menu and CSRF token are served to every later visitor for 10 minutes."""
    official = create_official("leader")
    login(client, official)
    assert client.get("/thong-ke").status_code == 200
    anonymous = other_client.get("/thong-ke").get_data(as_text=True)
    assert official.display_name not in anonymous
    assert "Đăng xuất" not in anonymous and "csrf_token" not in anonymous


def test_api_refuses_year_1_with_400_not_500(client):
    for query in ({"from": "0001-01-01", "to": "0001-01-01"}, {"from": "9999-12-31", "to": "9999-12-31"}):
        response = client.get("/api/v1/stats/indicators", query_string=query)
        assert response.status_code == 400, query
        assert response.json == {"error": "Ngày phải trong khoảng năm 2000 đến năm 2100."}


def test_public_page_refuses_extreme_dates_with_400(client):
    response = client.get("/thong-ke", query_string={"from": "0001-01-01", "to": "0001-01-02"})
    assert (
        response.status_code == 400
        and "Ngày phải trong khoảng năm 2000 đến năm 2100." in response.get_data(as_text=True)
    )


def test_dashboard_refuses_extreme_dates_with_400(client):
    login(client, create_official("leader"))
    response = client.get("/officials/stats", query_string={"from": "9999-12-30", "to": "9999-12-31"})
    assert (
        response.status_code == 400
        and "Ngày phải trong khoảng năm 2000 đến năm 2100." in response.get_data(as_text=True)
    )


def test_monthly_pdf_odd_months(client):
    login(client, create_official("leader"))
    for month in ("2026-13", "0001-01", "9999-12", "abc", "2026-00"):
        response = client.get("/officials/stats/monthly.pdf", query_string={"month": month})
        refused(response, 400)
        assert not response.data.startswith(b"%PDF"), month


def test_department_filter_also_scopes_satisfaction_and_feedback():
    """With ?department_id=, the satisfaction measures count that department's dossiers and their feedback
    only: a dossier of no department, rated and complained about, is the province's, not Phòng A's."""
    from service.accounts.models import Department
    from service.timeutil import local_today, utcnow

    owner = create_citizen()
    dossier = returned_dossier(owner)
    begin_write()
    dept = Department(name="Phòng A", code="PA")
    db.session.add(dept)
    db.session.flush()
    other_dept_id = dept.id
    record = db.session.get(Dossier, dossier.id)
    record.department_id, record.received_at = None, utcnow()  # not this department
    db.session.add(Rating(dossier_id=dossier.id, procedure_code=PERSON_PROCEDURE, overall=1, scores={}))
    db.session.add(
        Feedback(
            dossier_id=dossier.id,
            procedure_code=PERSON_PROCEDURE,
            kind="phan_anh",
            content="x" * 20,
            due_date=date(2030, 1, 1),
        )
    )
    db.session.commit()

    today = indicators.Period(local_today(), local_today())
    province = {i.key: i for i in indicators.indicators(today)}
    assert (province["satisfied"].numerator, province["satisfied"].denominator) == (0, 1)
    assert province["feedback_on_time"].denominator == 1
    found = {i.key: i for i in indicators.indicators(today, department_id=other_dept_id)}
    assert found["satisfied"].denominator == 0 and found["feedback_on_time"].denominator == 0


def test_monthly_trend_has_twelve_months():
    trend = statistics.monthly_trend(12, date(2026, 3, 15))
    assert len(trend) == 12, [m["month"] for m in trend]


def test_rating_comment_with_nul_is_refused_not_500(client):
    owner = create_citizen()
    dossier = returned_dossier(owner)
    login(client, owner)
    response = client.submit(f"/dossiers/{dossier.id}/rating", {**SCORES, "comment": "tốt\x00lắm"})
    assert response.status_code in (302, 400)
    assert row_counts(Rating) == (0,)


def test_feedback_content_with_nul_is_refused_not_500(client):
    owner = create_citizen()
    dossier = create_dossier(owner, submitted=True)
    login(client, owner)
    response = client.submit(
        f"/dossiers/{dossier.id}/feedback", {"kind": "phan_anh", "content": "nội dung\x00 phản ánh dài"}
    )
    assert response.status_code in (302, 400)
    assert row_counts(Feedback) == (0,)


def test_pages_with_filters_work_on_every_database(client):
    owner = create_citizen()
    dossier = returned_dossier(owner)
    begin_write()
    db.session.add(
        Rating(dossier_id=dossier.id, procedure_code=PERSON_PROCEDURE, overall=4, scores={}, comment="ok")
    )
    db.session.commit()
    login(client, create_official("leader"))
    for query in (
        {"procedure": PERSON_PROCEDURE, "department_id": "1"},
        {"procedure": PERSON_PROCEDURE, "format": "statistics"},
        {"procedure": "x" * 300},
        {"department_id": "abc"},
        {"from": "2026-01-01", "to": "2026-12-31"},
    ):
        response = client.get("/officials/stats", query_string=query)
        assert response.status_code in (200, 400), query
        sheet = response.mimetype.endswith("sheet")
        assert sheet or "Tỷ lệ trễ hạn" in response.get_data(as_text=True), query
    ratings = client.get("/officials/ratings")
    assert ratings.status_code == 200 and "ok" in ratings.get_data(as_text=True)  # the comment is listed
    assert client.get("/officials/feedback?show=all").status_code == 200
    public = client.get("/thong-ke", query_string={"procedure": PERSON_PROCEDURE})
    assert public.status_code == 200 and "Hồ sơ giải quyết trước hạn, đúng hạn" in public.get_data(
        as_text=True
    )


def test_an_official_cannot_judge_or_a_stranger_cannot_judge_feedback(client):
    owner, stranger = create_citizen(), create_citizen()
    dossier = create_dossier(owner, submitted=True)
    begin_write()
    fb = Feedback(
        dossier_id=dossier.id,
        procedure_code=PERSON_PROCEDURE,
        kind="phan_anh",
        content="x" * 20,
        due_date=date(2030, 1, 1),
        answer="y" * 20,
        answered_at=datetime(2026, 1, 1),
    )
    db.session.add(fb)
    db.session.commit()
    login(client, stranger)
    refused(client.submit(f"/feedback/{fb.id}/judge", {"satisfied": "yes"}), 404)
    refused(client.submit("/feedback/999999/judge", {"satisfied": "yes"}), 404)
    login(client, create_official("leader"))
    refused(client.submit("/officials/feedback/999999/answer", {"answer": "y" * 20}), 404)
    assert db.session.get(Feedback, fb.id).satisfied is None


def test_judging_without_an_answer_field_changes_nothing(client):
    owner = create_citizen()
    dossier = create_dossier(owner, submitted=True)
    begin_write()
    fb = Feedback(
        dossier_id=dossier.id,
        procedure_code=PERSON_PROCEDURE,
        kind="phan_anh",
        content="x" * 20,
        due_date=date(2030, 1, 1),
        answer="y" * 20,
        answered_at=datetime(2026, 1, 1),
    )
    db.session.add(fb)
    db.session.commit()
    login(client, owner)
    client.submit(f"/feedback/{fb.id}/judge", {"satisfied": "có"})  # neither yes nor no
    assert db.session.get(Feedback, fb.id).satisfied is None
