"""Tuition exemptions and reductions as versioned data: one rule set per decree in force over a period
(`catalogue/exemptions/*.toml`: Decree 81/2021 until 02/09/2025, Decree 238/2025 from 03/09/2025).

A term is billed under the rule set in force on its first day. An exemption record keeps the category
code it was granted under; judged against a rule set, the code is a category of it (its rate applies),
a code the set replaced (the replacement's rate applies, and the staff are told to determine it again),
or unknown to it: then it is not applied and the student is not billed until the staff determine it
again. A learner in several categories gets the single highest rate, never a sum. Pure functions of
the data and the records given: no database here.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any, Protocol

from config import BASE_DIR
from service.timeutil import local_today

EXEMPTIONS_DIR = BASE_DIR / "catalogue" / "exemptions"
RATES = (100, 70, 50)
LEVEL_CODES = ("cao_dang", "trung_cap", "so_cap", "khac")  # service.schools.models.LEVELS


class RuleError(ValueError):
    """A rule-set file that does not hold together."""


@dataclass(frozen=True)
class Category:
    code: str
    rate: int | None  # None: the rate the school's own decision states ("khác" only)
    short: str  # for choices and invoice lines
    label: str  # the decree's wording
    article: str  # "Điều 16 khoản 1 điểm b"; empty outside the decree
    evidence: str  # the document the school keeps
    levels: tuple[str, ...]
    unconfirmed: tuple[str, ...] = ()


# Not a category of any decree: a reduction on another basis the school names (a provincial
# resolution, its own decision). Offered under every rule set, at the rate the school enters.
OTHER = Category(
    "khac",
    None,
    "Chính sách khác (ghi rõ căn cứ)",
    "Chính sách miễn, giảm khác (ghi rõ căn cứ)",
    "",
    "Văn bản làm căn cứ miễn, giảm",
    LEVEL_CODES,
)


@dataclass(frozen=True)
class Replacement:
    code: str
    applies: str  # a category of the same rule set
    note: str


@dataclass(frozen=True)
class RuleSet:
    code: str
    short_name: str  # "Nghị định 238/2025/NĐ-CP"
    name: str
    valid_from: date
    valid_to: date | None  # None: in force
    categories: dict[str, Category]
    replaced: dict[str, Replacement] = field(default_factory=dict)
    unconfirmed: tuple[str, ...] = ()

    def in_force_on(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)

    def overlaps(self, start: date, end: date) -> bool:
        return self.valid_from <= end and (self.valid_to is None or start <= self.valid_to)

    def category(self, code: str) -> Category | None:
        return OTHER if code == OTHER.code else self.categories.get(code)

    def cite(self, category: Category) -> str:
        """ "Điều 16 khoản 1 điểm b Nghị định 238/2025/NĐ-CP"; empty for a basis outside the decree."""
        return f"{category.article} {self.short_name}" if category.article else ""

    def period(self) -> str:
        start = self.valid_from.strftime("%d/%m/%Y")
        return f"từ {start}" + (f" đến {self.valid_to.strftime('%d/%m/%Y')}" if self.valid_to else "")


# ---------------------------------------------------------------- loading


def _category(spec: dict, where: str) -> Category:
    levels = tuple(spec.get("levels", ()))
    if spec.get("rate") not in RATES:
        raise RuleError(f"{where}: rate must be one of {RATES}")
    if not levels or any(level not in LEVEL_CODES for level in levels):
        raise RuleError(f"{where}: levels must be some of {LEVEL_CODES}")
    for key in ("code", "short", "label", "article", "evidence"):
        if not str(spec.get(key) or "").strip():
            raise RuleError(f"{where}: {key} is missing")
    return Category(
        spec["code"],
        spec["rate"],
        spec["short"],
        spec["label"],
        spec["article"],
        spec["evidence"],
        levels,
        tuple(spec.get("unconfirmed", ())),
    )


def load(path: Path) -> RuleSet:
    data: dict[str, Any] = tomllib.loads(path.read_text(encoding="utf-8"))
    categories: dict[str, Category] = {}
    for spec in data.get("categories", []):
        category = _category(spec, f"{path.name}: {spec.get('code')!r}")
        if category.code in categories or category.code == OTHER.code:
            raise RuleError(f"{path.name}: category {category.code!r} twice")
        categories[category.code] = category
    replaced = {r["code"]: Replacement(r["code"], r["applies"], r["note"]) for r in data.get("replaced", [])}
    for replacement in replaced.values():
        if replacement.applies not in categories or replacement.code in categories:
            raise RuleError(f"{path.name}: replaced {replacement.code!r} must point to another category")
    return RuleSet(
        data["code"],
        data["short_name"],
        data["name"],
        data["valid_from"],
        data.get("valid_to"),
        categories,
        replaced,
        tuple(data.get("unconfirmed", ())),
    )


@cache
def rule_sets() -> tuple[RuleSet, ...]:
    """Every rule set, oldest first; their periods follow one another without gap or overlap."""
    found = sorted((load(p) for p in EXEMPTIONS_DIR.glob("*.toml")), key=lambda r: r.valid_from)
    for earlier, later in zip(found, found[1:], strict=False):
        if earlier.valid_to is None or (later.valid_from - earlier.valid_to).days != 1:
            raise RuleError(f"{earlier.code} must end the day before {later.code} begins")
    return tuple(found)


def rule_set_on(day: date) -> RuleSet | None:
    return next((r for r in rule_sets() if r.in_force_on(day)), None)


def current() -> RuleSet:
    """The rule set in force today: the one whose categories the school grants now."""
    return rule_set_on(local_today()) or rule_sets()[-1]


def rule_sets_between(start: date, end: date) -> list[RuleSet]:
    return [r for r in rule_sets() if r.overlaps(start, end)]


def _known_before(rules: RuleSet, code: str) -> bool:
    return any(code in r.categories for r in rule_sets() if r.valid_from < rules.valid_from)


# ---------------------------------------------------------------- judging records


class ExemptionLike(Protocol):
    category: str
    percent: int
    valid_from: date
    valid_to: date
    revoked_at: Any


@dataclass(frozen=True)
class Judgement:
    """What a rule set makes of one exemption record."""

    rate: int | None  # None: not applied, the student waits for the staff
    category: Category | None  # the category applied
    flag: str | None = None  # the staff's message: "... cần xác định lại"

    @property
    def held(self) -> bool:
        return self.rate is None


def judge(rules: RuleSet | None, code: str, recorded_percent: int) -> Judgement:
    if rules is None:
        return Judgement(None, None, "không có quy định miễn, giảm cho thời điểm này: cần xác định lại")
    category = rules.category(code)
    if category is not None:
        return Judgement(category.rate or recorded_percent, category)
    replacement = rules.replaced.get(code)
    if replacement is not None:
        applied = rules.categories[replacement.applies]
        return Judgement(applied.rate, applied, replacement.note)
    gone = "không còn" if _known_before(rules, code) else "không có"
    return Judgement(None, None, f"danh mục {gone} trong {rules.short_name}: cần xác định lại")


@dataclass
class Decision:
    """A student's exemptions for a term: the one applied (the highest single rate) and those the
    staff must determine again."""

    applied: tuple[ExemptionLike, Judgement] | None
    flagged: list[tuple[ExemptionLike, Judgement]]

    @property
    def held(self) -> bool:
        """A record the rule set does not know might be worth more than the one applied: no bill yet."""
        return any(judgement.held for _, judgement in self.flagged)


def decide(rules: RuleSet | None, exemptions: list[ExemptionLike], day: date) -> Decision:
    """The records valid on `day` (the term's first day) and not revoked, judged under `rules`."""
    judged = [
        (e, judge(rules, e.category, e.percent))
        for e in exemptions
        if e.valid_from <= day <= e.valid_to and e.revoked_at is None
    ]
    usable = [(e, j) for e, j in judged if j.rate is not None]
    applied = max(usable, key=lambda pair: pair[1].rate, default=None)
    return Decision(applied, [(e, j) for e, j in judged if j.flag])


def category_for(code: str, start: date, end: date) -> tuple[RuleSet, Category] | None:
    """The latest rule set in force between `start` and `end` that has the category, for granting it."""
    for rules in reversed(rule_sets_between(start, end)):
        category = rules.category(code)
        if category is not None:
            return rules, category
    return None
