"""The Decision 766 score: the points are data (catalogue/indicators/766.toml), each measured ratio scores
against its rule, the indicators this system cannot measure leave the attainable total, and the pages
and the API show the score out of 100."""

from __future__ import annotations

from datetime import date

import pytest

from service.quality import indicators, scoring
from service.quality.indicators import Indicator
from tests.factories import create_official, load_catalogue, login

SCHEME = scoring.scheme_for(date(2026, 11, 30))
NOT_MEASURED = {"published_on_time": 4, "updated_on_time": 4, "published_complete": 4, "data_reused": 6}


def measured(**counts) -> list[Indicator]:
    """Indicators with the given (numerator, denominator); every other measured one at 0/0."""
    keys = [d.key for d in SCHEME.definitions if d.measured]
    found = []
    for key in keys:
        numerator, denominator = counts.get(key, (0, 0))
        unit = "ngày làm việc" if key == "average_processing_days" else "%"
        found.append(Indicator(key, "", key, numerator, denominator, "…", unit=unit))
    return found


def test_the_scheme_is_the_decisions_hundred_points():
    groups = {key: points for key, (_, points) in SCHEME.groups.items()}
    assert groups == {
        "transparency": 18,
        "progress": 20,
        "digitisation": 22,
        "online": 22,
        "satisfaction": 18,
    }
    assert SCHEME.total_points == 100 and SCHEME.effective_from == date(2022, 6, 23)
    assert {d.key: d.points for d in SCHEME.definitions if not d.measured} == NOT_MEASURED
    assert all(d.reason for d in SCHEME.definitions if not d.measured)


def test_every_indicator_the_system_measures_is_scored():
    """The scheme and the code agree: scoring the real indicators raises nothing and leaves none out."""
    load_catalogue()
    found = indicators.indicators(indicators.Period(date(2026, 11, 1), date(2026, 11, 30)))
    card = scoring.score(found, SCHEME)
    scored = {r.definition.key for g in card.groups for r in g.rows if r.indicator is not None}
    assert scored == {i.key for i in found}


def test_a_score_card_computed_by_hand():
    card = scoring.score(
        measured(
            synchronised=(0, 10),
            resolved_on_time=(9, 10),
            average_processing_days=(7.5, 1),
            electronic_result=(1, 2),
            digitised=(3, 4),
            procedures_online=(13, 13),
            services_with_dossiers=(1, 2),
            filed_online=(3, 4),
            feedback_on_time=(1, 1),
            feedback_satisfied=(0, 1),
            satisfied=(81, 100),
        ),
        SCHEME,
    )
    rows = {r.definition.key: r for g in card.groups for r in g.rows}
    expected = {
        "synchronised": 0,
        "resolved_on_time": 18,  # 20 × 0.9
        "electronic_result": 4,
        "digitised": 6,  # 8 × 0.5, 8 × 0.75
        "procedures_online": 4,
        "services_with_dossiers": 2,
        "filed_online": 3,  # 4 × 1, 4 × 0.5, 4 × 0.75
        "feedback_on_time": 6,
        "feedback_satisfied": 0,
        "satisfied": 5.4,  # 6 × min(1, 0.81 / 0.9): full points at the 90 % target
    }
    assert {key: rows[key].score for key in expected} == expected
    assert rows["average_processing_days"].score is None
    assert rows["average_processing_days"].status == "theo dõi, không tính điểm"
    assert rows["procedures_paid_online"].score is None  # no fee paid in the period
    assert rows["procedures_paid_online"].status == scoring.NOTHING_TO_COUNT
    assert rows["published_on_time"].status == scoring.NOT_MEASURABLE == "không đo được trên hệ thống này"
    assert [(g.key, g.score) for g in card.groups] == [
        ("transparency", 0),
        ("progress", 18),
        ("digitisation", 10),
        ("online", 9),
        ("satisfaction", 11.4),
    ]
    assert card.score == 48.4
    assert card.not_measurable == 18  # 4 + 4 + 4 published at the national database, 6 for reused data
    assert card.nothing_to_count == 10  # the two payment indicators: no fee paid in the period
    assert card.attainable == 72  # 100 − 18 − 10


