"""A small mutation runner: does the suite notice when one thing in a critical module is broken?

For each module it parses the source with `ast`, lists the mutants (a comparison flipped, a constant
changed, a field name altered, `and`/`or` swapped, a `not` dropped, a statement deleted, a returned
value replaced by None), samples up to `--max-mutants` of them (the same sample every run), writes each
mutant over the module in turn and runs the test files that cover the module with
`pytest -x -q -p no:randomly` on SQLite. A mutant is *killed* when a test fails (or the run times out),
*survives* otherwise. Mutants on lines the covering tests never execute are reported as survivors
without running them (a line tracer runs once per module, with the unmutated baseline).

One process, one mutant at a time; the original file is always put back. Not part of CI: run it before a
release with `make mutation` (about 25 minutes) and record the table in docs/mutation.md.

    .venv/bin/python scripts/mutation.py [--max-mutants 15] [--budget-minutes 45] [--only money] [--list]
"""

from __future__ import annotations

import argparse
import ast
import copy
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTEST = [
    str(ROOT / ".venv" / "bin" / "python"),
    "-m",
    "pytest",
    "-x",
    "-q",
    "-p",
    "no:randomly",
    "--no-header",
]

# Each critical module and the test files that cover it, the quickest first (-x stops at the first
# failure, so a mutant the first file catches costs only that file). Fast modules come first: each gets
# an equal share of what is left of the budget, so time they leave goes to the slower ones.
MODULES: dict[str, list[str]] = {
    "service/money.py": ["tests/payments/test_money.py"],
    "service/payments/gateways/vietqr.py": [
        "tests/payments/test_vietqr_protocol.py",
        "tests/payments/test_gateway_vectors.py",
    ],
    "service/payments/gateways/momo.py": [
        "tests/payments/test_momo_protocol.py",
        "tests/payments/test_gateway_vectors.py",
    ],
    "service/payments/gateways/vnpay.py": [
        "tests/payments/test_vnpay_protocol.py",
        "tests/payments/test_gateway_vectors.py",
        "tests/payments/test_refunds.py",  # VNPAY's refusal of a refund, as the accountant reads it
    ],
    "workflows/guards.py": ["tests/dossiers/test_workflow.py", "tests/dossiers/test_workflow_table.py"],
    "workflows/machines.py": ["tests/dossiers/test_workflow.py", "tests/dossiers/test_workflow_table.py"],
    "service/workdays.py": ["tests/dossiers/test_workdays.py", "tests/core/test_boundaries.py"],
    "service/payments/settlement.py": [
        "tests/core/test_boundaries.py",
        "tests/payments/test_gateway_vectors.py",
        "tests/payments/test_payments.py",
        "tests/payments/test_payment_orders.py",
        "tests/payments/test_payment_edges.py",
        "tests/schools/test_paylink.py",  # an invoice's orders: one left open while paid, an overpayment
    ],
    "service/quality/indicators.py": [
        "tests/quality/test_quality_columns.py",
        "tests/quality/test_quality_indicators.py",
    ],
    "service/quality/statistics.py": [
        "tests/quality/test_quality_columns.py",
        "tests/quality/test_quality_indicators.py",
    ],
    "service/schools/fees.py": [
        "tests/schools/test_fee_scopes.py",
        "tests/schools/test_school_fees.py",
        "tests/schools/test_school_exemptions.py",
        "tests/schools/test_school_collection.py",
        "tests/schools/test_school_edges.py",
        "tests/schools/test_paylink.py",  # order_for_payment: the order a payer pays, in part or whole
    ],
}

