"""Many dossiers fast, for measuring the worklists at provincial scale (`flask bench seed-dossiers`).

Rows go in with core INSERTs of a few thousand at a time (executemany; no ORM objects, no files, no
history), spread over the states of the workflow, the catalogue's procedures, a pool of applicants and
a pool of specialists, with due dates around today. Never in production: the applicants and officials
it creates are made up (their emails end in .invalid and no password opens them).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import timedelta

from flask import current_app

from service.accounts.models import User
from service.accounts.roles import Role
from service.database import write
from service.dossiers.models import Dossier
from service.extensions import db
from service.procedures.models import Procedure
from service.timeutil import local_today, utcnow
from workflows.states import DossierStatus as S

BATCH = 5_000
APPLICANTS = 2_000
SPECIALISTS = 20
CODE_PREFIX = "BENCH-"
# Share of each state (per mille): most dossiers are finished, the rest sit in the running lists.
STATES = [
    (S.DRAFT, 20), (S.SUBMITTED, 120), (S.RECEIVED, 60), (S.ASSIGNED, 60), (S.UNDER_APPRAISAL, 120),
    (S.PROPOSED, 40), (S.FORWARDED, 10), (S.APPROVED, 30), (S.DENIED, 10), (S.STOP_REQUESTED, 10),
    (S.SUPPLEMENT_REQUESTED, 40), (S.AWAITING_PAYMENT, 10), (S.RETURNED, 420), (S.REFUSED, 30),
    (S.STOPPED, 10), (S.WITHDRAWN, 10),
]  # fmt: skip
NOT_RECEIVED = {S.DRAFT, S.SUBMITTED, S.REFUSED, S.WITHDRAWN}
NOT_ASSIGNED = NOT_RECEIVED | {S.RECEIVED, S.SUPPLEMENT_REQUESTED}
DECIDED = {S.APPROVED, S.DENIED, S.AWAITING_PAYMENT, S.RETURNED}
SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Huỳnh", "Hoàng", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương"]
MIDDLE = ["Văn", "Thị", "Minh", "Ngọc", "Thanh", "Hữu", "Quốc", "Thu", "Hoài", "Kim"]
GIVEN = [
    "An",
    "Bình",
    "Châu",
    "Dũng",
    "Giang",
    "Hạnh",
    "Hùng",
    "Khoa",
    "Lan",
    "Long",
    "Mai",
    "Nam",
    "Nhung",
    "Phúc",
    "Quân",
    "Sơn",
    "Tâm",
    "Thảo",
    "Trang",
    "Tuấn",
    "Uyên",
    "Vy",
    "Xuân",
    "Yến",
]


class SeedError(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def seed_dossiers(count: int, seed: int = 18, progress: Callable[[int], None] | None = None) -> int:
    """Insert `count` made-up dossiers (and the applicants and specialists they need, once); returns how
    many were inserted. Each batch is its own transaction."""
    if current_app.config["ENV_NAME"] == "production":
        raise SeedError("Không tạo dữ liệu đo hiệu năng trên hệ thống thật (never in production).")
    versions = db.session.scalars(
        db.select(Procedure.current_version_id).where(Procedure.current_version_id.is_not(None))
    ).all()
    if not versions:
        raise SeedError("Chưa có thủ tục nào: hãy nhập danh mục trước (flask catalogue import).")
    rng = random.Random(seed)
    applicants, specialists = _people(rng)
    states = [state for state, share in STATES for _ in range(share)]
    start = (db.session.scalar(db.select(db.func.max(Dossier.id))) or 0) + 1
    today, now = local_today(), utcnow()
    done = 0
    while done < count:
        rows = [
            _row(rng, start + done + i, rng.choice(states), versions, applicants, specialists, today, now)
            for i in range(min(BATCH, count - done))
        ]
        with write():
            db.session.execute(db.insert(Dossier), rows)
        done += len(rows)
        if progress:
            progress(done)
    if db.engine.dialect.name == "postgresql":
        # As autovacuum would after a while: fresh statistics, and the visibility map that lets the
        # planner answer a count from an index alone.
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(db.text("VACUUM ANALYZE dossiers"))
    return done


def _people(rng: random.Random) -> tuple[list[tuple[int, str, str]], list[int]]:
    """The pool of applicants (id, name, phone) and specialists (id), created on the first run."""
    with write():
        if not db.session.scalar(db.select(User.id).where(User.email == "bench-citizen-0@bench.invalid")):
            now = utcnow()
            db.session.execute(
                db.insert(User),
                [
                    dict(
                        email=f"bench-citizen-{n}@bench.invalid",
                        password_hash="!",
                        role=Role.CITIZEN,
                        full_name=_name(rng),
                        phone=f"09{n:08d}",
                        personal_id=f"99{n:010d}",
                        created_at=now,
                        email_confirmed_at=now,
                    )
                    for n in range(APPLICANTS)
                ]
                + [
                    dict(
                        email=f"bench-specialist-{n}@bench.invalid",
                        password_hash="!",
                        role=Role.SPECIALIST,
                        full_name=f"Chuyên viên {_name(rng)}",
                        created_at=now,
                    )
                    for n in range(SPECIALISTS)
                ],
            )
    bench = User.email.like("bench-%")  # a specialist made to sign in for a measure joins the pool
    applicants = db.session.execute(
        db.select(User.id, User.full_name, User.phone).where(bench, User.role == Role.CITIZEN)
    ).all()
    specialists = db.session.scalars(db.select(User.id).where(bench, User.role == Role.SPECIALIST)).all()
    return [tuple(a) for a in applicants], list(specialists)


def _name(rng: random.Random) -> str:
    return f"{rng.choice(SURNAMES)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"


def _row(rng, number, state, versions, applicants, specialists, today, now) -> dict:
    owner_id, name, phone = rng.choice(applicants)
    submitted = now - timedelta(minutes=rng.randrange(10, 365 * 24 * 60))
    received = None if state in NOT_RECEIVED else submitted + timedelta(hours=rng.randrange(1, 48))
    # Due dates spread from 30 days ago to 30 days ahead, so that some are overdue and some due soon.
    due = today + timedelta(days=rng.randrange(-30, 30)) if received else None
    decided = received + timedelta(days=rng.randrange(1, 20)) if state in DECIDED and received else None
    return dict(
        code=None if state == S.DRAFT else f"{CODE_PREFIX}{number:09d}",
        owner_id=owner_id,
        procedure_version_id=rng.choice(versions),
        status=state.value,
        form_data=[],
        applicant_name=name,
        lookup_phone=phone,
        channel="online" if rng.random() < 0.85 else "desk",
        assignee_id=None if state in NOT_ASSIGNED else rng.choice(specialists),
        submitted_at=None if state == S.DRAFT else submitted,
        received_at=received,
        due_date=due,
        original_due_date=due,
        supplement_count=1 if rng.random() < 0.1 and state in (S.SUBMITTED, S.UNDER_APPRAISAL) else 0,
        decided_at=decided,
        completed_on_time=(decided.date() <= due) if decided and due else None,
        returned_at=decided if state == S.RETURNED else None,
        stop_requested_at=submitted if state in (S.STOP_REQUESTED, S.STOPPED) else None,
        stopped_at=submitted if state == S.STOPPED else None,
        withdrawn_at=submitted if state == S.WITHDRAWN else None,
        created_at=submitted,
        updated_at=decided or received or submitted,
        version=1,
    )
