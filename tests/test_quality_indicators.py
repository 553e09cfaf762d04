"""The Decision 766 indicators and the statistics table on constructed data whose answers are known by
hand, the public page without personal data, the API, and its bad input."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from service.database import begin_write
from service.dossiers.models import Dossier, DossierFile
from service.extensions import db
from service.quality import indicators
from service.quality.models import Feedback, Rating
from tests.factories import PERSON_PROCEDURE, create_citizen, create_dossier

NOVEMBER = indicators.Period(date(2026, 11, 1), date(2026, 11, 30))


def utc(day: str, hour: int = 3) -> datetime:
    """A time on that day in Vietnam (03:00 UTC is 10:00 local)."""
    return datetime.fromisoformat(day).replace(hour=hour)


def processed(owner, **fields) -> Dossier:
    """A submitted dossier whose life is set by hand (the statistics only read these columns)."""
    paper = not fields.pop("files", True)
    dossier = create_dossier(owner, submitted=True)
    begin_write()
    record = db.session.get(Dossier, dossier.id)
    if paper:  # filed on paper at the desk: nothing electronic attached
        db.session.execute(db.delete(DossierFile).where(DossierFile.dossier_id == record.id))
    for name, value in fields.items():
        setattr(record, name, value)
    db.session.commit()
    return record


@pytest.fixture
def november():
    owner = create_citizen()
    a = processed(
        owner,
        status="returned",
        received_at=utc("2026-10-20"),
        decided_at=utc("2026-11-05"),
        completed_on_time=True,
        due_date=date(2026, 11, 10),
        returned_at=utc("2026-11-06"),
        return_method="electronic",
    )  # carried over, resolved on time, electronic result
    b = processed(
        owner,
        status="returned",
        received_at=utc("2026-11-03"),
        decided_at=utc("2026-11-20"),
        completed_on_time=False,
        due_date=date(2026, 11, 17),
        returned_at=utc("2026-11-21"),
        return_method="post",
        national_sync_at=utc("2026-11-03", 5),
    )  # received and resolved late
    processed(owner, status="processing", received_at=utc("2026-11-10"), due_date=date(2026, 11, 25))  # late
    processed(
        owner, status="processing", received_at=utc("2026-11-25"), due_date=date(2026, 12, 1)
    )  # nearly late
    processed(
        owner, status="processing", received_at=utc("2026-11-28"), due_date=date(2026, 12, 20)
    )  # not due
    processed(
        owner,
        status="returned",
        received_at=utc("2026-10-01"),
        decided_at=utc("2026-10-15"),
        completed_on_time=True,
    )  # finished before the period: not counted
    processed(owner, status="processing", received_at=utc("2026-12-02"))  # after the period
    processed(
        owner,
        status="withdrawn",
        received_at=utc("2026-11-12"),
        withdrawn_at=utc("2026-11-14"),
        channel="desk",
        files=False,
    )  # received at the desk on paper, then withdrawn
    # A dossier received at 23:30 on 30/11 in Vietnam is November's (16:30 UTC).
    processed(
        owner, status="processing", received_at=datetime(2026, 11, 30, 16, 30), due_date=date(2026, 12, 20)
    )
    begin_write()
    db.session.add_all([
        Rating(dossier_id=a.id, procedure_code=PERSON_PROCEDURE, overall=5, scores={}, created_at=utc("2026-11-07")),
        Rating(dossier_id=b.id, procedure_code=PERSON_PROCEDURE, overall=2, scores={}, created_at=utc("2026-11-22")),
        Feedback(dossier_id=a.id, procedure_code=PERSON_PROCEDURE, kind="phan_anh", content="x" * 20,
                 created_at=utc("2026-11-02"), due_date=date(2026, 11, 16), answer="y" * 20,
                 answered_at=utc("2026-11-10"), answered_on_time=True, satisfied=True),
        Feedback(dossier_id=b.id, procedure_code=PERSON_PROCEDURE, kind="kien_nghi", content="x" * 20,
                 created_at=utc("2026-10-20"), due_date=date(2026, 11, 3), answer="y" * 20,
                 answered_at=utc("2026-11-12"), answered_on_time=False),
    ])  # fmt: skip
    db.session.commit()
    return owner


def by_key(found) -> dict:
    return {i.key: i for i in found}


def test_the_indicators_match_the_hand_count(november):
    found = by_key(indicators.indicators(NOVEMBER))
    expected = {
        "resolved_on_time": (1, 2), "electronic_result": (1, 2), "digitised": (5, 6), "filed_online": (5, 6),
        "synchronised": (1, 6), "satisfied": (1, 2), "feedback_on_time": (1, 2), "feedback_satisfied": (1, 1),
        "dossiers_paid_online": (0, 0), "services_with_dossiers": (1, found["procedures_online"].denominator),
    }  # fmt: skip
    for key, (numerator, denominator) in expected.items():
        assert (found[key].numerator, found[key].denominator) == (numerator, denominator), key
    assert found["average_processing_days"].numerator == 16.5  # (16 + 17) / 2 days
    assert found["resolved_on_time"].ratio == 0.5 and found["dossiers_paid_online"].ratio is None
    assert all(i.formula for i in found.values())


def test_the_statistics_table_matches_the_hand_count(november):
    table = indicators.statistics(NOVEMBER)
    [row] = table.rows
    assert (row.received, row.carried, row.total) == (6, 1, 7)
    assert (row.in_progress_late, row.in_progress_nearly_late, row.in_progress_not_due) == (1, 1, 2)
    assert (row.completed_late, row.completed_on_time, row.stopped) == (
        1,
        1,
        1,
    )  # the paper one was withdrawn
    assert row.total == row.in_progress + row.completed + row.stopped  # every dossier in one column
    assert row.late_rate == 2 / 7 and table.total.total == 7


def test_a_period_cutting_through_a_dossiers_life(november):
    """Seen from 1 to 15 November: B is still in progress (decided on the 20th), due on the 17th (nearly
    late), C due on the 25th (not due)."""
    table = indicators.statistics(indicators.Period(date(2026, 11, 1), date(2026, 11, 15)))
    [row] = table.rows
    assert (row.received, row.carried) == (3, 1)  # B, C, the paper one; A carried over
    assert (row.completed_on_time, row.completed_late) == (1, 0)
    assert (row.in_progress_late, row.in_progress_nearly_late, row.in_progress_not_due) == (0, 1, 1)


def test_the_api_returns_each_indicator_and_refuses_bad_ranges(client, november):
    answer = client.get(
        "/api/v1/stats/indicators", query_string={"from": "2026-11-01", "to": "2026-11-30"}
    ).json
    found = {i["key"]: i for i in answer["indicators"]}
    assert found["resolved_on_time"] == {
        **found["resolved_on_time"],
        "numerator": 1,
        "denominator": 2,
        "ratio": 0.5,
    }
    one = client.get("/api/v1/stats/indicators",
                     query_string={"from": "2026-11-01", "to": "2026-11-30", "procedure": PERSON_PROCEDURE}).json  # fmt: skip
    assert {i["key"]: i for i in one["indicators"]}["filed_online"]["numerator"] == 5
    for query, status in [
        ({"from": "2026-11-30", "to": "2026-11-01"}, 400), ({"from": "2025-01-01", "to": "2026-11-30"}, 400),
        ({"from": "hôm qua", "to": "2026-11-30"}, 400), ({}, 400),
        ({"from": "2026-11-01", "to": "2026-11-30", "procedure": "KHONG-CO"}, 404),
    ]:  # fmt: skip
        response = client.get("/api/v1/stats/indicators", query_string=query)
        assert response.status_code == status and response.json["error"], query


def test_the_public_page_shows_figures_and_no_personal_data(client, november):
    page = client.get("/thong-ke", query_string={"from": "2026-11-01", "to": "2026-11-30"}).get_data(
        as_text=True
    )
    assert "Hồ sơ giải quyết trước hạn, đúng hạn" in page and "50%" in page
    codes = db.session.scalars(db.select(Dossier.code)).all()
    names = db.session.scalars(db.select(Dossier.applicant_name)).all()
    assert not any(code and code in page for code in codes)
    assert not any(name and name in page for name in names)
    assert november.email not in page and november.full_name not in page
    bad = client.get("/thong-ke", query_string={"from": "2026-11-30", "to": "2026-11-01"})
    assert bad.status_code == 400 and "trước ngày bắt đầu" in bad.get_data(as_text=True)


def test_officials_export_the_tables_and_the_monthly_report(client, november):
    import io

    from openpyxl import load_workbook

    from tests.factories import create_official, login

    login(client, create_official("leader"))
    query = {"from": "2026-11-01", "to": "2026-11-30"}
    page = client.get("/officials/stats", query_string=query)
    assert page.status_code == 200 and "Tỷ lệ trễ hạn" in page.get_data(as_text=True)
    sheet = load_workbook(
        io.BytesIO(client.get("/officials/stats", query_string={**query, "format": "statistics"}).data)
    ).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][2] == "Tiếp nhận trong kỳ" and rows[-1][1] == "Tổng cộng" and rows[-1][4] == 7
    indicators_sheet = client.get("/officials/stats", query_string={**query, "format": "indicators"})
    assert indicators_sheet.mimetype.endswith("spreadsheetml.sheet")
    pdf = client.get("/officials/stats/monthly.pdf", query_string={"month": "2026-11"})
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF-")
    from tests.test_documents import text_of

    text = text_of(pdf.data)
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text and "Tình hình giải quyết" in text
    assert client.get("/officials/stats/monthly.pdf", query_string={"month": "tháng 11"}).status_code == 400


def test_citizens_do_not_see_the_officials_dashboard(client):
    from tests.factories import login

    login(client, create_citizen())
    assert client.get("/officials/stats").status_code == 403
    assert client.get("/officials/feedback").status_code == 403
