"""Downloadable templates of a procedure's prescribed forms (issue 16 item 2): the procedure's page and
the filing pages link each form of the catalogue version; the download is a PDF drawn from the e-form
with the form's title, number, legal basis and every field."""

from __future__ import annotations

import shutil

import pytest

from service.database import write
from service.extensions import db
from service.procedures.catalogue import CATALOGUE_DIR, CatalogueError, import_catalogue
from service.procedures.models import Procedure
from tests.factories import (
    ORGANISATION_PROCEDURE,
    PERSON_PROCEDURE,
    create_citizen,
    create_dossier,
    load_catalogue,
    login,
    procedure_version,
)
from tests.support.documents import text_of

NO_FORM_PROCEDURE = "1.000138.000.00.00.H01"  # its application letter has no prescribed form
TUITION_PROCEDURE = "1.005144.000.00.00.H01"  # its application form is issued by Decree 238/2025, unnumbered


def _template_url(version, document: str) -> str:
    return f"/procedures/{version.code}/v{version.number}/forms/{document}.pdf"


def test_the_procedure_page_links_each_form_and_the_download_is_the_blank_form(client):
    load_catalogue()
    version = procedure_version(ORGANISATION_PROCEDURE)
    [form] = version.forms
    url = _template_url(version, "registration_letter")
    page = client.get(f"/procedures/{version.code}").get_data(as_text=True)
    assert f'href="{url}"' in page and "Mẫu đơn, tờ khai" in page
    assert "Tải mẫu: Văn bản đăng ký hoạt động giáo dục nghề nghiệp (Mẫu số 04 Phụ lục V) – PDF" in page

    response = client.get(url)
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    text = " ".join(text_of(response.data).split())
    assert "VĂN BẢN ĐĂNG KÝ HOẠT ĐỘNG GIÁO DỤC NGHỀ NGHIỆP" in text
    assert "Mẫu số 04 Phụ lục V" in text and "Nghị định số 143/2016/NĐ-CP" in text
    assert f"{version.code} (phiên bản {version.number})" in text
    for field in version.fields:
        assert field["label"] in text, field["label"]
    for column in next(f for f in version.fields if f["type"] == "table")["columns"]:
        assert column["label"] in text
    assert "Tôi xin cam đoan" in text and form["title"] in text


def test_an_unnumbered_form_names_the_act_that_issues_it(client):
    load_catalogue()
    version = procedure_version(TUITION_PROCEDURE)
    text = " ".join(text_of(client.get(_template_url(version, "application_form")).data).split())
    assert "ĐƠN ĐỀ NGHỊ MIỄN, GIẢM HỌC PHÍ" in text
    assert "Mẫu ban hành kèm theo Nghị định số 238/2025/NĐ-CP" in text
    for field in version.fields:
        assert field["label"] in text, field["label"]
    assert "Công lập" in text and "Tư thục" in text  # a choice's options, to tick


def test_a_procedure_without_a_prescribed_form_offers_none_and_unknown_forms_are_404(client):
    load_catalogue()
    version = procedure_version(NO_FORM_PROCEDURE)
    page = client.get(f"/procedures/{version.code}").get_data(as_text=True)
    assert "Mẫu đơn, tờ khai" not in page and "/forms/" not in page
    assert client.get(_template_url(version, "application_letter")).status_code == 404
    person = procedure_version(PERSON_PROCEDURE)
    assert client.get(_template_url(person, "birth_certificate")).status_code == 404  # not a form
    assert client.get(f"/procedures/{person.code}/v99/forms/application_form.pdf").status_code == 404
    assert client.get("/procedures/9.999999/v1/forms/application_form.pdf").status_code == 404


def test_the_filing_pages_link_the_forms_of_the_version_the_draft_is_filed_under(client):
    citizen = create_citizen()
    dossier = create_dossier(citizen, PERSON_PROCEDURE, files=False)
    url = _template_url(dossier.procedure_version, "application_form")
    login(client, citizen)
    edit = client.get(f"/dossiers/{dossier.id}/edit").get_data(as_text=True)
    assert f'href="{url}"' in edit and "Mẫu đơn, tờ khai của thủ tục (tải về)" in edit
    attachments = client.get(f"/dossiers/{dossier.id}/attachments").get_data(as_text=True)
    section = attachments.split('id="doc-application_form"')[1].split("</section>")[0]
    assert f'href="{url}"' in section
    assert "/forms/" not in attachments.split('id="doc-birth_certificate"')[1]  # only the form's document


def test_an_unpublished_procedures_forms_are_not_served(client):
    load_catalogue()
    version = procedure_version(PERSON_PROCEDURE)
    url = _template_url(version, "application_form")
    assert client.get(url).status_code == 200
    with write():
        version.procedure.is_published = False
    assert client.get(url).status_code == 404


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            ('document = "application_form"', 'document = "no_such_document"'),
            "must name one of the documents",
        ),
        (
            (
                'legal_basis = "Nghị định số 238/2025/NĐ-CP ngày',
                'legal_basis = "Nghị định số 999/2025/NĐ-CP ngày',
            ),
            "legal_basis must be one of",
        ),
        (('title = "Đơn đề nghị miễn, giảm học phí"', 'title = ""'), "has no title"),
    ],
)
def test_a_form_must_name_a_document_a_title_and_one_of_the_legal_bases(tmp_path, change, message):
    directory = tmp_path / "procedures"
    shutil.copytree(CATALOGUE_DIR, directory)
    path = directory / "1.005144.toml"
    original = path.read_text(encoding="utf-8")
    assert change[0] in original
    path.write_text(original.replace(change[0], change[1], 1), encoding="utf-8")
    with pytest.raises(CatalogueError, match=f"1.005144.toml.*{message}"):
        import_catalogue(directory)
    assert db.session.scalar(db.select(db.func.count()).select_from(Procedure)) == 0
