"""Who may see and change which dossier: the owner, the one-stop desk, the assigned specialist, no one else."""

from __future__ import annotations

import pytest

from service.database import begin_write
from service.dossiers.models import Dossier
from service.extensions import db
from tests.factories import create_citizen, create_dossier, create_official, login, refused, row_counts


def owner_urls(dossier) -> list[str]:
    file_id = dossier.files[0].id
    return [
        f"/dossiers/{dossier.id}",
        f"/dossiers/{dossier.id}/files/{file_id}",
        f"/dossiers/{dossier.id}/edit",
        f"/dossiers/{dossier.id}/attachments",
        f"/dossiers/{dossier.id}/review",
        f"/dossiers/{dossier.id}/submitted",
    ]


def test_another_citizen_gets_404_everywhere_and_changes_nothing(client):
    owner, intruder = create_citizen(), create_citizen()
    dossier = create_dossier(owner)
    login(client, intruder)
    for url in owner_urls(dossier):
        assert client.get(url).status_code == 404, url
    for url, data in [
        (f"/dossiers/{dossier.id}/edit", {"student_full_name": "Kẻ gian", "action": "save"}),
        (f"/dossiers/{dossier.id}/submit", {}),
        (f"/dossiers/{dossier.id}/delete", {}),
        (f"/dossiers/{dossier.id}/files/{dossier.files[0].id}/delete", {}),
        (f"/dossiers/{dossier.id}/withdraw", {"reason": "x"}),
    ]:
        assert client.submit(url, data).status_code == 404, url
    unchanged = db.session.get(Dossier, dossier.id)
    assert unchanged.status == "draft" and len(unchanged.files) == len(dossier.files)
    assert ["student_full_name", "Kẻ gian"] not in unchanged.form_data


def test_the_one_stop_desk_and_leaders_see_submitted_dossiers_and_their_files(client):
    dossier = create_dossier(create_citizen(), submitted=True)
    for role in ("reception", "leader"):
        login(client, create_official(role))
        assert client.get(f"/dossiers/{dossier.id}").status_code == 200
        download = client.get(f"/dossiers/{dossier.id}/files/{dossier.files[0].id}")
        assert download.status_code == 200 and download.data.startswith(b"%PDF")
        assert dossier.code in client.get("/officials/dossiers?list=all").get_data(as_text=True)
        client.submit("/account/logout")


def test_officials_never_see_drafts(client):
    owner = create_citizen()
    dossier = create_dossier(owner)
    login(client, create_official("reception"))
    assert owner.full_name not in refused(client.get(f"/dossiers/{dossier.id}"), 404)


def test_a_specialist_sees_only_dossiers_assigned_to_them(client):
    dossier = create_dossier(create_citizen(), submitted=True)
    specialist = create_official("specialist")
    login(client, specialist)
    assert dossier.code not in refused(client.get(f"/dossiers/{dossier.id}"), 404)
    refused(client.get(f"/dossiers/{dossier.id}/files/{dossier.files[0].id}"), 404)
    begin_write()
    db.session.get(Dossier, dossier.id).assignee_id = specialist.id
    db.session.commit()
    page = client.get(f"/dossiers/{dossier.id}")
    assert page.status_code == 200 and dossier.code in page.get_data(as_text=True)


@pytest.mark.parametrize("role", ["accountant", "admin"])
def test_officials_without_a_right_to_dossiers_are_refused(client, role):
    dossier = create_dossier(create_citizen(), submitted=True)
    login(client, create_official(role))
    assert dossier.code not in refused(client.get(f"/dossiers/{dossier.id}"), 404)
    refused(client.get(f"/dossiers/{dossier.id}/files/{dossier.files[0].id}"), 404)
    assert dossier.code not in refused(client.get("/officials/dossiers"), 403)


@pytest.mark.parametrize("role", ["reception", "specialist", "leader", "accountant", "admin"])
def test_officials_cannot_file_dossiers(client, role):
    from tests.factories import load_catalogue

    load_catalogue()
    login(client, create_official(role))
    refused(client.submit("/dossiers/new/1.005144.000.00.00.H01"), 403)
    assert row_counts(Dossier) == (0,)  # no draft was started
    refused(client.get("/dossiers"), 403)


def test_a_person_cannot_file_an_organisation_procedure(client):
    from tests.factories import ORGANISATION_PROCEDURE, load_catalogue

    load_catalogue()
    login(client, create_citizen())
    response = client.submit(f"/dossiers/new/{ORGANISATION_PROCEDURE}")
    assert response.status_code == 403
    assert "Thủ tục này chỉ dành cho tổ chức" in response.get_data(as_text=True)


def test_anonymous_users_are_sent_to_login(client):
    dossier = create_dossier(create_citizen())
    response = client.get(f"/dossiers/{dossier.id}")
    assert response.status_code == 302 and "/account/login" in response.location
    assert client.get("/api/v1/procedures").status_code == 200


def test_uploaded_files_are_downloaded_never_shown_in_the_browser(client):
    """An uploaded PDF may carry JavaScript: opened inline it would run under our origin."""
    citizen = create_citizen()
    dossier = create_dossier(citizen, submitted=True)
    login(client, create_official("reception"))
    url = f"/dossiers/{dossier.id}/files/{dossier.files[0].id}"
    for response in (client.get(url), client.get(url + "?preview=1")):
        assert response.headers["Content-Disposition"].startswith("attachment;")
        assert response.headers["Content-Type"] == "application/pdf"
    assert "preview=1" not in client.get(f"/dossiers/{dossier.id}").get_data(as_text=True)
