"""Decision 766's indicators per receiving agency and for the province (issue 14), on a counted data set
of two agencies, every ratio computed by hand; the provincial staff see every agency's, a commune's
officials their own only."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from service.agencies import operations as agency_operations
from service.agencies import queries as agency_queries
from service.database import begin_write
from service.dossiers.models import Dossier
from service.extensions import db
from service.quality import agency_indicators, indicators
from service.quality.models import FEEDBACK_KINDS, Feedback, Rating
from tests.factories import (
    PERSON_PROCEDURE,
    create_citizen,
    create_dossier,
    create_official,
    login,
    queries_to_get,
)

NOVEMBER = indicators.Period(date(2026, 11, 1), date(2026, 11, 30))
AS_OF = date(2026, 11, 30)
PROVINCE = agency_queries.PROVINCIAL_KEY


def decided(owner, agency_id: int, on_time: bool, channel: str = "online") -> Dossier:
    """Received on 10/11 and decided on 20/11 (the indicators read only these columns)."""
    dossier = create_dossier(owner, submitted=True)
    begin_write()
    record = db.session.get(Dossier, dossier.id)
    record.agency_id, record.channel, record.status = agency_id, channel, "returned"
    record.received_at, record.decided_at = datetime(2026, 11, 10, 3), datetime(2026, 11, 20, 3)
    record.due_date = date(2026, 11, 24)
    record.completed_on_time = on_time
    db.session.commit()
    return record


@pytest.fixture
def two_agencies():
    """The provincial centre: 3 decided (2 on time; 2 online, 1 at the desk). A commune's centre: 2
    decided (1 on time; both online), the on-time one rated unsatisfied."""
    ward = agency_queries.commune_choices()[0][0]
    begin_write()
    province, commune = agency_operations.ensure_province(), agency_operations.ensure_choice(ward)
    db.session.commit()
    province_id, commune_id = province.id, commune.id
    owner = create_citizen()
    decided(owner, province_id, True)
    decided(owner, province_id, True)
    decided(owner, province_id, False, channel="desk")
    rated = decided(owner, commune_id, True)
    decided(owner, commune_id, False)
    begin_write()
    db.session.add(Rating(dossier_id=rated.id, procedure_code=PERSON_PROCEDURE, overall=1, scores={}))
    db.session.commit()
    return ward


def ratio(agency: str | None, key: str) -> float | None:
    return agency_indicators.card_for(NOVEMBER, agency, today=AS_OF).found[key].ratio


def test_each_agencys_ratios_and_the_provinces_are_counted_apart(two_agencies):
    ward = two_agencies
    # resolved on time: province 2/3, commune 1/2, all 3/5
    assert [ratio(PROVINCE, "resolved_on_time"), ratio(ward, "resolved_on_time")] == [0.6667, 0.5]
    assert ratio(None, "resolved_on_time") == 0.6
    # filed online: 2/3, 2/2, 4/5
    assert [ratio(PROVINCE, "filed_online"), ratio(ward, "filed_online"), ratio(None, "filed_online")] == [
        0.6667,
        1.0,
        0.8,
    ]
    # service satisfaction (received − late or rated unsatisfied) / received: (3−1)/3, (2−2)/2, (5−3)/5
    assert [ratio(PROVINCE, "satisfied"), ratio(ward, "satisfied"), ratio(None, "satisfied")] == [
        0.6667,
        0.0,
        0.4,
    ]


def test_a_communes_procedures_offered_are_its_commune_level_ones(two_agencies):
    ward = two_agencies
    commune = agency_indicators.card_for(NOVEMBER, ward, today=AS_OF).found["procedures_online"]
    everyone = agency_indicators.card_for(NOVEMBER, None, today=AS_OF).found["procedures_online"]
    # 2.002284 (commune level), 2.001959 and 1.005144 (commune-level variants): 3 of the catalogue
    assert commune.denominator == 3 and everyone.denominator > commune.denominator


def test_the_provincial_staff_see_every_agency_and_the_total(client, two_agencies):
    ward = two_agencies
    login(client, create_official("leader"))
    page = client.get("/officials/stats?from=2026-11-01&to=2026-11-30").get_data(as_text=True)
    table = page[page.index('data-testid="agency-indicators"') :]
    assert f'data-agency="{PROVINCE}"' in table and f'data-agency="{ward}"' in table
    assert 'data-agency="total"' in table


def test_a_commune_sees_its_own_indicators_only(client, two_agencies):
    ward = two_agencies
    login(client, create_official("leader", agency=ward))
    page = client.get(f"/officials/stats?from=2026-11-01&to=2026-11-30&agency={PROVINCE}").get_data(
        as_text=True
    )
    table = page[page.index('data-testid="agency-indicators"') :]
    assert f'data-agency="{ward}"' in table
    assert f'data-agency="{PROVINCE}"' not in table and 'data-agency="total"' not in table
    assert 'data-testid="by-agency"' not in page  # nor the other agencies' counts
    assert f'<option value="{PROVINCE}"' not in page


@pytest.fixture
def three_agencies(two_agencies):
    """The two agencies, and a second commune's centre: 2 decided (1 on time at the desk, 1 late online),
    feedback filed on the on-time one on 15/11 and answered on time."""
    ward = two_agencies
    other = agency_queries.commune_choices()[1][0]
    begin_write()
    other_id = agency_operations.ensure_choice(other).id
    db.session.commit()
    owner = create_citizen()
    complained = decided(owner, other_id, True, channel="desk")
    decided(owner, other_id, False)
    begin_write()
    db.session.add(
        Feedback(
            dossier_id=complained.id,
            procedure_code=PERSON_PROCEDURE,
            kind=next(iter(FEEDBACK_KINDS)),
            content="Cán bộ hướng dẫn chưa rõ.",
            created_at=datetime(2026, 11, 15, 3),
            due_date=date(2026, 11, 28),
            answer="Đã hướng dẫn lại.",
            answered_at=datetime(2026, 11, 17, 3),
            answered_on_time=True,
        )
    )
    db.session.commit()
    return ward, other


def shown(cards: list, key: str | None, indicator: str) -> float | None:
    return next(c for c in cards if c.key == key).found[indicator].ratio


def test_a_third_agency_is_counted_apart_in_the_grouped_table(three_agencies):
    ward, other = three_agencies
    cards = agency_indicators.by_agency(NOVEMBER, today=AS_OF)
    assert [c.key for c in cards] == [PROVINCE, *sorted([ward, other], key=lambda k: names_of()[k]), None]
    # resolved on time: province 2/3, first commune 1/2, second 1/2, all 4/7
    assert [shown(cards, k, "resolved_on_time") for k in (PROVINCE, ward, other, None)] == [
        0.6667,
        0.5,
        0.5,
        0.5714,
    ]
    # filed online: 2/3, 2/2, 1/2, 5/7
    assert [shown(cards, k, "filed_online") for k in (PROVINCE, ward, other, None)] == [
        0.6667,
        1.0,
        0.5,
        0.7143,
    ]
    # feedback answered on time: none anywhere but the second commune's 1/1
    assert [shown(cards, k, "feedback_on_time") for k in (PROVINCE, ward, other, None)] == [
        None,
        None,
        1.0,
        1.0,
    ]
    # satisfaction: (3−1)/3, (2−2)/2, (2−2)/2 (one late, one complained about), (7−5)/7
    assert [shown(cards, k, "satisfied") for k in (PROVINCE, ward, other, None)] == [0.6667, 0.0, 0.0, 0.2857]


def names_of() -> dict[str, str]:
    return dict(agency_indicators.agency_keys())


def test_the_grouped_table_gives_each_agency_what_its_own_computation_gives(three_agencies):
    for grouped in agency_indicators.by_agency(NOVEMBER, today=AS_OF):
        alone = agency_indicators.card_for(NOVEMBER, grouped.key, today=AS_OF)
        assert grouped.name == alone.name
        assert {k: i.as_json() for k, i in grouped.found.items()} == {
            k: i.as_json() for k, i in alone.found.items()
        }
        assert (grouped.card.score, grouped.card.attainable) == (alone.card.score, alone.card.attainable)


def test_the_per_agency_table_costs_the_same_queries_for_2_or_12_agencies(client, two_agencies):
    login(client, create_official("leader"))
    url = "/officials/stats?from=2026-11-01&to=2026-11-30"
    queries_to_get(client, url)  # a first visit reads what is then kept (the catalogue's caches)
    two = queries_to_get(client, url)
    owner = create_citizen()
    for ward, _ in agency_queries.commune_choices()[1:11]:
        begin_write()
        commune_id = agency_operations.ensure_choice(ward).id
        db.session.commit()
        decided(owner, commune_id, True)
    page = client.get(url).get_data(as_text=True)
    assert page.count("data-agency=") >= 2 * 13  # both agency tables list the 12 agencies (and the total)
    assert queries_to_get(client, url) == two
