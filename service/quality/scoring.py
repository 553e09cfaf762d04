"""The Decision 766 score: each indicator's points and scoring rule are data (catalogue/indicators/*.toml,
one file per decision with the date it took effect), so that the points can be corrected when the
Decision's appendix is confirmed without touching code.

A measured indicator scores `points × share`, the share coming from its ratio by the rule the data
names; an indicator this system cannot measure (published at the national database, say) scores
nothing and its points leave the attainable total, which the pages state next to the score.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

from config import BASE_DIR
from service.quality.indicators import Indicator

SCHEMES_DIR = BASE_DIR / "catalogue" / "indicators"
SCORINGS = ("linear", "steps", "none")
NOT_MEASURABLE = "không đo được trên hệ thống này"
NOTHING_TO_COUNT = "không phát sinh trong kỳ"


class SchemeError(ValueError):
    pass


@dataclass(frozen=True)
class Definition:
    key: str
    group: str
    points: float
    measured: bool = True
    name: str = ""  # for the indicators this system does not measure (the others name themselves)
    reason: str = ""
    scoring: str = "linear"
    target: float = 1.0  # linear: the ratio that earns every point
    steps: tuple[tuple[float, float], ...] = ()  # steps: (lowest ratio, share of the points), best first
    unconfirmed: bool = False
    note: str = ""

    def share(self, ratio: float) -> float:
        if self.scoring == "linear":
            return min(1.0, max(0.0, ratio / self.target))
        if self.scoring == "steps":
            return next((share for lowest, share in self.steps if ratio >= lowest), 0.0)
        return 0.0


@dataclass(frozen=True)
class Scheme:
    code: str
    name: str
    short_name: str
    effective_from: date
    total_points: float
    when_empty: str
    groups: dict[str, tuple[str, float]]  # key: (name, points)
    definitions: tuple[Definition, ...]
    notes: tuple[str, ...] = ()


@dataclass
class Scored:
    definition: Definition
    indicator: Indicator | None  # None: not measured here
    score: float | None  # None: not measurable, nothing to count, or not scored

    @property
    def name(self) -> str:
        return self.indicator.name if self.indicator else self.definition.name

    @property
    def status(self) -> str:
        if self.indicator is None:
            return NOT_MEASURABLE
        if self.definition.scoring == "none" or not self.definition.points:
            return "theo dõi, không tính điểm"
        return NOTHING_TO_COUNT if self.score is None else ""

    @property
    def counts(self) -> bool:
        """Whether its points belong to the attainable total."""
        return self.score is not None


@dataclass
class GroupScore:
    key: str
    name: str
    points: float
    rows: list[Scored] = field(default_factory=list)

    @property
    def score(self) -> float:
        return round(sum(r.score for r in self.rows if r.score is not None), 2)

    @property
    def attainable(self) -> float:
        return sum(r.definition.points for r in self.rows if r.counts)


@dataclass
class ScoreCard:
    scheme: Scheme
    groups: list[GroupScore]

    @property
    def score(self) -> float:
        return round(sum(g.score for g in self.groups), 2)

    @property
    def attainable(self) -> float:
        return sum(g.attainable for g in self.groups)

    @property
    def not_measurable(self) -> float:
        return sum(r.definition.points for g in self.groups for r in g.rows if r.indicator is None)

    @property
    def nothing_to_count(self) -> float:
        return self.scheme.total_points - self.attainable - self.not_measurable

    @property
    def unconfirmed(self) -> list[Scored]:
        return [r for g in self.groups for r in g.rows if r.definition.unconfirmed]

    def as_json(self) -> dict[str, Any]:
        return {
            "scheme": self.scheme.short_name,
            "effective_from": self.scheme.effective_from.isoformat(),
            "total_points": self.scheme.total_points,
            "score": self.score,
            "attainable": self.attainable,
            "not_measurable": self.not_measurable,
            "nothing_to_count": self.nothing_to_count,
            "indicators": [_row_json(r) for g in self.groups for r in g.rows],
        }


def _row_json(row: Scored) -> dict[str, Any]:
    return {
        "key": row.definition.key,
        "group": row.definition.group,
        "name": row.name,
        "points": row.definition.points,
        "score": row.score,
        "measured": row.indicator is not None,
        "status": row.status or None,
        "unconfirmed": row.definition.unconfirmed,
    }


# ---------------------------------------------------------------- loading


def load(path: Path) -> Scheme:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise SchemeError(f"{path.name}: {error}") from error
    try:
        scheme = _scheme(data)
    except (KeyError, TypeError, ValueError) as error:
        raise SchemeError(f"{path.name}: {error!r}") from error
    _check(scheme, path.name)
    return scheme


def _scheme(data: dict[str, Any]) -> Scheme:
    groups = {key: (g["name"], float(g["points"])) for key, g in data["groups"].items()}
    return Scheme(
        str(data["code"]),
        data["name"],
        data.get("short_name", data["name"]),
        data["effective_from"],
        float(data["total_points"]),
        data.get("when_empty", "exclude"),
        groups,
        tuple(_definition(d) for d in data["indicators"]),
        tuple(data.get("notes", ())),
    )


def _definition(spec: dict[str, Any]) -> Definition:
    return Definition(
        spec["key"],
        spec["group"],
        float(spec["points"]),
        bool(spec.get("measured", True)),
        spec.get("name", ""),
        spec.get("reason", ""),
        spec.get("scoring", "linear"),
        float(spec.get("target", 1.0)),
        tuple((float(a), float(b)) for a, b in spec.get("steps", ())),
        bool(spec.get("unconfirmed", False)),
        spec.get("note", ""),
    )


def _check(scheme: Scheme, source: str) -> None:
    def fail(message: str) -> None:
        raise SchemeError(f"{source}: {message}")

    if sum(points for _, points in scheme.groups.values()) != scheme.total_points:
        fail("the groups' points do not add up to total_points")
    if scheme.when_empty not in ("exclude", "full"):
        fail("when_empty must be 'exclude' or 'full'")
    keys = [d.key for d in scheme.definitions]
    if len(set(keys)) != len(keys):
        fail("two indicators share a key")
    for key, (_, points) in scheme.groups.items():
        if sum(d.points for d in scheme.definitions if d.group == key) != points:
            fail(f"the indicators of group {key!r} do not add up to its points")
    for d in scheme.definitions:
        _check_definition(d, scheme, fail)


def _check_definition(d: Definition, scheme: Scheme, fail) -> None:
    if d.group not in scheme.groups:
        fail(f"{d.key}: unknown group {d.group!r}")
    if d.scoring not in SCORINGS:
        fail(f"{d.key}: scoring must be one of {SCORINGS}")
    if not d.measured and not (d.name and d.reason):
        fail(f"{d.key}: an indicator not measured here needs a name and the reason")
    if (d.scoring == "none") != (d.points == 0):
        fail(f"{d.key}: an indicator without points has scoring 'none', and only such an indicator")
    if d.scoring == "linear" and not 0 < d.target <= 1:
        fail(f"{d.key}: target must be in (0, 1]")
    if d.scoring == "steps" and (not d.steps or any(not 0 <= s <= 1 for _, s in d.steps)):
        fail(f"{d.key}: steps need [lowest ratio, share] pairs with shares between 0 and 1")
    lows = [low for low, _ in d.steps]
    if lows != sorted(lows, reverse=True):
        fail(f"{d.key}: steps go from the highest ratio down")


@cache
def schemes() -> tuple[Scheme, ...]:
    """Every scheme in the catalogue, oldest first."""
    found = sorted((load(p) for p in sorted(SCHEMES_DIR.glob("*.toml"))), key=lambda s: s.effective_from)
    if not found:
        raise SchemeError(f"no scheme in {SCHEMES_DIR}")
    return tuple(found)


def scheme_for(day: date) -> Scheme:
    """The scheme in force on `day` (the oldest one for a day before them all)."""
    in_force = [s for s in schemes() if s.effective_from <= day]
    return in_force[-1] if in_force else schemes()[0]


# ---------------------------------------------------------------- scoring


def score(found: list[Indicator], scheme: Scheme) -> ScoreCard:
    """The score card of measured indicators under `scheme`. Every indicator the code measures must be
    in the scheme and every indicator the scheme calls measured must be measured: a mismatch raises."""
    by_key = {i.key: i for i in found}
    _check_match(by_key, scheme)
    groups = {key: GroupScore(key, name, points) for key, (name, points) in scheme.groups.items()}
    for definition in scheme.definitions:
        indicator = by_key.get(definition.key) if definition.measured else None
        groups[definition.group].rows.append(
            Scored(definition, indicator, _score(definition, indicator, scheme))
        )
    return ScoreCard(scheme, list(groups.values()))


def _check_match(by_key: dict[str, Indicator], scheme: Scheme) -> None:
    defined = {d.key: d for d in scheme.definitions}
    missing = sorted(key for key, d in defined.items() if d.measured and key not in by_key)
    unknown = sorted(set(by_key) - set(defined))
    if missing or unknown:
        raise SchemeError(f"scheme {scheme.code} and the measured indicators differ: {missing} / {unknown}")
    unscorable = [key for key, i in by_key.items() if i.unit != "%" and defined[key].scoring != "none"]
    if unscorable:
        raise SchemeError(f"scheme {scheme.code} scores values that are not ratios: {unscorable}")


def _score(definition: Definition, indicator: Indicator | None, scheme: Scheme) -> float | None:
    if indicator is None or definition.scoring == "none" or not definition.points:
        return None
    if indicator.ratio is None:
        return definition.points if scheme.when_empty == "full" else None
    return round(definition.points * definition.share(indicator.ratio), 2)
