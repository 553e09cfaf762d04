"""Each dossier in a known column: the statistics table and the Decision 766 indicators on a data set
built so that every column and every indicator has dossiers exactly at its edges (the period's first
instant, the due date equal to the last day, two days after it, three), and on an empty period where
every denominator is zero. Complements test_quality_indicators.py, whose November is a typical month."""

from __future__ import annotations

import operator
from datetime import date, datetime

import pytest

from service.database import begin_write
from service.dossiers.models import Dossier, DossierFile
from service.extensions import db
from service.payments.models import PaymentAttempt, PaymentOrder
from service.procedures.models import Procedure
from service.quality import indicators, statistics
from service.quality.models import Feedback, Rating
from tests.factories import PERSON_PROCEDURE, create_citizen, create_dossier, load_catalogue
from tests.support.quality import result_issued

NOVEMBER = indicators.Period(date(2026, 11, 1), date(2026, 11, 30))
START = datetime(2026, 10, 31, 17, 0)  # 01/11 00:00 in Vietnam, as stored (naive UTC)
END = datetime(2026, 11, 30, 17, 0)  # 01/12 00:00 in Vietnam: the first instant after the period
SECOND = datetime(1, 1, 1, 0, 0, 1) - datetime(1, 1, 1)


def utc(day: str, hour: int = 3) -> datetime:
    return datetime.fromisoformat(day).replace(hour=hour)


def dossier(owner, **fields) -> Dossier:
    """A submitted dossier whose life is set by hand (the figures read only these columns)."""
    paper = fields.pop("paper", False)
    made = create_dossier(owner, submitted=True)
    begin_write()
    record = db.session.get(Dossier, made.id)
    if paper:
        db.session.execute(db.delete(DossierFile).where(DossierFile.dossier_id == record.id))
        record.channel = "desk"
    for name, value in fields.items():
        setattr(record, name, value)
    db.session.commit()
    return record


def in_progress(owner, due: date | None) -> Dossier:
    return dossier(owner, status="under_appraisal", received_at=utc("2026-11-05"), due_date=due)


def test_an_empty_period_has_every_denominator_zero_and_no_ratio():
    found = indicators.indicators(NOVEMBER, today=date(2026, 11, 30))
    assert {i.key for i in found} == {
        "synchronised",
        "resolved_on_time",
        "average_processing_days",
        "electronic_result",
        "digitised",
        "procedures_online",
        "services_with_dossiers",
        "filed_online",
        "procedures_paid_online",
        "dossiers_paid_online",
        "feedback_on_time",
        "feedback_satisfied",
        "satisfied",
    }
    for indicator in found:
        assert (indicator.numerator, indicator.denominator, indicator.ratio) == (0, 0, None), indicator.key
        assert indicator.as_json()["ratio"] is None
    assert next(i for i in found if i.key == "synchronised").note.startswith("Chưa kết nối")
    table = statistics.statistics(NOVEMBER)
    assert table.rows == [] and table.total.total == 0 and table.total.late_rate is None


@pytest.fixture
def columns():
    """One dossier per column of the statistics table, most of them exactly at an edge."""
    owner = create_citizen()
    made = {
        "received_at_first_instant": dossier(
            owner, status="received", received_at=START, due_date=date(2026, 12, 20)
        ),
        "carried_by_one_second": dossier(
            owner, status="received", received_at=START - SECOND, due_date=date(2026, 12, 20)
        ),
        "late_by_one_day": in_progress(owner, date(2026, 11, 29)),
        "nearly_late_due_on_the_last_day": in_progress(owner, date(2026, 11, 30)),
        "nearly_late_due_two_days_after": in_progress(owner, date(2026, 12, 2)),
        "not_due_three_days_after": in_progress(owner, date(2026, 12, 3)),
        "not_due_without_a_due_date": in_progress(owner, None),
        "decided_on_time": dossier(
            owner,
            status="approved",
            received_at=utc("2026-11-02"),
            decided_at=utc("2026-11-20"),
            completed_on_time=True,
            due_date=date(2026, 11, 25),
        ),
        "decided_late": dossier(
            owner,
            status="approved",
            received_at=utc("2026-11-02"),
            decided_at=utc("2026-11-27"),
            completed_on_time=False,
            due_date=date(2026, 11, 25),
        ),
        "decided_at_the_first_instant_after": dossier(
            owner,
            status="approved",
            received_at=utc("2026-11-02"),
            decided_at=END,
            completed_on_time=True,
            due_date=date(2026, 12, 20),
        ),
        "withdrawn": dossier(
            owner, status="withdrawn", received_at=utc("2026-11-03"), withdrawn_at=utc("2026-11-04")
        ),
        "stopped": dossier(
            owner, status="stopped", received_at=utc("2026-11-03"), stopped_at=utc("2026-11-10")
        ),
        "closed": dossier(owner, status="closed", received_at=utc("2026-10-10"), closed_at=utc("2026-11-10")),
        "gone_before_the_period": dossier(
            owner, status="withdrawn", received_at=utc("2026-10-03"), withdrawn_at=utc("2026-10-04")
        ),
        "received_after_the_period": dossier(
            owner, status="received", received_at=END, due_date=date(2026, 12, 20)
        ),
    }
    return made


