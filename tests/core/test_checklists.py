"""docs/asvs-l2.md stays true to the code: every test it cites exists, every file it names exists, and
its summary counts the rows below it. A renamed test or a moved module fails here, not in an audit."""

from __future__ import annotations

import collections
import re

from config import BASE_DIR

CHECKLIST = (BASE_DIR / "docs" / "asvs-l2.md").read_text(encoding="utf-8")


def test_every_cited_test_and_file_exists():
    missing = []
    for match in re.finditer(
        r"`(tests/test_[a-z0-9_]+\.py)::([a-z0-9_]+)`((?:, `::[a-z0-9_]+`)*)", CHECKLIST
    ):
        path = BASE_DIR / match.group(1)
        source = path.read_text(encoding="utf-8") if path.exists() else ""
        for name in [match.group(2), *re.findall(r"`::([a-z0-9_]+)`", match.group(3))]:
            if f"def {name}(" not in source:
                missing.append(f"{match.group(1)}::{name}")
    for match in re.finditer(
        r"`((?:service|forms|workflows|templates|migrations|catalogue)/[A-Za-z0-9_/.-]+)`", CHECKLIST
    ):
        if not (BASE_DIR / match.group(1)).exists():
            missing.append(match.group(1))
    assert not missing


def test_the_summary_counts_the_rows():
    rows = re.findall(r"^\| (\d+)\.\d+\.\d+ \| [^|]* \| \*\*(met|n/a|open)\*\* \|", CHECKLIST, re.M)
    counted = collections.defaultdict(collections.Counter)
    for chapter, status in rows:
        counted[int(chapter)][status] += 1
    summary = re.findall(r"^\| V(\d+) [^|]+ \| (\d+) \| (\d+) \| (\d+) \| (\d+) \|$", CHECKLIST, re.M)
    assert len(summary) == 14
    for chapter, met, na, open_, total in summary:
        found = counted[int(chapter)]
        assert (found["met"], found["n/a"], found["open"], sum(found.values())) == tuple(
            map(int, (met, na, open_, total))
        ), chapter