# Mutants shown to be equivalent: no input reaches a different behaviour (docs/mutation.md gives each
# one's argument). Keyed by module and the mutant's index in the module's list, with the line and the
# change it must still be: such a mutant is reported "equivalent", not run, and left out of the score.
# If the module has changed so that the index names another mutant, the entry no longer applies and the
# mutant is run like any other (the run says so).
EQUIVALENT: dict[tuple[str, int], tuple[int, str]] = {
    # A missing signature read as "X" instead of "": both fail the comparison with a 64-digit HMAC.
    ("service/payments/gateways/momo.py", 48): (55, "'' -> 'X'"),
    # The default of a field absent from a querydr or refund request: our requests carry every field.
    ("service/payments/gateways/vnpay.py", 133): (157, "'' -> 'X'"),
    # quote_plus(value, safe="*X"): letters are always kept, so "*X" keeps exactly what "*" keeps.
    ("service/payments/gateways/vnpay.py", 69): (84, "'*' -> '*X'"),
    # The running total's start: every answer is a difference of two running totals.
    ("service/workdays.py", 64): (115, "0 -> 1"),
    # getattr(assignee, "is_active", True): every assignee is a User, whose is_active property always
    # exists (service/accounts/models.py), so the default is never read.
    ("workflows/guards.py", 27): (70, "True -> False"),
    # A reference looked up or named by a notification, when there is none, read as "X" instead of "": no
    # order or attempt has either reference (they are "TT" and ten letters or digits), so none is found.
    ("service/payments/settlement.py", 202): (266, "'' -> 'X'"),
    ("service/payments/settlement.py", 366): (441, "'' -> 'X'"),
    # A fee schedule's scope value when none is given, for a class, level or programme scope: the form
    # requires one (validate_scope_value), and "" and "X" alike match no class and no level.
    ("service/schools/fees.py", 60): (80, "'' -> 'X'"),
}

FLIPS = {
    ast.Lt: ast.LtE,
    ast.LtE: ast.Lt,
    ast.Gt: ast.GtE,
    ast.GtE: ast.Gt,
    ast.Eq: ast.NotEq,
    ast.NotEq: ast.Eq,
    ast.In: ast.NotIn,
    ast.NotIn: ast.In,
    ast.Is: ast.IsNot,
    ast.IsNot: ast.Is,
}


@dataclass
class Mutant:
    index: int  # position in the module's list (the sample is drawn from these)
    line: int
    kind: str
    description: str
    status: str = "not run"  # killed, survived, uncovered, timeout, equivalent, not run
    seconds: float = 0.0


@dataclass
class Result:
    module: str
    total: int
    mutants: list[Mutant] = field(default_factory=list)

    def count(self, *statuses: str) -> int:
        return sum(m.status in statuses for m in self.mutants)

    @property
    def score(self) -> float | None:
        run = self.count("killed", "timeout", "survived", "uncovered")
        return self.count("killed", "timeout") / run if run else None


# ---------------------------------------------------------------- finding mutants


def _docstrings(tree: ast.AST) -> set[int]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                found.add(id(first.value))
    return found


def _in_function(tree: ast.AST) -> set[int]:
    """Statements inside function bodies (deleting module-level definitions only breaks imports)."""
    inside = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for child in ast.walk(node):
                if isinstance(child, ast.stmt) and child is not node:
                    inside.add(id(child))
    return inside


def _annotations(tree: ast.AST) -> set[int]:
    skip = set()
    for node in ast.walk(tree):
        targets = []
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            targets.append(node.returns)
            targets += [a.annotation for a in ast.walk(node.args) if isinstance(a, ast.arg)]
        elif isinstance(node, ast.AnnAssign):
            targets.append(node.annotation)
        for target in filter(None, targets):
            skip.update(id(n) for n in ast.walk(target))
    return skip


def _new_constant(value):
    if isinstance(value, bool):
        return not value
    if isinstance(value, int):
        return value + 1
    if isinstance(value, float):
        return value + 1.0
    if isinstance(value, str):
        return value + "X" if value else "X"
    if isinstance(value, bytes):
        return value + b"X"
    return ...  # None and Ellipsis: left alone