COLUMNS = (
    "received",
    "carried",
    "in_progress_late",
    "in_progress_nearly_late",
    "in_progress_not_due",
    "completed_late",
    "completed_on_time",
    "stopped",
)


def test_each_dossier_lands_in_its_own_column(columns):
    [row] = statistics.statistics(NOVEMBER).rows
    # Received: the first instant, 5 in progress, 3 decided, withdrawn, stopped = 11; carried: the one a
    # second before the period and the closed one (received in October, closed in November).
    assert (row.received, row.carried, row.total) == (11, 2, 13)
    assert (row.in_progress_late, row.in_progress_nearly_late, row.in_progress_not_due) == (1, 2, 5)
    assert (row.completed_late, row.completed_on_time, row.stopped) == (1, 1, 3)
    assert row.total == row.in_progress + row.completed + row.stopped
    assert row.late_rate == 2 / 13
    assert (row.code, row.name) == (
        PERSON_PROCEDURE,
        db.session.get(Dossier, columns["withdrawn"].id).procedure_version.name,
    )
    table = statistics.statistics(NOVEMBER)
    assert (table.total.received, table.total.stopped, table.total.in_progress) == (11, 3, 8)
    columns_of = operator.attrgetter(*COLUMNS)
    assert columns_of(table.total) == columns_of(row)  # the "Tổng cộng" row of one procedure is its row


def test_seen_from_the_next_period_the_edges_move_to_their_next_columns(columns):
    december = indicators.Period(date(2026, 12, 1), date(2026, 12, 31))
    [row] = statistics.statistics(december).rows
    # Received at the first instant of December: the one "after the period"; the decided-at-the-edge one
    # is December's completion; the rest still open are carried over.
    assert row.received == 1 and row.completed_on_time == 1 and row.completed_late == 0
    assert row.carried == 2 + 5 + 1  # the two received ones, five in progress, the one decided on 01/12
    assert row.stopped == 0


def test_a_procedure_or_a_department_filter_keeps_only_its_dossiers(columns):
    assert statistics.statistics(NOVEMBER, procedure="2.000189.000.00.00.H01").rows == []
    assert statistics.statistics(NOVEMBER, procedure=PERSON_PROCEDURE).total.total == 13
    assert statistics.statistics(NOVEMBER, department_id=987654).rows == []


# ---------------------------------------------------------------- payments and satisfaction, at their edges


def paid(dossier_row: Dossier, gateway: str, paid_at: datetime) -> None:
    begin_write()
    order = PaymentOrder(
        reference=f"LP{dossier_row.id:010d}"[:12],
        purpose="dossier_fee",
        dossier_id=dossier_row.id,
        description="Lệ phí",
        amount=100_000,
        status="paid",
        paid_at=paid_at,
    )
    db.session.add(order)
    db.session.flush()
    attempt = PaymentAttempt(
        order_id=order.id,
        gateway=gateway,
        reference=f"TT{dossier_row.id:010d}"[:12],
        amount=100_000,
        status="succeeded",
        created_at=paid_at,
        expires_at=paid_at,
    )
    db.session.add(attempt)
    db.session.flush()
    order.paid_attempt_id = attempt.id
    db.session.commit()


