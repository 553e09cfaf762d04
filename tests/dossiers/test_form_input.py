"""Forms that never lose input: Enter saves the draft, row buttons come back to their table, errors
are shown at the field (and listed at the top), upload errors at the document they concern."""

from __future__ import annotations

import io
import re

from service.divisions import ward_choices
from service.dossiers.models import Dossier
from service.extensions import db
from tests.factories import (
    ORGANISATION_PROCEDURE,
    create_citizen,
    create_dossier,
    create_official,
    create_organisation,
    login,
)
from tests.support.documents import through
from tests.support.filing import save, start


def eform(page: str) -> str:
    return page.split('class="panel form"')[1].split("</form>")[0]


def test_enter_in_a_field_saves_the_draft_and_keeps_every_row(client):
    organisation = create_organisation()
    login(client, organisation)
    dossier_id = start(client, ORGANISATION_PROCEDURE)
    rows = [("occupations-0-occupation_name", "Điện công nghiệp"), ("occupations-1-occupation_name", "Hàn")]
    save(client, dossier_id, rows)
    form = eform(client.get(f"/dossiers/{dossier_id}/edit").get_data(as_text=True))
    # A browser's Enter presses the form's first submit button and posts its name and value.
    first = re.search(r"<button[^>]*type=\"submit\"[^>]*>", form).group(0)
    assert 'name="action"' in first and 'value="save"' in first
    action = re.search(r'value="([^"]+)"', first).group(1)
    page = save(client, dossier_id, rows, action).get_data(as_text=True)
    assert 'value="Điện công nghiệp"' in page and 'value="Hàn"' in page
    saved = db.session.get(Dossier, dossier_id).form_data
    assert ["occupations-0-occupation_name", "Điện công nghiệp"] in saved
    assert ["occupations-1-occupation_name", "Hàn"] in saved


def test_adding_or_removing_a_row_comes_back_to_the_table(client):
    organisation = create_organisation()
    login(client, organisation)
    dossier_id = start(client, ORGANISATION_PROCEDURE)
    form = eform(client.get(f"/dossiers/{dossier_id}/edit").get_data(as_text=True))
    assert 'id="field-occupations"' in form
    for action in ("add_row:occupations", "remove_row:occupations:0"):
        button = re.search(rf'<button[^>]*value="{action}"[^>]*>', form).group(0)
        assert f'formaction="/dossiers/{dossier_id}/edit#field-occupations"' in button


def test_errors_are_listed_at_the_top_with_links_to_their_fields(client):
    organisation = create_organisation()
    login(client, organisation)
    dossier_id = start(client, ORGANISATION_PROCEDURE)
    hanoi_ward = ward_choices(1)[0][0]
    page = save(
        client, dossier_id, [("head_office_address-province", "91"), ("head_office_address-ward", hanoi_ward)]
    ).get_data(as_text=True)
    summary = page.split('id="error-summary"')[1].split("</div>")[0]
    assert 'href="#field-head_office_address"' in summary
    assert 'id="field-head_office_address"' in page
    at_field = page.split('id="field-head_office_address"')[1].split("</fieldset>")[0]
    assert "Xã, phường không thuộc tỉnh, thành phố đã chọn" in at_field


def test_a_refused_upload_is_explained_at_its_document(client):
    citizen = create_citizen()
    login(client, citizen)
    dossier_id = start(client)
    key = db.session.get(Dossier, dossier_id).procedure_version.documents[0]["key"]
    response = client.submit(
        f"/dossiers/{dossier_id}/attachments/{key}", {"file": (io.BytesIO(b"not a pdf"), "don.pdf")}
    )
    assert response.status_code == 302 and response.location.endswith(f"#doc-{key}")
    page = client.get(response.location).get_data(as_text=True)
    section = page.split(f'id="doc-{key}"')[1].split("</section>")[0]
    assert "Không nhận tệp “don.pdf”" in section
    assert "Không nhận tệp" not in page.split("<main")[1].split("<h1")[0]  # not among the messages at the top


def test_a_refused_supplement_upload_is_explained_at_its_document(client):
    citizen = create_citizen()
    dossier = create_dossier(citizen, submitted=True)
    through(
        dossier, [(create_official("reception"), "request_supplement", {"reason": "Thiếu bản sao bằng."})]
    )
    login(client, citizen)
    key = dossier.procedure_version.documents[0]["key"]
    response = client.submit(
        f"/dossiers/{dossier.id}/attachments/{key}", {"file": (io.BytesIO(b"not a pdf"), "bang.pdf")}
    )
    assert response.location.endswith(f"/dossiers/{dossier.id}#doc-{key}")
    page = client.get(response.location).get_data(as_text=True)
    at_document = page.split(f'id="doc-{key}"')[1].split("</form>")[0]
    assert "Không nhận tệp “bang.pdf”" in at_document


def test_every_e_form_field_tells_a_screen_reader_what_it_needs_and_what_went_wrong(client):
    """Issue 16 item 6: aria-required, aria-invalid and aria-describedby (its hint, its error) on every
    e-form field, and a skip link to the page's content."""
    organisation = create_organisation()
    login(client, organisation)
    dossier_id = start(client, ORGANISATION_PROCEDURE)
    page = client.get(f"/dossiers/{dossier_id}/edit").get_data(as_text=True)
    assert '<a class="skip-link" href="#main">Bỏ qua, đến nội dung chính</a>' in page
    inputs = re.findall(r"<(?:input|select|textarea)\b[^>]*>", eform(page))
    fields = [i for i in inputs if 'type="hidden"' not in i and 'name="csrf_token"' not in i]
    assert fields and all('aria-required="' in i and 'aria-invalid="false"' in i for i in fields), fields
    email = next(i for i in fields if 'name="email"' in i)
    assert 'aria-required="true"' in email

    page = save(client, dossier_id, [("email", "không-phải-email")]).get_data(as_text=True)
    email = re.search(r'<input[^>]*name="email"[^>]*>', page).group(0)
    assert 'aria-invalid="true"' in email
    described = re.search(r'aria-describedby="([^"]+)"', email).group(1).split()
    error_id = next(d for d in described if d.startswith("error-"))
    error = page.split(f'id="{error_id}"', 1)[1].split("</div>", 1)[0]
    assert 'class="error-text"' in error
