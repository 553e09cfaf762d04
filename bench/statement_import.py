"""Seconds to import a statement of N lines (default 100,000: a large school's month of transfers), then
the same file again (every line a duplicate), on the database DATABASE_URL names (SQLite by default; a
throwaway file), with the memory the process grew by.

    .venv/bin/python bench/statement_import.py [LINES]
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/gdnn_bench .venv/bin/python bench/statement_import.py
"""

from __future__ import annotations

import os
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main(lines: int) -> None:
    workdir = tempfile.mkdtemp(prefix="gdnn-bench-")
    os.environ.setdefault("APP_ENV", "development")  # the demo settings: production is the default
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{workdir}/bench.sqlite3")
    os.environ.setdefault("UPLOAD_FOLDER", f"{workdir}/uploads")
    os.environ["STATEMENT_MAX_BYTES"] = str(100 * 1024 * 1024)
    from flask_migrate import upgrade

    from service import create_app
    from service.accounts import operations as accounts
    from service.extensions import db
    from service.schools import statements
    from service.schools.models import School

    app = create_app()
    with app.app_context(), app.test_request_context():
        upgrade()
        school = School(code=f"S{int(time.time()) % 100000}", name="Trường thử", kind="college")
        db.session.add(school)
        db.session.commit()
        user = accounts.create_official(
            f"bench{school.id}@example.vn",
            "accountant",
            "Bench",
            "ba-con-meo-trang-2026",
            school_id=school.id,
        )
        body = "\n".join(
            f"{900000000 + n},CK hoc phi sinh vien SV{n:06d} HK1,{1_500_000 + n % 7 * 1000},{1 + n % 28:02d}/10/2026"
            for n in range(lines)
        )
        data = ("Mã giao dịch,Nội dung,Số tiền,Ngày\n" + body + "\n").encode("utf-8")
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

        start = time.perf_counter()
        first = statements.import_csv(school.id, "bank", data, user.id)
        imported = time.perf_counter()
        second = statements.import_csv(school.id, "bank", data, user.id)
        again = time.perf_counter()
        grown = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
        dialect = db.engine.dialect.name

    assert first.added == lines and second.duplicates == lines, (first, second)
    print(f"{dialect}, {lines:,} lines, {len(data) / 1e6:.1f} MB")
    print(f"import         {imported - start:6.2f} s  ({lines / (imported - start):,.0f} lines/s)")
    print(f"same file again {again - imported:6.2f} s  (every line a duplicate)")
    print(f"peak memory grew by {grown:.0f} MB")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