def test_fees_paid_online_count_the_gateways_and_not_the_counter():
    owner = create_citizen()
    load_catalogue()
    begin_write()
    procedure = db.session.scalar(db.select(Procedure).where(Procedure.code == PERSON_PROCEDURE))
    procedure.current_version.fee = 100_000
    db.session.commit()
    for gateway, paid_at in [
        ("vnpay", utc("2026-11-03")),
        ("momo", START),
        ("vietqr", utc("2026-11-20")),
        ("paygov", utc("2026-11-21")),
        ("manual", utc("2026-11-22")),  # at the counter: paid, not online
        ("vnpay", END),  # December's
        ("vnpay", START - SECOND),  # October's
    ]:
        paid(dossier(owner, received_at=utc("2026-11-02")), gateway, paid_at)
    found = {i.key: i for i in indicators.indicators(NOVEMBER, today=date(2026, 11, 30))}
    assert (found["dossiers_paid_online"].numerator, found["dossiers_paid_online"].denominator) == (4, 5)
    assert (found["procedures_paid_online"].numerator, found["procedures_paid_online"].denominator) == (1, 1)


def test_satisfaction_counts_a_rating_of_two_against_and_three_for():
    owner = create_citizen()
    rated = {
        score: dossier(owner, status="returned", received_at=utc("2026-11-02"), completed_on_time=True)
        for score in (1, 2, 3, 5)
    }
    complained = dossier(owner, status="returned", received_at=utc("2026-11-02"), completed_on_time=True)
    late_open = in_progress(owner, date(2026, 11, 29))
    due_today = in_progress(owner, date(2026, 11, 30))
    begin_write()
    for score, row in rated.items():
        db.session.add(Rating(dossier_id=row.id, procedure_code=PERSON_PROCEDURE, overall=score, scores={}))
    db.session.add(
        Feedback(
            dossier_id=complained.id,
            procedure_code=PERSON_PROCEDURE,
            kind="phan_anh",
            content="x" * 20,
            created_at=utc("2026-11-05"),
            due_date=date(2026, 11, 30),
        )
    )
    db.session.commit()
    found = {i.key: i for i in indicators.indicators(NOVEMBER, today=date(2026, 11, 30))}
    # Against: ratings 1 and 2, the complaint, the one open past its due date; the one due today is not late.
    assert (found["satisfied"].numerator, found["satisfied"].denominator) == (7 - 4, 7)
    # The complaint is due today and unanswered: not yet late, not answered on time either.
    assert (found["feedback_on_time"].numerator, found["feedback_on_time"].denominator) == (0, 1)
    assert (found["feedback_satisfied"].numerator, found["feedback_satisfied"].denominator) == (1, 1)
    next_day = {i.key: i for i in indicators.indicators(NOVEMBER, today=date(2026, 12, 1))}
    assert next_day["feedback_satisfied"].numerator == 0
    assert next_day["satisfied"].numerator == 7 - 5  # the one due on the 30th is late from the 1st
    assert due_today.id and late_open.id


def test_the_indicator_groups_carry_the_decisions_names():
    assert indicators.GROUPS == {
        "transparency": "Công khai, minh bạch",
        "progress": "Tiến độ, kết quả giải quyết",
        "digitisation": "Số hóa hồ sơ",
        "online": "Cung cấp dịch vụ trực tuyến",
        "satisfaction": "Mức độ hài lòng",
    }
    found = indicators.indicators(NOVEMBER, today=date(2026, 11, 30))
    assert {i.group for i in found} == set(indicators.GROUPS)