def mutations(tree: ast.Module) -> list[tuple[int, str, str, object]]:
    """(line, kind, description, action) for every mutant; action(node_copy_lookup) mutates a copy."""
    docstrings, inside, annotations = _docstrings(tree), _in_function(tree), _annotations(tree)
    found: list[tuple[int, str, str, object]] = []
    for path, node in _walk(tree):
        if id(node) in annotations:
            continue
        if isinstance(node, ast.Compare):
            for i, op in enumerate(node.ops):
                if type(op) in FLIPS:
                    new = FLIPS[type(op)]
                    found.append(
                        (
                            node.lineno,
                            "comparison",
                            f"{type(op).__name__} -> {new.__name__}",
                            ("op", path, i, new),
                        )
                    )
        elif isinstance(node, ast.BoolOp):
            new = ast.Or if isinstance(node.op, ast.And) else ast.And
            found.append(
                (node.lineno, "boolean", f"{type(node.op).__name__} -> {new.__name__}", ("boolop", path, new))
            )
        elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            found.append((node.lineno, "negation", "not x -> x", ("unnot", path)))
        elif isinstance(node, ast.Constant) and id(node) not in docstrings:
            new = _new_constant(node.value)
            if new is not ...:
                kind = "field name" if isinstance(node.value, str) else "constant"
                found.append((node.lineno, kind, f"{node.value!r} -> {new!r}"[:90], ("const", path, new)))
        elif isinstance(node, ast.Return) and node.value is not None and not _is_none(node.value):
            found.append((node.lineno, "return", "return ... -> return None", ("return", path)))
        if isinstance(node, ast.stmt) and id(node) in inside and not isinstance(node, (ast.Pass, ast.Return)):
            if not (isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)):
                found.append((node.lineno, "deletion", f"delete {type(node).__name__}", ("delete", path)))
    return found


def _is_none(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and node.value is None


def _walk(node: ast.AST, path: tuple = ()):
    """Nodes with their path from the root: (field, index) steps, so a copy can be navigated."""
    yield path, node
    for name, value in ast.iter_fields(node):
        if isinstance(value, list):
            for i, item in enumerate(value):
                if isinstance(item, ast.AST):
                    yield from _walk(item, (*path, (name, i)))
        elif isinstance(value, ast.AST):
            yield from _walk(value, (*path, (name, None)))


def _locate(tree: ast.AST, path: tuple) -> tuple[ast.AST, ast.AST, tuple]:
    """(parent, node, last step) of `path` in `tree`."""
    parent, node, step = None, tree, None
    for step in path:
        parent = node
        name, index = step
        node = getattr(node, name) if index is None else getattr(node, name)[index]
    return parent, node, step


def apply(tree: ast.Module, action) -> ast.Module:
    mutant = copy.deepcopy(tree)
    kind, path, *rest = action
    parent, node, step = _locate(mutant, path)
    if kind == "op":
        node.ops[rest[0]] = rest[1]()
    elif kind == "boolop":
        node.op = rest[0]()
    elif kind == "unnot":
        _replace(parent, step, node.operand)
    elif kind == "const":
        node.value = rest[0]
    elif kind == "return":
        node.value = ast.Constant(value=None)
    elif kind == "delete":
        _replace(parent, step, ast.Pass())
    return ast.fix_missing_locations(mutant)


def _replace(parent: ast.AST, step: tuple, new: ast.AST) -> None:
    name, index = step
    if index is None:
        setattr(parent, name, new)
    else:
        getattr(parent, name)[index] = new


# ---------------------------------------------------------------- running


TRACER = """
import json, os, sys, threading
_target, _out, _lines = os.environ["MUTATION_TARGET"], os.environ["MUTATION_LINES"], set()
_name = os.path.basename(_target)
def _local(frame, event, arg):
    if event == "line":
        _lines.add(frame.f_lineno)
    return _local
def _global(frame, event, arg):
    name = frame.f_code.co_filename
    return _local if name.endswith(_name) and os.path.abspath(name) == _target else None
sys.settrace(_global)
threading.settrace(_global)
def pytest_unconfigure(config):
    with open(_out, "w") as f:
        json.dump(sorted(_lines), f)
"""


def run_tests(tests: list[str], timeout: float, env: dict[str, str], extra: list[str] = ()) -> str:
    try:
        completed = subprocess.run(
            [*PYTEST, *extra, *tests], cwd=ROOT, env=env, timeout=timeout, capture_output=True, text=True
        )
    except subprocess.TimeoutExpired:
        return "timeout"
    if completed.returncode in (0, 1):
        return "survived" if completed.returncode == 0 else "killed"
    if completed.returncode == 5:  # no tests collected: a mapping error, not a kill
        raise SystemExit(f"no tests collected from {tests}")
    return "killed"  # an error at collection (the mutant does not even import) counts as caught


def _forget_bytecode(source: Path) -> None:
    for cached in (source.parent / "__pycache__").glob(f"{source.stem}.*.pyc"):
        cached.unlink(missing_ok=True)


def mutate_module(module: str, tests: list[str], max_mutants: int, deadline: float, seed: int) -> Result:
    source_path = ROOT / module
    original = source_path.read_text(encoding="utf-8")
    tree = ast.parse(original)
    found = mutations(tree)
    result = Result(module, len(found))
    sample = sorted(random.Random(f"{seed}:{module}").sample(range(len(found)), min(max_mutants, len(found))))
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "DATABASE_URL": ""}
    env.pop("DATABASE_URL")
    with tempfile.TemporaryDirectory() as work:
        lines_file = Path(work) / "lines.json"
        (Path(work) / "mutation_tracer.py").write_text(TRACER)
        trace_env = {
            **env,
            "PYTHONPATH": work,
            "MUTATION_TARGET": str(source_path),
            "MUTATION_LINES": str(lines_file),
        }
        started = time.monotonic()
        try:
            source_path.write_text(ast.unparse(tree) + "\n", encoding="utf-8")  # the unmutated round trip
            _forget_bytecode(source_path)
            baseline = run_tests(tests, 1800, trace_env, ["-p", "mutation_tracer"])
            unparsed_lines = set(json.loads(lines_file.read_text()))
        finally:
            source_path.write_text(original, encoding="utf-8")
            _forget_bytecode(source_path)
        if baseline != "survived":
            raise SystemExit(f"{module}: the tests fail without any mutant ({tests})")
        timeout = (time.monotonic() - started) * 1.5 + 20
        covered = _covered_original_lines(tree, unparsed_lines)
        for index in sample:
            line, kind, description, action = found[index]
            mutant = Mutant(index, line, kind, description)
            result.mutants.append(mutant)
            if _equivalent(module, mutant):
                mutant.status = "equivalent"
                continue
            if line not in covered:
                mutant.status = "uncovered"
                continue
            if time.monotonic() > deadline:
                continue  # out of time: left "not run"
            began = time.monotonic()
            try:
                source_path.write_text(ast.unparse(apply(tree, action)) + "\n", encoding="utf-8")
                _forget_bytecode(source_path)
                mutant.status = run_tests(tests, timeout, env)
            finally:
                source_path.write_text(original, encoding="utf-8")
                _forget_bytecode(source_path)
            mutant.seconds = time.monotonic() - began
            print(f"  {mutant.status:9} {module}:{line} {kind}: {description}", flush=True)
    return result


