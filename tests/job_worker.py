"""A real job worker for the fault tests (tests/core/test_worker.py), started as a subprocess and killed there.

It is the application as the tests build it (TestConfig), with the database, upload folder, queue and
mail server taken from the environment, running the production command `flask jobs worker`. With
FAULT_RENDER_MARKER set, every document render first writes that file and then hangs, so that a test
can kill the worker in the middle of rendering, at a moment it knows.

    DATABASE_URL=... UPLOAD_FOLDER=... JOBS_URL=sqlite:///.../jobs.sqlite3 python tests/job_worker.py
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from config import TestConfig  # noqa: E402
from service import create_app  # noqa: E402

# Settings a test may give the worker, and how to read them from the environment.
SETTINGS = {
    "DATABASE_URL": ("SQLALCHEMY_DATABASE_URI", str),
    "UPLOAD_FOLDER": ("UPLOAD_FOLDER", str),
    "JOBS_URL": ("JOBS_URL", str),
    "MAIL_SERVER": ("MAIL_SERVER", str),
    "MAIL_PORT": ("MAIL_PORT", int),
    "JOB_LEASE_SECONDS": ("JOB_LEASE_SECONDS", int),
    "JOB_WORKERS": ("JOB_WORKERS", int),
}


def overrides() -> dict:
    return {key: cast(os.environ[name]) for name, (key, cast) in SETTINGS.items() if name in os.environ}


def hang_in_render(marker: str) -> None:
    from service.documents.renderer import Renderer

    def render(self, template, data):
        Path(marker).write_text(template)
        time.sleep(600)  # until the test kills the process
        raise RuntimeError("the test should have killed this worker")

    Renderer.render = render


def main() -> None:
    if not os.environ.get("JOBS_URL", "").startswith(("sqlite:///", "redis://")):
        raise SystemExit("JOBS_URL must name the test's own queue (sqlite:///... or redis://...)")
    app = create_app(TestConfig, **overrides())
    if os.environ.get("FAULT_RENDER_MARKER"):
        hang_in_render(os.environ["FAULT_RENDER_MARKER"])
    with app.app_context():
        app.cli.main(args=["jobs", "worker"], prog_name="flask jobs", standalone_mode=False)


if __name__ == "__main__":
    main()
