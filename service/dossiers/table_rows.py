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


def keep_known(pairs: list[tuple[str, str]], fields: list[dict]) -> list[tuple[str, str]]:
    """Only the names the procedure's e-form has (a tampered post cannot store arbitrary names), and no
    table row beyond the table's maximum."""
    plain = {f["key"] for f in fields if f["type"] not in ("table", "address")}
    address = {f["key"] for f in fields if f["type"] == "address"}
    tables = {f["key"]: int(f.get("max_rows", 50)) for f in fields if f["type"] == "table"}
    kept = []
    for name, value in pairs:
        head, _, rest = name.partition("-")
        if name in plain or (head in address and rest in ("province", "ward", "street")):
            kept.append((name, value))
        elif head in tables:
            row, _, column = rest.partition("-")
            if row.isascii() and row.isdigit() and int(row) < tables[head] and column:
                kept.append((name, value))
    return kept


def apply_action(
    pairs: list[tuple[str, str]], fields: list[dict], action: str
) -> tuple[list[tuple[str, str]], str | None]:
    """ "+ Thêm dòng" and "Xóa dòng" buttons post `add_row:<table>` or `remove_row:<table>:<row>`: the
    pairs with the row added or removed, and a message when a table is full."""
    kind, _, rest = action.partition(":")
    key, _, index = rest.partition(":")
    table = next((f for f in fields if f["type"] == "table" and f["key"] == key), None)
    if table is None:
        return pairs, None
    if kind == "add_row":
        if row_count(pairs, key) >= int(table.get("max_rows", 50)):
            return pairs, f"Bảng “{table['label']}” chỉ nhận tối đa {table.get('max_rows', 50)} dòng."
        return add_row(pairs, key), None
    if kind == "remove_row" and index.isascii() and index.isdigit():
        return remove_row(pairs, key, int(index)), None
    return pairs, None
