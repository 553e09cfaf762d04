"""Milliseconds for each officials' worklist, signed in over HTTP (Flask's test client: the whole
request, session, second factor, access check, queries and template), at each size given, on the
database DATABASE_URL names (an empty one: the script migrates it, loads the catalogue and fills it with
`flask bench seed-dossiers`' generator, growing from one size to the next).

    createdb ... bench_worklists
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/bench_worklists .venv/bin/python bench/worklists.py 10000 1000000

Median of ROUNDS requests after two warm-ups, per list.
"""

from __future__ import annotations

import gc
import os
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

# BENCH_CODE_ROOT: another checkout of the application (say, the code before a change, from
# `git archive <commit> | tar -x -C /tmp/before`) measured on the same, already filled database.
BEFORE = os.environ.get("BENCH_CODE_ROOT")
sys.path.insert(0, BEFORE or str(Path(__file__).resolve().parents[1]))

ROUNDS = 15
PASSWORD = "ba-con-meo-trang-2026"
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
DEEP_ROWS = 10_000  # "page 400" of 25 rows, reached by its cursor


def main(sizes: list[int]) -> None:
    workdir = tempfile.mkdtemp(prefix="gdnn-bench-")
    os.environ.setdefault("APP_ENV", "development")
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{workdir}/bench.sqlite3")
    os.environ.setdefault("UPLOAD_FOLDER", f"{workdir}/uploads")
    from flask_migrate import upgrade

    from service import create_app
    from service.accounts import operations as accounts
    from service.accounts import totp, twofactor
    from service.accounts.models import SecondFactor, User
    from service.database import write
    from service.dossiers.models import Dossier
    from service.extensions import db
    from service.procedures.catalogue import import_catalogue

    app = create_app(RATELIMIT_ENABLED=False)
    with app.app_context(), app.test_request_context():
        if not BEFORE:
            upgrade()
            import_catalogue()
        officials = {}
        for role in ("reception", "leader", "specialist"):
            # Made once and kept: the specialist belongs to the generator's pool (its email starts with
            # "bench-"), so it gets its share of the dossiers made after it.
            email = f"bench-{role}-signin@example.vn"
            user = db.session.scalar(db.select(User).where(User.email == email))
            user = user or accounts.create_official(email, role, f"Bench {role}", PASSWORD)
            secret = totp.new_secret()
            twofactor.enrol(user.id, secret)
            officials[role] = (user.id, email, secret)

    def sign_in(role: str):
        user_id, email, secret = officials[role]
        client = app.test_client()
        token = CSRF.search(client.get("/account/login").get_data(as_text=True)).group(1)
        client.post("/account/login", data={"email": email, "password": PASSWORD, "csrf_token": token})
        with app.app_context(), write():
            db.session.get(SecondFactor, user_id).last_used_step = None
        code = totp.code_at(secret, totp.current_step())
        token = CSRF.search(client.get("/account/two-factor").get_data(as_text=True)).group(1)
        page = client.post("/account/two-factor", data={"code": code, "csrf_token": token})
        assert page.status_code == 302, page.status_code
        return client

    def measure(client, url: str) -> float:
        for _ in range(2):
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
        samples = []
        for _ in range(ROUNDS):
            start = time.perf_counter()
            client.get(url)
            samples.append((time.perf_counter() - start) * 1000)
        return statistics.median(samples)

    results: dict[str, dict[int, float]] = {}
    for size in sizes:
        with app.app_context():
            if BEFORE:  # measured as it is: page 401 by OFFSET
                deep = f"page={DEEP_ROWS // 25 + 1}"
            else:
                from service.backoffice.queries import encode_cursor
                from service.dossiers.bench import seed_dossiers
                from service.dossiers.models import SORT_KEY

                have = db.session.scalar(db.select(db.func.count()).select_from(Dossier))
                started = time.perf_counter()
                seed_dossiers(size - have, seed=size)
                print(f"{size:,} dossiers: built in {time.perf_counter() - started:.0f} s", flush=True)
                row = db.session.scalars(
                    db.select(Dossier)
                    .where(Dossier.status != "draft")
                    .order_by(SORT_KEY, Dossier.id)
                    .offset(min(DEEP_ROWS, size // 2))
                    .limit(1)
                ).one()
                deep = f"after={encode_cursor(row)}"
            middle = db.session.scalars(
                db.select(Dossier)
                .where(Dossier.status != "draft")
                .order_by(Dossier.id)
                .offset(size // 2)
                .limit(1)
            ).one()
            code, name = middle.code, middle.applicant_name
            middle_given = " ".join(name.split()[1:])
        # As wsgi.py does after the start: what is loaded by now is frozen out of the collector's passes.
        gc.collect()
        gc.freeze()
        reception, specialist = sign_in("reception"), sign_in("specialist")
        lists = [
            ("reception's default (chờ tiếp nhận)", reception, "/officials/dossiers"),
            ("all (tất cả)", reception, "/officials/dossiers?list=all"),
            ("all, 10,000 rows deep (page 401)", reception, f"/officials/dossiers?list=all&{deep}"),
            ("search by exact code", reception, f"/officials/dossiers?list=all&q={code}"),
            ("search by full name", reception, f"/officials/dossiers?list=all&q={name}"),
            ("search by middle and given name", reception, f"/officials/dossiers?list=all&q={middle_given}"),
            ("search by surname", reception, f"/officials/dossiers?list=all&q={name.split()[0]}"),
            ("overdue (quá hạn)", reception, "/officials/dossiers?list=overdue"),
            ("a specialist's own (được giao)", specialist, "/officials/dossiers"),
        ]
        for label, client, url in lists:
            results.setdefault(label, {})[size] = measure(client, url)
            print(f"  {label}: {results[label][size]:.1f} ms", flush=True)
    print()
    print("| list | " + " | ".join(f"{s:,} ms" for s in sizes) + " |")
    print("|---|" + "---:|" * len(sizes))
    for label, figures in results.items():
        print(f"| {label} | " + " | ".join(f"{figures[s]:.0f}" for s in sizes) + " |")


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [10_000])
