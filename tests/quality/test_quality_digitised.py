"""Decision 766's digitisation measure concerns paper: the reception official receiving a dossier filed at
the desk or by post attaches the scan of its components and confirms they are digitised; online filing
is electronic already and is not counted. Results count when they exist electronically."""

from __future__ import annotations

from service.database import begin_write
from service.dossiers.models import Dossier, DossierFile
from service.extensions import db
from service.quality import indicators
from service.timeutil import local_today
from tests.factories import create_citizen, create_dossier, create_official, pdf_upload
from tests.support.processing import act, as_, fresh

TODAY = indicators.Period(local_today(), local_today())
BOX = 'name="components_digitised"'


def paper_dossier(channel: str = "desk") -> Dossier:
    """A dossier handed in on paper: nothing electronic attached."""
    dossier = create_dossier(create_citizen(), submitted=True)
    begin_write()
    db.session.execute(db.delete(DossierFile).where(DossierFile.dossier_id == dossier.id))
    db.session.get(Dossier, dossier.id).channel = channel
    db.session.commit()
    return fresh(dossier)


def digitised() -> tuple[float, float]:
    found = {i.key: i for i in indicators.indicators(TODAY)}["digitised"]
    return found.numerator, found.denominator


def test_the_desk_scans_and_confirms_the_paper_components(client):
    dossier = paper_dossier("post")
    as_(client, create_official("reception"))
    assert BOX in client.get(f"/dossiers/{dossier.id}").get_data(as_text=True)
    page = act(client, dossier, "receive", components_digitised="y", attachment=pdf_upload("ban-quet.pdf"))
    assert "Đã thực hiện: Tiếp nhận hồ sơ" in page.get_data(as_text=True)
    received = fresh(dossier)
    assert received.status == "received" and received.components_digitised_at is not None
    step = next(e for e in received.events if e.event == "receive")
    assert step.note == "Đã số hóa thành phần hồ sơ giấy." and [f.original_name for f in step.files] == [
        "ban-quet.pdf"
    ]
    assert "thành phần hồ sơ đã được số hóa lúc" in client.get(f"/dossiers/{dossier.id}").get_data(
        as_text=True
    )
    assert digitised() == (1, 1)  # the one paper dossier received today; nothing decided yet


def test_a_paper_dossier_received_without_confirming_is_not_digitised(client):
    paper_dossier()
    online = create_dossier(create_citizen(), submitted=True)
    as_(client, create_official("reception"))
    for dossier in (fresh(online), *db.session.scalars(db.select(Dossier).where(Dossier.channel == "desk"))):
        act(client, dossier, "receive")
    assert digitised() == (0, 1)  # the online dossier is not in the measure at all


def test_confirming_without_a_scan_is_refused(client):
    dossier = paper_dossier()
    as_(client, create_official("reception"))
    page = act(client, dossier, "receive", components_digitised="y").get_data(as_text=True)
    assert "Vui lòng đính kèm bản quét thành phần hồ sơ giấy" in page
    assert fresh(dossier).status == "submitted" and fresh(dossier).components_digitised_at is None


def test_an_online_dossier_cannot_be_marked_digitised(client):
    dossier = create_dossier(create_citizen(), submitted=True)
    as_(client, create_official("reception"))
    assert BOX not in client.get(f"/dossiers/{dossier.id}").get_data(as_text=True)
    page = act(client, dossier, "receive", components_digitised="y", attachment=pdf_upload()).get_data(
        as_text=True
    )
    assert "Hồ sơ nộp trực tuyến đã là bản điện tử" in page
    assert fresh(dossier).components_digitised_at is None


def test_a_result_counts_when_it_exists_electronically():
    """Decided today: one whose decision (the provincial chairman's) was attached to the decision step,
    one whose only result document was revoked. Results: 1 of 2."""
    from service.dossiers.models import DossierEvent
    from service.timeutil import utcnow
    from tests.support.quality import result_issued

    attached, revoked = (create_dossier(create_citizen(), submitted=True) for _ in range(2))
    begin_write()
    for dossier in (attached, revoked):
        record = db.session.get(Dossier, dossier.id)
        record.status, record.decided_at, record.completed_on_time = "approved", utcnow(), True
    step = DossierEvent(
        dossier_id=attached.id, event="approve", from_status="forwarded", to_status="approved"
    )
    db.session.add(step)
    db.session.flush()
    db.session.get(DossierFile, attached.files[0].id).event_id = step.id  # the chairman's decision, scanned
    document = result_issued(revoked)
    document.status = "revoked"
    db.session.add(document)
    db.session.commit()
    assert digitised() == (1, 2)
