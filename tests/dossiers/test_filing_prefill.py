"""A new draft starts with what the account (and VNeID) knows about the applicant, editable."""

from __future__ import annotations

from datetime import date

from service.accounts.models import User
from service.database import write
from service.dossiers.models import Dossier
from service.extensions import db
from tests.factories import ORGANISATION_PROCEDURE, create_citizen, create_organisation, login
from tests.support.filing import save, start


def test_a_citizens_new_draft_starts_with_their_name_number_and_phone(client):
    citizen = create_citizen(full_name="Lê Thị Hoa", personal_id="089301000123", phone="0987654321")
    login(client, citizen)
    dossier_id = start(client)
    page = client.get(f"/dossiers/{dossier_id}/edit").get_data(as_text=True)
    assert 'name="student_full_name" type="text" value="Lê Thị Hoa"' in page
    assert 'value="089301000123"' in page and 'value="0987654321"' in page
    assert "được điền sẵn từ tài khoản của bạn" in page


def test_the_date_of_birth_vneid_gave_is_filled_in_too(client):
    citizen = create_citizen()
    with write():  # as a VNeID login keeps them (service/accounts/vneid_accounts.py)
        account = db.session.get(User, citizen.id)
        account.birth_date, account.vneid_tech_id = date(2007, 3, 9), "tech-prefill-1"
    login(client, citizen)
    dossier_id = start(client)
    page = client.get(f"/dossiers/{dossier_id}/edit").get_data(as_text=True)
    assert 'type="date" value="2007-03-09"' in page
    assert "(theo thông tin định danh VNeID)" in page


def test_a_prefilled_value_can_be_changed(client):
    citizen = create_citizen(full_name="Phạm Văn Cha")
    login(client, citizen)
    dossier_id = start(client)
    save(client, dossier_id, [("student_full_name", "Phạm Thị Con")])
    assert ["student_full_name", "Phạm Thị Con"] in db.session.get(Dossier, dossier_id).form_data
    page = client.get(f"/dossiers/{dossier_id}/edit").get_data(as_text=True)
    assert 'value="Phạm Thị Con"' in page and 'value="Phạm Văn Cha"' not in page


def test_an_organisations_draft_starts_with_its_name_and_representative(client):
    organisation = create_organisation()
    login(client, organisation)
    dossier_id = start(client, ORGANISATION_PROCEDURE)
    page = client.get(f"/dossiers/{dossier_id}/edit").get_data(as_text=True)
    assert f'value="{organisation.organisation_name}"' in page
    assert 'value="Trần Thị Đại Diện"' in page and f'value="{organisation.email}"' in page
