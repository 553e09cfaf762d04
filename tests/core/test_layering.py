"""Views and commands only parse, authorise, call an operation and render: a view or a CLI command that
writes to the database itself (its own session.add/commit, its own write block) fails this test.
Operations (`operations.py` and the service modules they use) own transactions and their effects."""

from __future__ import annotations

import ast
from pathlib import Path

from config import BASE_DIR

SESSION_WRITES = {"add", "add_all", "commit", "delete", "flush", "merge"}
TRANSACTION_HELPERS = {"begin_write", "write", "insert_once"}


def direct_writes(path: Path) -> list[str]:
    name = path.relative_to(BASE_DIR) if path.is_relative_to(BASE_DIR) else path.name
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Call):
            continue
        function = node.func
        if (
            isinstance(function, ast.Attribute)
            and function.attr in SESSION_WRITES
            and isinstance(function.value, ast.Attribute)
            and function.value.attr == "session"
        ):
            found.append(f"{name}:{node.lineno} session.{function.attr}()")
        if isinstance(function, ast.Name) and function.id in TRANSACTION_HELPERS:
            found.append(f"{name}:{node.lineno} {function.id}()")
    return found


def entry_points() -> list[Path]:
    """Every module that defines a blueprint or adds routes to one (views), and the CLI."""
    modules = [
        p
        for p in (BASE_DIR / "service").rglob("*.py")
        if any(mark in p.read_text(encoding="utf-8") for mark in ("Blueprint(", ".route("))
    ]
    return sorted(modules) + [BASE_DIR / "service" / "cli.py"]


def test_the_scan_sees_views_and_commands():
    names = {str(p.relative_to(BASE_DIR)) for p in entry_points()}
    assert {
        "service/dossiers/views.py",
        "service/payments/views/payer.py",
        "service/payments/views/callbacks.py",
        "service/payments/views/accountants.py",
        "service/cli.py",
    } <= names


def test_the_scan_recognises_a_direct_write(tmp_path):
    sample = tmp_path / "views.py"
    sample.write_text(
        "def view():\n    db.session.add(x)\n    db.session.commit()\n    with write():\n        pass\n"
    )
    assert [line.split(" ", 1)[1] for line in direct_writes(sample)] == [
        "session.add()",
        "session.commit()",
        "write()",
    ]


def test_no_view_or_command_writes_directly():
    offenders = [line for path in entry_points() for line in direct_writes(path)]
    assert offenders == [], "Move these writes into an operation:\n" + "\n".join(offenders)