def test_a_department_or_a_procedure_counts_only_its_own_dossiers_and_feedback(columns):
    owner = create_citizen()
    complained = dossier(owner, status="returned", received_at=utc("2026-11-02"), completed_on_time=True)
    begin_write()
    db.session.add(
        Feedback(
            dossier_id=complained.id,
            procedure_code=PERSON_PROCEDURE,
            kind="phan_anh",
            content="x" * 20,
            created_at=utc("2026-11-05"),
            due_date=date(2026, 11, 30),
        )
    )
    db.session.commit()
    everyone = {i.key: i for i in indicators.indicators(NOVEMBER, today=date(2026, 11, 30))}
    assert everyone["filed_online"].denominator == 12 and everyone["feedback_on_time"].denominator == 1
    for scoped in (
        indicators.indicators(NOVEMBER, department_id=987654, today=date(2026, 11, 30)),
        indicators.indicators(NOVEMBER, procedure="2.000189.000.00.00.H01", today=date(2026, 11, 30)),
    ):
        found = {i.key: i for i in scoped}
        for key in ("synchronised", "resolved_on_time", "filed_online", "satisfied", "feedback_on_time"):
            assert found[key].denominator == 0, key
    # One dossier of Phòng A: the department counts it, and not the feedback about another dossier.
    from service.accounts.models import Department

    begin_write()
    department = Department(name="Phòng A", code="PA")
    db.session.add(department)
    db.session.flush()
    db.session.get(Dossier, columns["late_by_one_day"].id).department_id = department.id
    db.session.commit()
    in_a = indicators.indicators(NOVEMBER, department_id=department.id, today=date(2026, 11, 30))
    theirs = {i.key: i for i in in_a}
    assert theirs["filed_online"].denominator == 1 and theirs["feedback_on_time"].denominator == 0
    assert (theirs["satisfied"].numerator, theirs["satisfied"].denominator) == (0, 1)  # it is late
    mine = {
        i.key: i
        for i in indicators.indicators(NOVEMBER, procedure=PERSON_PROCEDURE, today=date(2026, 11, 30))
    }
    assert mine["filed_online"].denominator == 12 and mine["feedback_on_time"].denominator == 1


# ---------------------------------------------------------------- what the public page and the trend show

# Each indicator as the public statistics page names it, with its formula in the name's tooltip and in
# the footnotes (Decision 766/QĐ-TTg's wording, as this system adapts it): pinned, so that a change is made
# on purpose.
PUBLISHED = {
    "synchronised": (
        "Hồ sơ được đồng bộ lên Cổng Dịch vụ công quốc gia",
        "Số hồ sơ tiếp nhận trong kỳ đã đồng bộ / số hồ sơ tiếp nhận trong kỳ",
    ),
    "resolved_on_time": (
        "Hồ sơ giải quyết trước hạn, đúng hạn",
        "Số hồ sơ có kết quả trong kỳ trước hoặc đúng hạn / số hồ sơ có kết quả trong kỳ",
    ),
    "average_processing_days": (
        "Thời gian giải quyết trung bình",
        "Trung bình số ngày làm việc từ ngày tiếp nhận (hoặc ngày nhận đủ hồ sơ bổ sung, khi thời hạn được tính lại) đến ngày có kết quả, của các hồ sơ có kết quả trong kỳ; không tính ngày tiếp nhận, thứ Bảy, Chủ nhật, ngày lễ, Tết và ngày nghỉ được công bố",
    ),
    "electronic_result": (
        "Hồ sơ trả kết quả điện tử",
        "Số hồ sơ trả kết quả trong kỳ bằng bản điện tử / số hồ sơ trả kết quả trong kỳ",
    ),
    "digitised": (
        "Số hóa hồ sơ, kết quả giải quyết",
        "(Số hồ sơ nộp trực tiếp hoặc qua bưu chính tiếp nhận trong kỳ đã được số hóa thành phần hồ sơ + số hồ sơ có kết quả trong kỳ mà kết quả được lưu bản điện tử) / (số hồ sơ nộp trực tiếp hoặc qua bưu chính tiếp nhận trong kỳ + số hồ sơ có kết quả trong kỳ); hồ sơ nộp trực tuyến đã là bản điện tử nên không tính vào phần thành phần hồ sơ",
    ),
    "procedures_online": (
        "Thủ tục cung cấp dịch vụ công trực tuyến",
        "Số thủ tục đang công bố cung cấp dịch vụ công trực tuyến toàn trình hoặc một phần / tổng số thủ tục đang công bố",
    ),
    "services_with_dossiers": (
        "Dịch vụ công trực tuyến có phát sinh hồ sơ",
        "Số thủ tục cung cấp trực tuyến có hồ sơ nộp trực tuyến tiếp nhận trong kỳ / số thủ tục cung cấp trực tuyến (toàn trình hoặc một phần)",
    ),
    "filed_online": (
        "Tỷ lệ hồ sơ nộp trực tuyến",
        "Số hồ sơ tiếp nhận trong kỳ nộp trực tuyến / số hồ sơ tiếp nhận trong kỳ",
    ),
    "procedures_paid_online": (
        "Thủ tục có giao dịch thanh toán trực tuyến",
        "Số thủ tục có phí, lệ phí được thanh toán trực tuyến trong kỳ / số thủ tục có phí, lệ phí",
    ),
    "dossiers_paid_online": (
        "Hồ sơ thanh toán trực tuyến",
        "Số hồ sơ có phí, lệ phí nộp trực tuyến trong kỳ / số hồ sơ đã nộp phí, lệ phí trong kỳ",
    ),
    "feedback_on_time": (
        "Phản ánh, kiến nghị được xử lý đúng hạn",
        "Số phản ánh, kiến nghị nhận trong kỳ được trả lời đúng hoặc trước hạn / tổng số phản ánh, kiến nghị nhận trong kỳ (đã hoặc chưa trả lời)",
    ),
    "feedback_satisfied": (
        "Hài lòng trong xử lý phản ánh, kiến nghị",
        "(Tổng số phản ánh, kiến nghị nhận trong kỳ − số phản ánh, kiến nghị bị đánh giá không hài lòng với câu trả lời hoặc xử lý quá hạn, kể cả chưa trả lời khi đã quá hạn) / tổng số phản ánh, kiến nghị nhận trong kỳ",
    ),
    "satisfied": (
        "Hài lòng trong tiếp nhận, giải quyết thủ tục hành chính",
        "(Tổng số hồ sơ tiếp nhận trong kỳ − số hồ sơ bị đánh giá không hài lòng (mức 1–2), có phản ánh, kiến nghị về việc tiếp nhận, giải quyết, hoặc quá hạn) / tổng số hồ sơ tiếp nhận trong kỳ",
    ),
}


