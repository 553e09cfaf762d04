"""Decision 766's average processing time in working days: weekends, public holidays and declared days
off do not count, a supplement that restarts the period restarts the count, and the figure costs the
same few queries for ten dossiers as for two."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import event

from service.database import begin_write
from service.deadlines.calendar import declare_day
from service.dossiers.models import Dossier, DossierEvent
from service.extensions import db
from service.quality import indicators
from service.workdays import WorkCalendar
from tests.factories import create_citizen, create_dossier

SPRING = indicators.Period(date(2026, 4, 1), date(2026, 5, 31))


def decided(owner, received: datetime, decided_at: datetime, **fields) -> Dossier:
    dossier = create_dossier(owner, submitted=True)
    begin_write()
    record = db.session.get(Dossier, dossier.id)
    record.status, record.received_at, record.decided_at, record.completed_on_time = (
        "approved",
        received,
        decided_at,
        True,
    )
    for name, value in fields.items():
        setattr(record, name, value)
    db.session.commit()
    return record


def average() -> indicators.Indicator:
    return {i.key: i for i in indicators.indicators(SPRING)}["average_processing_days"]


def test_a_weekend_and_public_holidays_are_not_working_days():
    owner = create_citizen()
    # Wednesday 29/04 to Tuesday 05/05/2026: 30/4 and 1/5 are holidays, 2-3/5 a weekend. Counted from the
    # day after receipt: Monday 4 and Tuesday 5, 2 working days (6 calendar days).
    decided(owner, datetime(2026, 4, 29, 3), datetime(2026, 5, 5, 9))
    # Friday 08/05 to Monday 11/05: 1 working day (3 calendar days).
    decided(owner, datetime(2026, 5, 8, 2), datetime(2026, 5, 11, 8))
    found = average()
    assert found.numerator == 1.5 and found.unit == "ngày làm việc"
    assert "ngày làm việc" in found.formula


def test_a_declared_day_off_does_not_count_either():
    owner = create_citizen()
    decided(owner, datetime(2026, 5, 8, 2), datetime(2026, 5, 12, 8))  # Friday to Tuesday: 2 working days
    assert average().numerator == 2
    declare_day(date(2026, 5, 11), False, "Nghỉ bù (thử)", None)  # as an administrator declares it
    assert average().numerator == 1


def test_a_supplement_during_processing_restarts_the_count():
    """Received 01/04, a supplement asked during processing and answered on Monday 20/04, decided on
    Wednesday 22/04: the period ran again from the 20th, so 2 working days, not 15."""
    owner = create_citizen()
    dossier = decided(owner, datetime(2026, 4, 1, 3), datetime(2026, 4, 22, 3), supplement_stage="processing")
    begin_write()
    db.session.add(
        DossierEvent(
            dossier_id=dossier.id,
            event="supplement",
            from_status="supplement_requested",
            to_status="under_appraisal",
            at=datetime(2026, 4, 20, 2),
        )
    )
    db.session.commit()
    assert average().numerator == 2


def test_no_decided_dossier_shows_no_average(client):
    found = average()
    assert found.denominator == 0 and found.ratio is None


def queries_for(function) -> int:
    """SELECT statements run by `function` (a transaction's BEGIN is not a query about the data)."""
    statements = []

    def count(_connection, _cursor, statement, *_args):
        if statement.lstrip().upper().startswith("SELECT"):
            statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        function()
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    return len(statements)


def test_the_indicators_cost_the_same_queries_for_many_dossiers():
    owner = create_citizen()
    decided(owner, datetime(2026, 4, 29, 3), datetime(2026, 5, 5, 9))
    indicators.indicators(SPRING)  # the calendar's declared days are read once per request
    few = queries_for(lambda: indicators.indicators(SPRING))
    for day in range(1, 11):
        decided(owner, datetime(2026, 4, day, 3), datetime(2026, 5, day + 10, 3))
    db.session.expire_all()
    assert queries_for(lambda: indicators.indicators(SPRING)) == few


def test_the_working_day_index_counts_as_the_calendar_does():
    calendar = WorkCalendar({date(2026, 11, 9): False, date(2026, 11, 14): True})
    index = calendar.index(date(2026, 1, 1), date(2026, 12, 31))
    days = [
        date(2026, 1, 1),
        date(2026, 2, 13),
        date(2026, 4, 29),
        date(2026, 8, 28),
        date(2026, 11, 6),
        date(2026, 11, 20),
        date(2026, 12, 31),
    ]
    for start in days:
        for end in days:
            assert index.between(start, end) == calendar.working_days_between(start, end), (start, end)