def _equivalent(module: str, mutant: Mutant) -> bool:
    known = EQUIVALENT.get((module, mutant.index))
    if known is None:
        return False
    if known != (mutant.line, mutant.description):
        print(
            f"  moved     {module}:{mutant.line} #{mutant.index}: no longer the equivalent {known}",
            flush=True,
        )
        return False
    return True


def _covered_original_lines(tree: ast.Module, unparsed_lines: set[int]) -> set[int]:
    """The tracer saw lines of the *unparsed* file; map them back to the original's line numbers by
    walking both trees together (ast.unparse keeps the same nodes in the same order)."""
    unparsed = ast.parse(ast.unparse(tree))
    covered = set()
    for (_, a), (_, b) in zip(_walk(tree), _walk(unparsed), strict=False):
        if isinstance(a, ast.stmt) and isinstance(b, ast.stmt) and b.lineno in unparsed_lines:
            covered.update(range(a.lineno, (a.end_lineno or a.lineno) + 1))
    # A compound statement counts as covered through its header only: nested statements speak for
    # themselves (a body never entered is not covered even if its `if` line ran).
    for (_, a), (_, b) in zip(_walk(tree), _walk(unparsed), strict=False):
        if isinstance(a, ast.stmt) and isinstance(b, ast.stmt) and b.lineno not in unparsed_lines:
            covered.difference_update(range(a.lineno, (a.end_lineno or a.lineno) + 1))
    return covered


