"""The Decision 766 indicators and the statistics table on constructed data whose answers are known by
hand, the public page without personal data, the API, and its bad input."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from service.database import begin_write
from service.dossiers.models import Dossier, DossierFile
from service.extensions import db
from service.procedures.catalogue import CATALOGUE_DIR
from service.procedures.models import Procedure
from service.quality import indicators, statistics
from service.quality.models import Feedback, Rating
from tests.factories import ORGANISATION_PROCEDURE, PERSON_PROCEDURE, create_citizen, create_dossier, refused
from tests.support.quality import result_issued

NOVEMBER = indicators.Period(date(2026, 11, 1), date(2026, 11, 30))
AS_OF = date(2026, 11, 30)  # "late" is judged on the period's last day
PROCEDURES = len(list(CATALOGUE_DIR.glob("*.toml")))
PARTIAL, PAPER_ONLY, WITHDRAWN = "1.000138.000.00.00.H01", ORGANISATION_PROCEDURE, "1.000159.000.00.00.H01"


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


def feedback(dossier, created: str, due: date, answered: str | None = None, **fields) -> Feedback:
    on_time = None if answered is None else utc(answered).date() <= due
    return Feedback(
        dossier_id=dossier.id,
        procedure_code=PERSON_PROCEDURE,
        kind="phan_anh",
        content="x" * 20,
        created_at=utc(created),
        due_date=due,
        answer=answered and "y" * 20,
        answered_at=answered and utc(answered),
        answered_on_time=on_time,
        **fields,
    )


def catalogue_levels() -> None:
    """Of the catalogue's procedures: one offered online only in part, one offered on paper only (not
    online), one no longer published. Changed on their stored versions, as a new import would."""
    begin_write()
    for code, level in ((PARTIAL, "partial"), (PAPER_ONLY, "none")):
        version = db.session.scalar(db.select(Procedure).where(Procedure.code == code)).current_version
        version.content = {**version.content, "online_level": level}
    db.session.scalar(db.select(Procedure).where(Procedure.code == WITHDRAWN)).is_published = False
    db.session.commit()


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
    processed(
        owner, status="under_appraisal", received_at=utc("2026-11-10"), due_date=date(2026, 11, 25)
    )  # late
    d = processed(
        owner, status="under_appraisal", received_at=utc("2026-11-25"), due_date=date(2026, 12, 1)
    )  # nearly late
    processed(
        owner, status="under_appraisal", received_at=utc("2026-11-28"), due_date=date(2026, 12, 20)
    )  # not due
    processed(
        owner,
        status="returned",
        received_at=utc("2026-10-01"),
        decided_at=utc("2026-10-15"),
        completed_on_time=True,
    )  # finished before the period: not counted
    processed(owner, status="under_appraisal", received_at=utc("2026-12-02"))  # after the period
    processed(
        owner,
        status="withdrawn",
        received_at=utc("2026-11-12"),
        withdrawn_at=utc("2026-11-14"),
        channel="desk",
        files=False,
        components_digitised_at=utc("2026-11-12"),
    )  # received at the desk on paper, its components scanned there, then withdrawn
    # A dossier received at 23:30 on 30/11 in Vietnam is November's (16:30 UTC).
    processed(
        owner,
        status="under_appraisal",
        received_at=datetime(2026, 11, 30, 16, 30),
        due_date=date(2026, 12, 20),
    )
    catalogue_levels()
    begin_write()
    db.session.add_all(
        [
            Rating(
                dossier_id=a.id,
                procedure_code=PERSON_PROCEDURE,
                overall=5,
                scores={},
                created_at=utc("2026-11-07"),
            ),
            Rating(
                dossier_id=b.id,
                procedure_code=PERSON_PROCEDURE,
                overall=2,
                scores={},
                created_at=utc("2026-11-22"),
            ),
            feedback(
                a, "2026-11-02", date(2026, 11, 16), answered="2026-11-10", satisfied=True
            ),  # on time, satisfied
            feedback(a, "2026-11-09", date(2026, 11, 23)),  # unanswered and past due on the 30th: late
            feedback(
                a, "2026-11-16", date(2026, 11, 30), answered="2026-11-27", satisfied=False
            ),  # on time, not satisfied
            feedback(d, "2026-11-26", date(2026, 12, 10)),  # unanswered, not yet due
            feedback(
                b, "2026-10-20", date(2026, 11, 3), answered="2026-11-12"
            ),  # filed in October: not November's
            result_issued(a),  # A's decision was issued by the system; B's was not (its document job failed)
        ]
    )
    db.session.commit()
    return owner


def by_key(found) -> dict:
    return {i.key: i for i in found}


def test_the_indicators_match_the_hand_count(november):
    """Received in November: B, C, D, E, the paper one (H) and the one of 23:30 on the 30th (I): 6.
    Decided in November: A (on time) and B (late). Returned: A (electronic), B (by post)."""
    found = by_key(indicators.indicators(NOVEMBER, today=AS_OF))
    offered = PROCEDURES - 2  # one unpublished, one on paper only; the partial one counts
    expected = {
        "synchronised": (1, 6),
        "resolved_on_time": (1, 2),
        "electronic_result": (1, 2),
        "filed_online": (5, 6),
        "dossiers_paid_online": (0, 0),
        "procedures_paid_online": (0, 0),
        # Was n ÷ n: now procedures offered online (fully or in part) over all published procedures.
        "procedures_online": (offered, PROCEDURES - 1),
        "services_with_dossiers": (1, offered),
        # Was "dossiers with any file" (5/6, online filing included): now H's paper components, digitised
        # at the desk (1 of 1 paper dossier), and the results kept electronically (A's of A and B): 2/3.
        "digitised": (1 + 1, 1 + 2),
        # Was answered on time ÷ answered in November (1/2, B's October feedback included): now the four
        # filed in November, answered or not, two of them answered by their due date.
        "feedback_on_time": (2, 4),
        # Was satisfied ÷ judged (1/1): now 4 − (the unsatisfied answer + the unanswered one past due) = 2.
        "feedback_satisfied": (2, 4),
        # Was ratings of 4–5 ÷ ratings (1/2): now the 6 received − B (rated 2, and late), C (in progress past
        # its due date) and D (a feedback on its handling) = 3; H, E and I count as satisfied.
        "satisfied": (3, 6),
    }
    for key, (numerator, denominator) in expected.items():
        assert (found[key].numerator, found[key].denominator) == (numerator, denominator), key
    # A: 20/10 to 05/11, B: 03/11 to 20/11 in working days (calendar days were 16 and 17).
    assert found["average_processing_days"].numerator == 12.5  # (12 + 13) / 2
    assert found["average_processing_days"].unit == "ngày làm việc"
    assert found["resolved_on_time"].ratio == 0.5 and found["dossiers_paid_online"].ratio is None
    assert all(i.formula for i in found.values())


def test_unanswered_feedback_becomes_late_only_after_its_due_date(november):
    """Seen on 20/11, the feedback due on the 23rd is not yet late: only the unsatisfied answer counts."""
    found = by_key(indicators.indicators(NOVEMBER, today=date(2026, 11, 20)))
    assert (found["feedback_satisfied"].numerator, found["feedback_satisfied"].denominator) == (3, 4)
    assert (found["satisfied"].numerator, found["satisfied"].denominator) == (4, 6)  # C was due on the 25th


def test_the_statistics_table_matches_the_hand_count(november):
    table = statistics.statistics(NOVEMBER)
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
    table = statistics.statistics(indicators.Period(date(2026, 11, 1), date(2026, 11, 15)))
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
    one = client.get(
        "/api/v1/stats/indicators",
        query_string={"from": "2026-11-01", "to": "2026-11-30", "procedure": PERSON_PROCEDURE},
    ).json
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
    from tests.support.documents import text_of

    text = text_of(pdf.data)
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text and "Tình hình giải quyết" in text
    assert client.get("/officials/stats/monthly.pdf", query_string={"month": "tháng 11"}).status_code == 400


def test_citizens_do_not_see_the_officials_dashboard(client):
    from tests.factories import login

    login(client, create_citizen())
    assert "Tỷ lệ trễ hạn" not in refused(client.get("/officials/stats"), 403)
    refused(client.get("/officials/feedback"), 403)


def test_every_ending_lands_in_exactly_one_column():
    """Walked through the real steps today: received and still open, decided, stopped. Each dossier is
    counted once; a stopped dossier is no longer "in progress" (it was, and after its due date it
    inflated the published late rate). The dashboard, the monthly PDF and /thong-ke all read this table."""
    from service.dossiers import processing
    from service.timeutil import local_today
    from tests.factories import create_official

    desk, specialist, leader = (create_official(r) for r in ("reception", "specialist", "leader"))
    owner = create_citizen()

    def received():
        dossier = create_dossier(owner, submitted=True)
        processing.act(dossier.id, desk, "receive", {}, None)
        return dossier

    _still_open, stopped, decided = received(), received(), received()
    processing.request_stop(stopped.id, owner, "Không còn nhu cầu")
    processing.act(stopped.id, desk, "stop", {}, None)
    for event, data in [
        ("assign", {"assignee_id": specialist.id}),
        ("start_appraisal", {}),
        ("propose", {"decision": "approve", "draft": "Cấp."}),
    ]:
        processing.act(decided.id, desk if event == "assign" else specialist, event, data, None)
    processing.act(decided.id, leader, "approve", {}, None)

    today = local_today()
    table = statistics.statistics(indicators.Period(today.replace(day=1), today))
    row = table.total
    assert (row.received, row.in_progress, row.completed, row.stopped) == (3, 1, 1, 1)
    assert row.received + row.carried == row.in_progress + row.completed + row.stopped  # nobody twice
    assert db.session.get(Dossier, stopped.id).stopped_at is not None
