"""A paper applicant's supplement entered at the desk (issue 17): the applicant of a dossier filed at the
desk or by post has no account to send a supplement with, so reception scans what they hand in or post
(marked as digitised) and sends the supplement for them. During processing the period restarts and a
new form 01 is drawn, as for an online supplement; only the dossier's own desk may do it."""

from __future__ import annotations

import io

import pytest

from service.database import write
from service.deadlines.calendar import current_calendar
from service.documents.jobs import run_pending
from service.dossiers import processing
from service.dossiers.models import Dossier, DossierFile
from service.dossiers.samples import sample_file
from service.extensions import db
from service.timeutil import local_today, to_local, utcnow
from tests.factories import (
    create_citizen,
    create_dossier,
    create_official,
    login,
    procedure_version,
    row_counts,
)
from tests.support.desk import file_url, filed_for, paper_filing
from tests.support.documents import documents_of
from tests.support.faults import page_version
from tests.support.processing import as_, fresh

LONG_XUYEN = "30307"  # phường Long Xuyên (vietnam-provinces): a commune's centre


@pytest.fixture
def staff():
    return {role: create_official(role) for role in ("reception", "specialist")}


def on_paper(client, desk, channel="desk", **extra) -> Dossier:
    """A paper dossier filed and received at the desk."""
    login(client, desk)
    applicant = create_citizen()
    data = paper_filing(procedure_version(), **extra)
    answer = client.submit(file_url(applicant, channel), data, content_type="multipart/form-data")
    assert answer.status_code == 302, answer.get_data(as_text=True)[:2000]
    return filed_for(applicant)


def asked_in_processing(dossier, staff) -> Dossier:
    """Assigned, appraised, and the specialist asks for a supplement."""
    for actor, event, data in [
        (staff["reception"], "assign", {"assignee_id": staff["specialist"].id}),
        (staff["specialist"], "start_appraisal", {}),
        (staff["specialist"], "request_supplement", {"reason": "Bổ sung bản sao sổ hộ khẩu"}),
    ]:
        processing.act(dossier.id, actor, event, data, None)
    return fresh(dossier)


def scans_for(dossier, note="Người nộp mang đến quầy ngày hôm nay") -> dict:
    document = dossier.procedure_version.documents[0]
    content, name = sample_file(document["file_types"], document["key"])
    return {f"scan-{document['key']}": (io.BytesIO(content), name), "note": note}


def send(client, dossier, data: dict, version: str | None = None):
    version = version or page_version(client, dossier.id)
    return client.submit(
        f"/officials/desk/dossiers/{dossier.id}/supplement",
        {**data, "version": version},
        content_type="multipart/form-data",
    )


def test_the_desk_enters_a_paper_supplement_and_the_period_restarts(client, staff):
    dossier = asked_in_processing(on_paper(client, staff["reception"]), staff)
    assert dossier.status == "supplement_requested"
    page = client.get(f"/dossiers/{dossier.id}").get_data(as_text=True)
    assert (
        "Nhận hồ sơ bổ sung bản giấy" in page and f"/officials/desk/dossiers/{dossier.id}/supplement" in page
    )
    with write():  # received long ago: due today
        db.session.get(Dossier, dossier.id).due_date = local_today()
    run_pending()
    [first_slip] = documents_of(dossier, "form_01")

    answer = send(client, dossier, scans_for(dossier))
    assert answer.status_code == 302, answer.get_data(as_text=True)[:2000]
    done = fresh(dossier)
    assert done.status == "under_appraisal" and done.code == dossier.code
    step = done.events[-1]
    assert step.event == "supplement" and step.actor_id == staff["reception"].id and step.on_time is None
    assert step.note == "Người nộp mang đến quầy ngày hôm nay"
    [added] = [f for f in done.files if f.event_id == step.id]
    assert added.digitised and added.uploaded_by_id == staff["reception"].id
    version = done.procedure_version
    now = to_local(utcnow()).replace(tzinfo=None)
    expected = current_calendar().due_date(now, done.processing_days, version.content.get("cutoff_hour"))
    assert done.due_date == expected and done.due_date > local_today()  # counted again from today
    run_pending()
    slips = documents_of(dossier, "form_01")
    assert slips[-1].id > first_slip.id and slips[-1].status == "valid"


def test_a_posted_supplement_at_reception_returns_the_dossier_to_the_desk(client, staff):
    login(client, staff["reception"])
    dossier = on_paper(client, staff["reception"], "post", outcome="request_supplement", **{
        "desk-reason": "Thiếu giấy xác nhận", "desk-received_on": local_today().isoformat(),
        "desk-postmarked_on": local_today().isoformat(),
    })  # fmt: skip
    assert dossier.status == "supplement_requested" and dossier.channel == "post"
    answer = send(client, dossier, scans_for(dossier, "Nhận qua bưu điện"))
    assert answer.status_code == 302
    assert fresh(dossier).status == "submitted"  # back at reception, to be checked and received


def test_nothing_to_send_or_an_online_dossier_is_refused_in_vietnamese(client, staff):
    dossier = asked_in_processing(on_paper(client, staff["reception"]), staff)
    before = row_counts(DossierFile)
    empty = send(client, dossier, {"note": ""})
    assert empty.status_code == 400 and "Vui lòng đính kèm bản quét" in empty.get_data(as_text=True)
    bad = scans_for(dossier)
    bad[next(k for k in bad if k.startswith("scan-"))] = (io.BytesIO(b"MZ\x90 not a scan"), "x.pdf")
    refused = send(client, dossier, bad)
    assert refused.status_code == 400 and "Nội dung tệp không phải" in refused.get_data(as_text=True)
    stale = send(client, dossier, scans_for(dossier), version="0")
    assert stale.status_code == 409
    assert row_counts(DossierFile) == before and fresh(dossier).status == "supplement_requested"

    online = create_dossier(create_citizen(), submitted=True)
    processing.act(online.id, staff["reception"], "request_supplement", {"reason": "Thiếu đơn"}, None)
    page = client.get(f"/dossiers/{online.id}").get_data(as_text=True)
    assert "Nhận hồ sơ bổ sung bản giấy" not in page
    answer = send(client, online, scans_for(online), str(fresh(online).version))
    assert answer.status_code == 400 and "người nộp tự gửi hồ sơ bổ sung" in answer.get_data(as_text=True)
    assert fresh(online).status == "supplement_requested"


def test_only_the_dossiers_own_desk_may_enter_it(client, staff):
    dossier = asked_in_processing(on_paper(client, staff["reception"]), staff)
    version = page_version(client, dossier.id)
    as_(client, staff["specialist"])
    assert send(client, dossier, scans_for(dossier), version).status_code == 403
    as_(client, create_official("reception", agency=LONG_XUYEN))
    assert send(client, dossier, scans_for(dossier), version).status_code == 404
    as_(client, dossier.owner if dossier.owner.email else create_citizen())
    assert send(client, dossier, scans_for(dossier), version).status_code == 403
    assert fresh(dossier).status == "supplement_requested"