def scheme_file(tmp_path, indicators_toml: str, **top) -> scoring.Scheme:
    lines = [
        f"{key} = {value}"
        for key, value in {
            "code": '"T"',
            "name": '"Thử"',
            "effective_from": "2026-01-01",
            "total_points": 10,
            **top,
        }.items()
    ]
    path = tmp_path / "t.toml"
    path.write_text("\n".join([*lines, '[groups.g]\nname = "Nhóm"\npoints = 10', indicators_toml]), "utf-8")
    return scoring.load(path)


def test_steps_and_empty_measures_follow_the_data(tmp_path):
    scheme = scheme_file(
        tmp_path,
        """
[[indicators]]
key = "a"
group = "g"
points = 6
scoring = "steps"
steps = [[0.95, 1.0], [0.8, 0.5]]

[[indicators]]
key = "b"
group = "g"
points = 4
""",
        when_empty='"full"',
    )
    for (numerator, denominator), expected in [((96, 100), 6), ((80, 100), 3), ((79, 100), 0)]:
        found = [Indicator("a", "g", "A", numerator, denominator, "…"), Indicator("b", "g", "B", 0, 0, "…")]
        card = scoring.score(found, scheme)
        assert card.score == expected + 4  # b: nothing to count, and this scheme gives it its points
        assert card.attainable == 10


@pytest.mark.parametrize(
    ("toml", "problem"),
    [
        ('[[indicators]]\nkey = "a"\ngroup = "g"\npoints = 9', "do not add up"),
        ('[[indicators]]\nkey = "a"\ngroup = "g"\npoints = 10\nscoring = "magic"', "scoring must be"),
        ('[[indicators]]\nkey = "a"\ngroup = "x"\npoints = 10', "do not add up"),
        (
            '[[indicators]]\nkey = "a"\ngroup = "g"\npoints = 10\nmeasured = false',
            "needs a name and the reason",
        ),
        ('[[indicators]]\nkey = "a"\ngroup = "g"\npoints = 10\ntarget = 1.5', "target must be"),
    ],
)
def test_a_broken_scheme_is_refused_with_its_reason(tmp_path, toml, problem):
    with pytest.raises(scoring.SchemeError, match=problem):
        scheme_file(tmp_path, toml)


def test_the_scheme_in_force_on_the_periods_last_day(monkeypatch, tmp_path):
    older = scheme_file(tmp_path, '[[indicators]]\nkey = "a"\ngroup = "g"\npoints = 10')
    newer = scoring.Scheme(**{**older.__dict__, "code": "N", "effective_from": date(2027, 1, 1)})
    monkeypatch.setattr(scoring, "schemes", lambda: (older, newer))
    assert scoring.scheme_for(date(2026, 12, 31)).code == "T"
    assert scoring.scheme_for(date(2027, 1, 1)).code == "N"
    assert scoring.scheme_for(date(2020, 1, 1)).code == "T"  # before them all: the oldest


def test_a_measured_indicator_missing_from_the_scheme_is_an_error():
    with pytest.raises(scoring.SchemeError, match="differ"):
        scoring.score([*measured(), Indicator("new_one", "online", "Mới", 1, 1, "…")], SCHEME)


def test_the_dashboard_and_the_public_page_show_the_score_out_of_100(client):
    load_catalogue()
    query = {"from": "2026-11-01", "to": "2026-11-30"}
    public = client.get("/thong-ke", query_string=query).get_data(as_text=True)
    login(client, create_official("leader"))
    dashboard = client.get("/officials/stats", query_string=query).get_data(as_text=True)
    for page in (public, dashboard):
        assert "Điểm theo Quyết định số 766/QĐ-TTg" in page and "/100 điểm" in page
        assert 'data-indicator="published_on_time"' in page and "không đo được trên hệ thống này" in page
        assert "18 điểm thuộc các chỉ số <strong>không đo được trên hệ thống này</strong>" in page
        assert "chưa được xác nhận" in page


def test_the_api_returns_the_score_card(client):
    load_catalogue()
    answer = client.get(
        "/api/v1/stats/indicators", query_string={"from": "2026-11-01", "to": "2026-11-30"}
    ).json
    card = answer["score"]
    assert card["total_points"] == 100 and card["not_measurable"] == 18
    rows = {r["key"]: r for r in card["indicators"]}
    assert rows["published_on_time"] == {
        **rows["published_on_time"],
        "measured": False,
        "score": None,
        "status": "không đo được trên hệ thống này",
    }
    assert rows["procedures_online"]["score"] == 4  # every published procedure is offered online