def test_the_public_page_names_each_indicator_with_its_formula(client):
    page = client.get("/thong-ke").get_data(as_text=True)
    for key, (name, formula) in PUBLISHED.items():
        assert f'<abbr title="{formula}">{name}</abbr>' in page, key
        assert f"<li>{formula}." in page, key
    assert {i.key for i in indicators.indicators(NOVEMBER, today=date(2026, 11, 30))} == set(PUBLISHED)


def test_the_twelve_months_trend_counts_each_dossier_in_its_month_in_vietnam(columns):
    """October: the one received a second before November (23:59:59 local), the closed one and the one
    gone before the period; November: the 11 received, of which two decided, one on time. The one
    decided at the first instant of December is not November's."""
    quiet = {"received": 0, "online": None, "decided": 0, "on_time": None}
    assert statistics.monthly_trend(12, date(2026, 11, 30)) == [
        {"month": "12/2025", **quiet},
        *({"month": f"{month:02d}/2026", **quiet} for month in range(1, 10)),
        {"month": "10/2026", "received": 3, "online": 1.0, "decided": 0, "on_time": None},
        {"month": "11/2026", "received": 11, "online": 1.0, "decided": 2, "on_time": 0.5},
    ]


def test_a_result_kept_electronically_counts_for_its_own_dossier_only():
    """Decided in November: A, whose decision this system issued, and B, whose document never came; C's
    decision was issued in October. The results kept electronically in November: A's alone, 1 of 2."""
    owner = create_citizen()
    november = {"status": "approved", "received_at": utc("2026-11-02"), "completed_on_time": True}
    a = dossier(owner, decided_at=utc("2026-11-10"), **november)
    dossier(owner, decided_at=utc("2026-11-12"), **november)
    c = dossier(owner, status="approved", received_at=utc("2026-10-01"), decided_at=utc("2026-10-20"))
    begin_write()
    db.session.add_all([result_issued(a), result_issued(c)])
    db.session.commit()
    found = {i.key: i for i in indicators.indicators(NOVEMBER, today=date(2026, 11, 30))}
    assert (found["digitised"].numerator, found["digitised"].denominator) == (1, 2)
