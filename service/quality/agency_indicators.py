"""Decision 766's indicators per receiving agency (issue 14: statistics per agency and for the
province): the provincial centre, each commune's centre that exists (a commune's row is made when its
first dossier is filed), and the province's total, each with its ratios and its score against the same
scheme. Who sees which is the views' concern: the provincial staff every agency, a commune its own."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from service.agencies import queries as agency_queries
from service.quality import indicators, scoring
from service.quality.period import Period

# The columns of the per-agency table: the ratios an agency answers for itself.
SHOWN = ("resolved_on_time", "average_processing_days", "filed_online", "feedback_on_time", "satisfied")
PROVINCE_TOTAL = "Toàn tỉnh"


@dataclass
class AgencyCard:
    key: str | None  # None: the province's total
    name: str
    card: scoring.ScoreCard
    found: dict[str, indicators.Indicator]


def agency_keys() -> list[tuple[str, str]]:
    """(statistics key, name) of the provincial centre and of every commune centre with a row."""
    commune_rows = {
        key: name for key, name in agency_queries.names().values() if key != agency_queries.PROVINCIAL_KEY
    }
    return [agency_queries.provincial_key_and_name()] + sorted(commune_rows.items(), key=lambda kv: kv[1])


def card_for(
    period: Period, agency: str | None, procedure: str | None = None, today: date | None = None
) -> AgencyCard:
    """One agency's card (or the province's: `agency` None), from its own full computation."""
    found = indicators.indicators(period, procedure, today=today, agency=agency)
    names = dict(agency_keys())
    return _card(period, agency, names.get(agency, PROVINCE_TOTAL) if agency else PROVINCE_TOTAL, found)


def by_agency(period: Period, procedure: str | None = None, today: date | None = None) -> list[AgencyCard]:
    """One card per agency, then the province's; every agency's counts come from the same grouped
    queries (indicators.indicators_by_agency), so the page's queries do not grow with the agencies."""
    keys = agency_keys()
    found = indicators.indicators_by_agency(period, [key for key, _ in keys], procedure, today)
    cards = [_card(period, key, name, found[key]) for key, name in keys]
    return cards + [card_for(period, None, procedure, today)]


def _card(period: Period, key: str | None, name: str, found: list[indicators.Indicator]) -> AgencyCard:
    return AgencyCard(
        key, name, scoring.score(found, scoring.scheme_for(period.end)), {i.key: i for i in found}
    )


def own_key(official) -> str | None:
    """The statistics key of a commune official's agency; None for the provincial staff (every agency)."""
    agency = getattr(official, "agency", None)
    if agency_queries.is_provincial(agency):
        return None
    return agency_queries.names()[agency.id][0]
