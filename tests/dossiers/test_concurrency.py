"""Concurrent writers on one record never lose an update (SQLite write lock, PostgreSQL row locks)."""

from __future__ import annotations

import re

from service.accounts.models import User
from service.database import begin_write, for_update
from service.dossiers import operations
from service.dossiers.models import Dossier, DossierEvent
from service.extensions import db
from tests.factories import create_citizen, create_dossier
from tests.support.threads import run_together

THREADS = 6


def test_read_modify_write_in_a_write_transaction_loses_nothing(app):
    citizen = create_citizen()
    dossier = create_dossier(citizen, files=False)
    dossier_id, start = dossier.id, dossier.version  # plain values: the threads must not touch this session

    def bump(_):
        for _ in range(5):
            begin_write()
            row = db.session.scalar(for_update(db.select(Dossier).where(Dossier.id == dossier_id)))
            row.version = row.version + 1
            db.session.commit()

    run_together(app, THREADS, bump)
    assert db.session.get(Dossier, dossier_id).version == start + THREADS * 5


def test_simultaneous_submits_of_one_dossier_submit_it_once(app):
    citizen = create_citizen()
    dossier_id, citizen_id = create_dossier(citizen).id, citizen.id

    def submit(_):
        return operations.submit(dossier_id, db.session.get(User, citizen_id))[1]

    newly = run_together(app, THREADS, submit)
    assert newly.count(True) == 1
    events = db.session.scalars(db.select(DossierEvent).where(DossierEvent.event == "submit")).all()
    assert len(events) == 1


def test_dossier_codes_stay_unique_and_gapless_under_concurrent_submissions(app):
    citizens = [create_citizen() for _ in range(THREADS)]
    pairs = [(create_dossier(c).id, c.id) for c in citizens]

    def submit(i):
        dossier_id, citizen_id = pairs[i]
        return operations.submit(dossier_id, db.session.get(User, citizen_id))[0].code

    codes = run_together(app, THREADS, submit)
    numbers = sorted(int(re.search(r"-(\d{4})$", code).group(1)) for code in codes)
    assert numbers == list(range(1, THREADS + 1))


def test_two_saves_from_the_same_page_version_one_wins_one_is_told(app):
    citizen = create_citizen()
    dossier = create_dossier(citizen, files=False)
    dossier_id, citizen_id, version = dossier.id, citizen.id, dossier.version

    def save(i):
        try:
            operations.save_form(
                dossier_id, db.session.get(User, citizen_id), [("student_full_name", f"Bản {i}")], version
            )
        except operations.StaleDraft:
            return "stale"
        return "saved"

    outcomes = run_together(app, 2, save)
    assert sorted(outcomes) == ["saved", "stale"]


def test_two_officials_acting_at_once_exactly_one_wins(app):
    from service.dossiers import processing
    from tests.factories import create_official

    dossier_id = create_dossier(create_citizen(), submitted=True).id
    first, second = create_official("reception").id, create_official("reception").id
    version = db.session.get(Dossier, dossier_id).version
    actions = [(first, "receive", {}), (second, "refuse", {"reason": "Không thuộc thẩm quyền"})]

    def act(i):
        user_id, event, data = actions[i]
        try:
            processing.act(dossier_id, db.session.get(User, user_id), event, data, version)
        except processing.StaleAction as refused:
            return refused.message
        return event

    outcomes = run_together(app, 2, act)
    winners = [o for o in outcomes if o in ("receive", "refuse")]
    losers = [o for o in outcomes if o not in ("receive", "refuse")]
    assert len(winners) == 1 and len(losers) == 1
    assert "vừa được người khác xử lý" in losers[0]
    final = db.session.get(Dossier, dossier_id)
    assert final.status == {"receive": "received", "refuse": "refused"}[winners[0]]
    assert len([e for e in final.events if e.event in ("receive", "refuse")]) == 1


def test_document_numbers_stay_unique_and_gapless_under_concurrent_issuing(app):
    from service.documents import issuing
    from service.documents.samples import SAMPLES

    def issue(i):
        with app.test_request_context():
            return issuing.issue("decision", SAMPLES["decision.html"], "Nguyễn Văn A", None, None).number

    numbers = run_together(app, 4, issue)
    assert sorted(int(n.split("/")[0]) for n in numbers) == [1, 2, 3, 4]
