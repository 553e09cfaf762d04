"""Adding and removing rows of an e-form table without JavaScript, by rewriting the posted pairs."""

from __future__ import annotations

import re


def add_row(pairs: list[tuple[str, str]], table_key: str) -> list[tuple[str, str]]:
    count = row_count(pairs, table_key)
    return [*pairs, (f"{table_key}-{count}-__row__", "")]


def remove_row(pairs: list[tuple[str, str]], table_key: str, index: int) -> list[tuple[str, str]]:
    pattern = re.compile(rf"^{re.escape(table_key)}-(\d+)-(.+)$")
    result = []
    for name, value in pairs:
        match = pattern.match(name)
        if not match:
            result.append((name, value))
            continue
        row = int(match.group(1))
        if row == index:
            continue
        if row > index:
            name = f"{table_key}-{row - 1}-{match.group(2)}"
        result.append((name, value))
    return result


def row_count(pairs: list[tuple[str, str]], table_key: str) -> int:
    pattern = re.compile(rf"^{re.escape(table_key)}-(\d+)-")
    rows = {int(m.group(1)) for name, _ in pairs if (m := pattern.match(name))}
    return max(rows) + 1 if rows else 0
