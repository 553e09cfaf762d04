"""The architecture's contracts hold (pyproject.toml): the workflow machines and the gateway protocols
import no Flask, no database and no feature (import-linter), and their types check strictly (mypy).
A change that breaks either fails here, in CI, not only in `make lint`."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from config import BASE_DIR

BIN = Path(sys.executable).parent


def run(tool: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(BIN / tool)], cwd=BASE_DIR, capture_output=True, text=True, timeout=300)


def test_the_import_contracts_are_kept():
    result = run("lint-imports")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout and "KEPT" in result.stdout


def test_the_pure_cores_type_check():
    result = run("mypy")
    assert result.returncode == 0, result.stdout + result.stderr


def pins(name: str) -> dict[str, list[str]]:
    """Package → its sha256 hashes, from a pip-compile output file."""
    text = (Path(BASE_DIR) / name).read_text(encoding="utf-8").replace("\\\n", " ")
    found = {}
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        requirement, *options = line.split()
        assert "==" in requirement, f"{name}: {requirement} is not pinned to one version"
        found[requirement.split("==")[0].lower().replace("_", "-")] = [
            option.removeprefix("--hash=sha256:") for option in options if option.startswith("--hash=sha256:")
        ]
    return found


def direct(name: str) -> set[str]:
    lines = (Path(BASE_DIR) / name).read_text(encoding="utf-8").splitlines()
    names = (line.split("#", 1)[0].strip() for line in lines)
    return {n.split("[")[0].lower().replace("_", "-") for n in names if n and not n.startswith("-")}


def test_every_dependency_is_pinned_with_its_hashes_and_the_pins_agree():
    # pip installs in hash-checking mode only when every line has a hash; one hand-added pin without
    # its hash would switch that off, or stop `make setup` on a fresh machine.
    runtime, development = pins("requirements.txt"), pins("requirements-dev.txt")
    for name, found in (("requirements.txt", runtime), ("requirements-dev.txt", development)):
        missing = [package for package, hashes in found.items() if not hashes]
        assert not missing, f"{name} pins without a hash: {missing} (run `make lock`)"
        assert all(len(h) == 64 for hashes in found.values() for h in hashes)
    assert direct("requirements.in") <= set(runtime), "requirements.in lists a package not compiled"
    assert direct("requirements-dev.in") <= set(development)
    drifted = {p for p in runtime if development.get(p) != runtime[p]}
    assert not drifted, f"the development pins differ from the runtime ones: {drifted}"


def test_no_module_imports_itself_back_even_from_inside_a_function():
    """A cycle held apart by function-local imports is still a cycle (issue 13): every import statement
    counts, wherever it is written."""
    import grimp

    graph = grimp.build_graph("service", "workflows", "forms")
    cycles = [
        (module, other)
        for module in graph.modules
        for other in graph.find_modules_directly_imported_by(module)
        if graph.chain_exists(importer=other, imported=module)
    ]
    assert not cycles, f"import cycles: {sorted(cycles)[:10]}"


# Identity, the agencies officials belong to and the audit log use each other (accounts' operations log,
# an official is placed in an agency, the log's and the agencies' pages read roles): the three sit below
# the features and import none of them (import-linter).
KNOTS_ALLOWED = [{"service.accounts", "service.audit", "service.agencies"}]


def test_no_two_feature_packages_import_each_other():
    """Package-level knots (issue 13): a feature that imports another, directly or through any chain of
    modules, is not imported back by it. Services are told of their clients by registration and events."""
    import grimp

    graph = grimp.build_graph("service", "workflows", "forms")
    packages = sorted(
        f"service.{path.parent.name}" for path in (Path(BASE_DIR) / "service").glob("*/__init__.py")
    )
    knots = [
        (a, b)
        for index, a in enumerate(packages)
        for b in packages[index + 1 :]
        if not any({a, b} <= allowed for allowed in KNOTS_ALLOWED)
        and graph.chain_exists(importer=a, imported=b, as_packages=True)
        and graph.chain_exists(importer=b, imported=a, as_packages=True)
    ]
    assert not knots, f"feature packages that import each other: {knots}"


def test_no_test_module_imports_another():
    """Shared helpers live in tests/support/ and tests/factories.py, shared fixtures in conftest.py's
    plugins: a test module changed for its own feature never breaks another's imports."""
    tests = Path(BASE_DIR) / "tests"
    offenders = [
        f"{path.relative_to(tests)}: {line.strip()}"
        for path in tests.rglob("*.py")
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.lstrip().startswith(("from tests.test_", "import tests.test_", "from tests import test_"))
    ]
    assert not offenders, offenders


def test_every_model_is_in_the_glossary(app):
    """docs/glossary.md maps every model to the law's or the office's word for it."""
    from service.extensions import db

    glossary = (Path(BASE_DIR) / "docs" / "glossary.md").read_text(encoding="utf-8")
    missing = sorted(
        m.class_.__name__ for m in db.Model.registry.mappers if f"`{m.class_.__name__}`" not in glossary
    )
    assert not missing, f"models missing from docs/glossary.md: {missing}"


def test_every_status_check_in_the_database_matches_its_enum(app):
    """A status column's CHECK constraint (migrations 0025 and 0027) and its Labelled enum (what the code writes
    and what people read) list the same values, so neither can drift from the other."""
    import importlib.util

    from sqlalchemy import CheckConstraint

    from service.extensions import db

    declared = {}
    for path in sorted((Path(BASE_DIR) / "migrations" / "versions").glob("*_status_check*.py")):
        spec = importlib.util.spec_from_file_location(path.stem, path)
        migration = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(migration)
        declared.update(migration.CHECKS)
    assert ("dossiers", "status") in declared and ("payment_orders", "status") in declared  # 0027, 0025
    checked = {}
    for mapper in db.Model.registry.mappers:
        for constraint in mapper.local_table.constraints:
            if isinstance(constraint, CheckConstraint):
                checked[
                    (mapper.local_table.name, constraint.name.removeprefix(f"ck_{mapper.local_table.name}_"))
                ] = str(constraint.sqltext)
    for (table, column), values in declared.items():
        expected = f"{column} IN ({', '.join(repr(v) for v in values)})"
        assert checked.get((table, column)) == expected, (table, column)


def test_the_database_refuses_a_status_nobody_declared(app):
    import pytest
    from sqlalchemy.exc import IntegrityError

    from service.database import write
    from service.extensions import db
    from service.payments.models import PaymentOrder, new_reference

    with pytest.raises(IntegrityError), write():
        db.session.add(
            PaymentOrder(reference=new_reference("LP"), description="Thử", amount=1, status="paidd")
        )
    assert db.session.scalar(db.select(db.func.count()).select_from(PaymentOrder)) == 0


def test_at_most_one_view_in_ten_queries_the_database_itself():
    """Views parse, authorise, call and render; what they read comes from queries modules (issue 13:
    Indico and Notify keep it under one in ten). A view that builds its own query counts here."""
    import ast

    views = touching = 0
    for path in (Path(BASE_DIR) / "service").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            routed = isinstance(node, ast.FunctionDef) and any(
                isinstance(d, ast.Call) and getattr(d.func, "attr", "") == "route"
                for d in node.decorator_list
            )
            if routed:
                views += 1
                body = ast.unparse(node)
                touching += "db.session" in body or "db.select" in body
    assert views > 100 and touching / views <= 0.10, f"{touching} of {views} views query the database"
