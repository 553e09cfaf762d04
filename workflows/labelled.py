"""Stored values with their Vietnamese names, in one place per column.

    class OrderStatus(Labelled):
        UNPAID = "unpaid", "Chưa thanh toán"

`OrderStatus.UNPAID == "unpaid"` (what the database holds), `OrderStatus.UNPAID.label` (what people
read), `OrderStatus.labels()` for templates, `OrderStatus.choices()` for forms and `OrderStatus.sql_in()`
for the column's CHECK constraint: a value nobody declared can be neither shown nor stored.
"""

from __future__ import annotations

from enum import StrEnum


class Labelled(StrEnum):
    label: str

    def __new__(cls, value: str, label: str) -> Labelled:
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label
        return member

    @classmethod
    def labels(cls) -> dict[str, str]:
        return {member.value: member.label for member in cls}

    @classmethod
    def choices(cls) -> list[tuple[str, str]]:
        return [(member.value, member.label) for member in cls]

    @classmethod
    def sql_in(cls, column: str = "status") -> str:
        """`status IN ('a', 'b')` for a CHECK constraint (values are code, never user input)."""
        return f"{column} IN ({', '.join(repr(member.value) for member in cls)})"