# ---------------------------------------------------------------- reporting


def table(results: list[Result]) -> str:
    rows = [
        "| Module | Mutants (sampled / all) | Killed | Survived | Not covered | Equivalent | Not run | Caught |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        score = "–" if r.score is None else f"{r.score:.0%}"
        rows.append(
            f"| `{r.module}` | {len(r.mutants)} / {r.total} | {r.count('killed', 'timeout')} | "
            f"{r.count('survived')} | {r.count('uncovered')} | {r.count('equivalent')} | {r.count('not run')} | "
            f"{score} |"
        )
    return "\n".join(rows)


def survivors(results: list[Result]) -> str:
    lines = []
    for r in results:
        for m in r.mutants:
            if m.status in ("survived", "uncovered"):
                lines.append(f"- `{r.module}:{m.line}` {m.kind}: {m.description} ({m.status})")
    return "\n".join(lines) or "None."


def _stop_on_sigterm() -> None:
    """`kill <pid>` unwinds like Ctrl-C, so the `finally` blocks put the original module back."""

    def stop(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)


def recheck(previous: list[dict], chosen: dict[str, list[str]], deadline: float) -> None:
    """The survivors of an earlier run, each run again (covered or not) against today's tests."""
    env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    for entry in previous:
        module = entry["module"]
        if module not in chosen:
            continue
        source_path = ROOT / module
        original = source_path.read_text(encoding="utf-8")
        tree = ast.parse(original)
        found = mutations(tree)
        for mutant in entry["mutants"]:
            if mutant["status"] not in ("survived", "uncovered") or time.monotonic() > deadline:
                continue
            if (module, mutant["index"]) in EQUIVALENT:
                continue
            line, kind, description, action = found[mutant["index"]]
            if (line, description) != (mutant["line"], mutant["description"]):
                print(f"  moved     {module}:{mutant['line']} {mutant['description']} (the module changed)")
                continue
            try:
                source_path.write_text(ast.unparse(apply(tree, action)) + "\n", encoding="utf-8")
                _forget_bytecode(source_path)
                status = run_tests(chosen[module], 900, env)
            finally:
                source_path.write_text(original, encoding="utf-8")
                _forget_bytecode(source_path)
            print(f"  {status:9} {module}:{line} {kind}: {description}", flush=True)


def main() -> None:
    _stop_on_sigterm()
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--max-mutants", type=int, default=15, help="sampled per module (default 15)")
    parser.add_argument("--budget-minutes", type=float, default=45, help="stop starting mutants after this")
    parser.add_argument("--only", action="append", default=[], help="modules whose path contains this")
    parser.add_argument("--seed", type=int, default=19)
    parser.add_argument("--list", action="store_true", help="list the mutants of each module and stop")
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument("--recheck", type=Path, help="run again only the survivors of this --json file")
    args = parser.parse_args()
    chosen = {m: t for m, t in MODULES.items() if not args.only or any(o in m for o in args.only)}
    if args.list:
        for module in chosen:
            for index, (line, kind, description, _) in enumerate(
                mutations(ast.parse((ROOT / module).read_text()))
            ):
                print(f"{module}:{line} #{index} {kind}: {description}")
        return
    started = time.monotonic()
    if args.recheck:
        recheck(json.loads(args.recheck.read_text()), chosen, started + args.budget_minutes * 60)
        return
    results = []
    for n, (module, tests) in enumerate(chosen.items()):
        # Each module gets an equal share of what is left of the budget.
        left = args.budget_minutes * 60 - (time.monotonic() - started)
        deadline = time.monotonic() + left / (len(chosen) - n)
        print(f"{module} ({', '.join(tests)})", flush=True)
        results.append(mutate_module(module, tests, args.max_mutants, deadline, args.seed))
    print()
    print(table(results))
    print()
    print("Survivors:")
    print(survivors(results))
    if args.json:
        args.json.write_text(
            json.dumps(
                [
                    {"module": r.module, "total": r.total, "mutants": [m.__dict__ for m in r.mutants]}
                    for r in results
                ],
                indent=1,
                ensure_ascii=False,
            )
        )


if __name__ == "__main__":
    sys.exit(main())
