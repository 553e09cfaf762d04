"""Official documents: generated at the steps that need them, in the state format, numbered, stored
immutably, verifiable by anyone, digitally signed when a certificate is configured."""

from __future__ import annotations

import hashlib
import io
import re
from pathlib import Path

import pypdf
import pytest
from weasyprint import HTML
from weasyprint.urls import FatalURLFetchingError

from config import TestConfig
from service import create_app
from service.documents import issuing
from service.documents.jobs import run_pending
from service.documents.models import DocumentJob
from service.documents.renderer import DocumentError, Renderer, renderer
from service.documents.samples import SAMPLES, sample_files
from service.dossiers import processing
from service.extensions import db
from tests.factories import create_citizen, create_dossier, create_organisation, login
from tests.support.documents import documents_of, granted, text_of, through

FONT_DIR = TestConfig.DOCUMENT_FONT_DIR


def embedded_fonts(reader: pypdf.PdfReader) -> list[str]:
    """Base names of the fonts whose program is embedded in the PDF."""
    names = []
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descendants = font.get("/DescendantFonts")
            described = descendants[0].get_object() if descendants else font
            descriptor = described["/FontDescriptor"].get_object()
            if any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")):
                names.append(str(font["/BaseFont"]))
    return names


def test_reception_issues_the_receipt_form_01_in_the_state_format(staff):
    citizen = create_citizen(full_name="Nguyễn Thị Tiếp Nhận")
    dossier = create_dossier(citizen, submitted=True)
    through(dossier, [(staff["reception"], "receive", {})])
    [receipt] = documents_of(dossier, "form_01")
    pdf = issuing.pdf_bytes(receipt)
    text = text_of(pdf)
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text and "Độc lập - Tự do - Hạnh phúc" in text
    assert dossier.code in text and "Nguyễn Thị Tiếp Nhận" in text and receipt.verification_code in text
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    assert [round(float(v)) for v in reader.pages[0].mediabox[2:]] == [595, 842]  # A4
    fonts = embedded_fonts(reader)
    assert fonts and all(
        "+Liberation-Serif" in name for name in fonts
    )  # embedded under its real name, only it
    metadata = reader.trailer["/Root"]["/Metadata"].get_object().get_data().decode()
    assert "pdfaid:part" in metadata and ">3<" in metadata.replace(" ", "") or 'pdfaid:part="3"' in metadata
    assert receipt.sha256 == hashlib.sha256(pdf).hexdigest()
    assert receipt.data["dossier"]["code"] == dossier.code and receipt.template_version


def test_a_grant_issues_a_numbered_certificate_with_the_occupations(staff):
    dossier = granted(create_organisation(), staff)
    [certificate] = documents_of(dossier, "certificate")
    assert re.fullmatch(r"01/\d{4}/GCNĐKHĐ-SGDĐT", certificate.number)
    text = text_of(issuing.pdf_bytes(certificate))
    assert certificate.number in text and "Điện công nghiệp" in text and "5520227" in text


def test_numbers_run_per_type_and_year(staff):
    first, second = granted(create_citizen(), staff), granted(create_citizen(), staff)
    numbers = [d.number for d in documents_of(first, "decision") + documents_of(second, "decision")]
    assert [n.split("/")[0] for n in numbers] == ["01", "02"] and all(
        n.endswith("/QĐ-SGDĐT") for n in numbers
    )


def test_the_control_slip_is_reissued_and_the_old_one_marked_replaced(client, staff):
    dossier = granted(create_citizen(), staff)
    through(dossier, [(staff["reception"], "return_result", {"method": "electronic"})])
    slips = documents_of(dossier, "form_06")
    assert [s.status for s in slips] == ["replaced", "valid"] and slips[1].replaces_id == slips[0].id
    old = client.get(f"/verify/{slips[0].verification_code}").get_data(as_text=True)
    assert "Đã được thay thế" in old and slips[1].verification_code in old
    assert "Còn hiệu lực" in client.get(f"/verify/{slips[1].verification_code}").get_data(as_text=True)


def test_the_verification_page_compares_an_uploaded_pdf(client, staff):
    dossier = create_dossier(create_citizen(full_name="Trần Văn Xác"), submitted=True)
    through(dossier, [(staff["reception"], "receive", {})])
    [receipt] = documents_of(dossier, "form_01")
    url = f"/verify/{receipt.verification_code}"
    page = client.get(url).get_data(as_text=True)
    assert "Giấy tiếp nhận hồ sơ" in page and "T*** V** X**" in page and "Trần Văn Xác" not in page
    original = issuing.pdf_bytes(receipt)
    assert "trùng khớp" in client.submit(url, {"file": (io.BytesIO(original), "a.pdf")}).get_data(
        as_text=True
    )
    forged = original.replace(b"%%EOF", b"%%EOF\n%forged")
    assert "KHÔNG trùng khớp" in client.submit(url, {"file": (io.BytesIO(forged), "b.pdf")}).get_data(
        as_text=True
    )
    assert "không phải tệp PDF" in client.submit(url, {"file": (io.BytesIO(b"hello"), "c.pdf")}).get_data(
        as_text=True
    )


def test_the_verification_page_names_an_organisation_in_full_and_explains_an_unsigned_document(client, staff):
    """Issue 16 item 7: an employer checking a certificate sees which organisation it names (a person
    stays masked: personal data), and what "no digital signature" means for the holder."""
    organisation = create_organisation()
    dossier = granted(organisation, staff)
    [certificate] = [d for d in documents_of(dossier) if d.kind not in ("form_01", "form_06")][:1]
    page = client.get(f"/verify/{certificate.verification_code}").get_data(as_text=True)
    holder = page.split('data-testid="verify-holder">', 1)[1].split("</dd>", 1)[0]
    assert holder.startswith(organisation.organisation_name) and "*" not in holder.split("<", 1)[0]
    assert "Văn bản không có chữ ký số." in page
    assert "chỉ có giá trị pháp lý như bản gốc khi được ký số (Nghị định 30/2020/NĐ-CP)" in page
    assert '<label class="label" for="verify-file">Tệp PDF cần đối chiếu</label>' in page

    person = granted(create_citizen(full_name="Lê Thị Chứng"), staff)
    [issued] = [d for d in documents_of(person) if d.kind not in ("form_01", "form_06")][:1]
    shown = client.get(f"/verify/{issued.verification_code}").get_data(as_text=True)
    assert "L* T** C****" in shown and "Lê Thị Chứng" not in shown
    assert "tên cá nhân được che một phần" in shown


@pytest.mark.parametrize("code", ["ABCD-EFGH-JKLM", "not-a-code", "%27%3B--"])
def test_an_unknown_verification_code_is_a_clear_404(client, code):
    response = client.get(f"/verify/{code}")
    assert response.status_code == 404 and "Không tìm thấy văn bản" in response.get_data(as_text=True)


def test_html_in_the_data_is_printed_not_interpreted():
    data = {**SAMPLES["form_01.html"], "dossier": {**SAMPLES["form_01.html"]["dossier"]}}
    data["dossier"]["applicant"] = {
        **data["dossier"]["applicant"],
        "name": '<b>Đậm</b><script>alert(1)</script><img src="file:///etc/passwd">',
    }
    pdf_renderer = renderer(FONT_DIR)
    markup = pdf_renderer.html("form_01.html", data)
    assert "<script>" not in markup and "&lt;script&gt;" in markup
    assert "<b>Đậm</b>" in text_of(pdf_renderer.render("form_01.html", data))


@pytest.mark.parametrize(
    "url", ["file:///etc/passwd", "http://example.com/logo.png", "font:../../etc/passwd"]
)
def test_templates_cannot_fetch_files_or_the_network(url):
    fetcher = renderer(FONT_DIR).fetcher
    with pytest.raises(FatalURLFetchingError):
        HTML(string=f'<img src="{url}">', url_fetcher=fetcher, base_url="font:").write_pdf()


def test_a_missing_font_stops_the_start_with_the_reason(tmp_path):
    with pytest.raises(DocumentError, match="fonts-liberation"):
        Renderer(tmp_path)
    with pytest.raises(RuntimeError, match="Document fonts missing"):
        create_app(TestConfig, SQLALCHEMY_DATABASE_URI="sqlite://", DOCUMENT_FONT_DIR=str(tmp_path))


def test_issued_documents_are_signed_and_the_signature_validates(app, client, staff, tmp_path):
    from service.documents import signing

    result = app.test_cli_runner().invoke(args=["documents", "dev-cert", str(tmp_path)])
    assert result.exit_code == 0, result.output
    saved = {k: app.config[k] for k in ("SIGNING_CERT", "SIGNING_KEY", "SIGNING_CA")}
    app.config.update(
        SIGNING_CERT=str(tmp_path / "signer.pem"),
        SIGNING_KEY=str(tmp_path / "signer.key"),
        SIGNING_CA=str(tmp_path / "ca.pem"),
    )
    try:
        dossier = granted(create_citizen(), staff)
        [decision] = documents_of(dossier, "decision")
        check = signing.check(issuing.pdf_bytes(decision))
        page = client.get(f"/verify/{decision.verification_code}").get_data(as_text=True)
    finally:
        app.config.update(saved)
    assert decision.signed and check.present and check.intact and check.trusted
    assert "Chữ ký số hợp lệ" in page


def test_render_samples_writes_every_template(app, tmp_path):
    result = app.test_cli_runner().invoke(args=["documents", "render-samples", str(tmp_path)])
    assert result.exit_code == 0, result.output
    written = sorted(p.name for p in tmp_path.glob("*.pdf"))
    assert written == sorted(f"{name}.pdf" for name in sample_files())
    # Every template the product prints from, none forgotten (the partials and the stylesheet aside).
    templates = {p.name for p in (Path(app.root_path).parent / "templates" / "documents").glob("[!_]*.html")}
    assert templates == {template for template, _ in sample_files().values()}
    receipts = {
        "receipt.pdf": "BIÊN LAI THU PHÍ, LỆ PHÍ",
        "receipt_school_tuition.pdf": "BIÊN LAI THU HỌC PHÍ",
    }
    for path in tmp_path.glob("*.pdf"):
        # Receipts follow the receipt form (Decree 254/2026), without the national title.
        expected = receipts.get(path.name, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")
        assert expected in text_of(path.read_bytes()), path.name


def test_render_samples_shows_the_forms_of_the_2026_law(app, tmp_path):
    """The school's exemption decision, a commune's decision, the desk's form 01 of a posted application,
    the school's tuition receipt, form 05 kept by the receiving unit, the filed e-form, a blank form."""
    result = app.test_cli_runner().invoke(args=["documents", "render-samples", str(tmp_path)])
    assert result.exit_code == 0, result.output

    def text(name: str) -> str:
        return " ".join(text_of((tmp_path / f"{name}.pdf").read_bytes()).split())

    school = text("decision_school_exemption")
    assert "HIỆU TRƯỞNG TRƯỜNG CAO ĐẲNG NGHỀ AN GIANG" in school and "Giảm 70% học phí" in school
    assert "SỞ GIÁO DỤC" not in school
    assert "CHỦ TỊCH ỦY BAN NHÂN DÂN XÃ MỸ HÒA HƯNG" in text("decision_commune")
    posted = text("form_01_post")
    assert "TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG XÃ MỸ HÒA HƯNG" in posted
    assert "ngày theo dấu bưu chính 27/11/2026" in posted and "-261130-" in posted
    tuition = text("receipt_school_tuition")
    assert "Tên đơn vị thu: Trường Cao đẳng Nghề An Giang" in tuition and "Mã số thuế: 1600234567" in tuition
    assert "Ký hiệu: 26TCD" in tuition and "Sở Giáo dục" not in tuition
    assert "Lưu: VT, TTPVHCC." in text("form_05") and "GDNN" not in text("form_05")
    assert "TỜ KHAI ĐÃ NỘP" in text("filed_form") and "ĐƠN ĐỀ NGHỊ MIỄN, GIẢM HỌC PHÍ" in text(
        "form_template"
    )


def test_no_document_draws_an_image_pdf_a_forbids(app, tmp_path):
    """PDF/A-3b (ISO 19005-3 §6.2.8): an image's /Interpolate, if present, must be false. Every
    template with its QR code, as rendered for real."""
    result = app.test_cli_runner().invoke(args=["documents", "render-samples", str(tmp_path)])
    assert result.exit_code == 0, result.output
    images = 0
    for path in tmp_path.glob("*.pdf"):
        reader = pypdf.PdfReader(path)
        for page in reader.pages:
            for name, image in (page["/Resources"].get("/XObject") or {}).items():
                image = image.get_object()
                if image.get("/Subtype") == "/Image":
                    images += 1
                    assert image.get("/Interpolate") in (None, False), (path.name, name)
    with_qr = [data for _, data in sample_files().values() if (data.get("doc") or {}).get("verification")]
    assert images >= len(with_qr)  # the QR code of every document that carries one was looked at


def test_every_sample_declares_pdf_a_3b_and_embeds_the_configured_font_under_its_name(app, tmp_path):
    """ISO 19005-3 §6.6 (identification in the XMP: part 3, conformance B; the document info title the
    same as dc:title), §6.2.3 (an output intent with its ICC profile) and §6.2.11 (every font embedded):
    every sample `render-samples` draws, under the real name of the configured font (Decree 30/2020)."""
    result = app.test_cli_runner().invoke(args=["documents", "render-samples", str(tmp_path)])
    assert result.exit_code == 0, result.output
    family = renderer(app.config["DOCUMENT_FONT_DIR"]).font.family.replace(" ", "-")  # Liberation-Serif
    paths = sorted(tmp_path.glob("*.pdf"))
    assert len(paths) == len(sample_files())
    for path in paths:
        reader = pypdf.PdfReader(path)
        root = reader.trailer["/Root"]
        metadata = root["/Metadata"].get_object().get_data().decode()
        assert 'pdfaid:part="3"' in metadata and 'pdfaid:conformance="B"' in metadata, path.name
        [intent] = [i.get_object() for i in root["/OutputIntents"]]
        assert intent["/S"] == "/GTS_PDFA1" and "/DestOutputProfile" in intent, path.name
        title = (reader.metadata or {}).get("/Title")
        if title:
            assert f">{title}</rdf:li>" in metadata.replace("&amp;", "&"), path.name
        assert not reader.is_encrypted and "/JavaScript" not in str(root.get("/Names", {})), path.name
        fonts = embedded_fonts(reader)
        named = [
            str(f.get_object()["/BaseFont"])
            for page in reader.pages
            for f in page["/Resources"]["/Font"].values()
        ]
        assert fonts and sorted(fonts) == sorted(named), path.name  # every font embedded
        assert all(name.split("+", 1)[1].startswith(family) for name in fonts), (path.name, fonts)


PREFLIGHT = ":".join(
    f"/usr/share/java/{jar}.jar"
    for jar in (
        "preflight",
        "pdfbox2",
        "fontbox2",
        "xmpbox",
        "commons-logging",
        "javax.activation",
        "jaxb-api",
    )
)
# Apache PDFBox's preflight (scripts/system-packages.sh installs it) checks PDF/A-1b. These three of its
# rules are PDF/A-1's alone: PDF/A-3 (ISO 19005-3) allows cross-reference streams (PDF 1.5+), makes
# CIDSet optional and no longer forbids a filtered metadata stream.
PDF_A1_ONLY = (
    "1.4 : Trailer Syntax error, /XRef cross reference streams are not allowed",
    "3.1.11 : Invalid Font definition, ",  # "...: The CIDSet entry is missing for the Composite Subset"
    "1.2.7 : Body Syntax error, Filter specified in metadata dictionary",
)


def test_every_template_passes_pdfbox_preflight_but_for_pdf_a1_only_rules(app, tmp_path):
    import subprocess

    result = app.test_cli_runner().invoke(args=["documents", "render-samples", str(tmp_path)])
    assert result.exit_code == 0, result.output
    runs = {
        path.name: subprocess.Popen(
            ["java", "-cp", PREFLIGHT, "org.apache.pdfbox.preflight.Validator_A1b", str(path)],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for path in sorted(tmp_path.glob("*.pdf"))
    }
    assert len(runs) == len(sample_files())
    for name, run in runs.items():
        output = run.communicate(timeout=120)[0]
        assert "error(s)" in output or "is a valid PDF/A-1b" in output, output  # preflight ran
        errors = [line for line in output.splitlines()[1:] if " : " in line]
        unexpected = [line for line in errors if not line.startswith(PDF_A1_ONLY)]
        assert not unexpected, (name, unexpected)
        if "3.1.11" in output:
            assert all("CIDSet" in line for line in errors if line.startswith("3.1.11")), output


def test_the_draft_result_is_previewed_with_a_watermark(client, staff):
    desk, specialist = staff["reception"], staff["specialist"]
    dossier = create_dossier(create_citizen(), submitted=True)
    through(
        dossier,
        [
            (desk, "receive", {}),
            (desk, "assign", {"assignee_id": specialist.id}),
            (specialist, "start_appraisal", {}),
            (specialist, "propose", {"decision": "approve", "draft": "Điều khoản dự thảo thử nghiệm."}),
        ],
    )
    login(client, specialist)
    preview = client.get(f"/officials/dossiers/{dossier.id}/draft-result.pdf")
    assert preview.status_code == 200
    text = text_of(preview.data)
    assert "DỰ THẢO" in text and "Điều khoản dự thảo thử nghiệm." in text
    assert documents_of(dossier, "decision") == []  # a preview issues nothing


def test_who_may_download_which_document(client, other_client, staff):
    owner = create_citizen()
    dossier = granted(owner, staff)
    decision = documents_of(dossier, "decision")[0]
    slip = documents_of(dossier, "form_06")[0]
    login(client, owner)
    assert client.get(f"/dossiers/{dossier.id}/documents/{decision.id}").data.startswith(b"%PDF")
    assert client.get(f"/dossiers/{dossier.id}/documents/{slip.id}").status_code == 404
    login(other_client, create_citizen())
    assert other_client.get(f"/dossiers/{dossier.id}/documents/{decision.id}").status_code == 404


def test_documents_are_produced_after_the_step_by_a_job(staff, held_jobs):
    dossier = create_dossier(create_citizen(), submitted=True)
    processing.act(dossier.id, staff["reception"], "receive", {}, None)
    job = db.session.scalar(db.select(DocumentJob).where(DocumentJob.dossier_id == dossier.id))
    assert job.status == "pending" and documents_of(dossier) == []
    assert ("document", job.id, 0) in held_jobs  # handed to the engine after the commit
    assert run_pending() == 1
    db.session.refresh(job)
    assert job.status == "done" and job.document_id == documents_of(dossier)[0].id
    assert run_pending() == 0  # a job runs once


def test_a_font_without_vietnamese_letters_is_refused(tmp_path):
    from fontTools import subset
    from fontTools.ttLib import TTFont

    for name in (
        "LiberationSerif-Regular.ttf",
        "LiberationSerif-Bold.ttf",
        "LiberationSerif-Italic.ttf",
        "LiberationSerif-BoldItalic.ttf",
    ):
        font = TTFont(f"{FONT_DIR}/{name}")
        cutter = subset.Subsetter()
        cutter.populate(text="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")  # Latin without ư, ơ, đ
        cutter.subset(font)
        font.save(tmp_path / name)
    with pytest.raises(DocumentError, match="lacks Vietnamese letters"):
        Renderer(tmp_path)


def test_a_leader_corrects_a_decision_and_the_old_one_is_marked_replaced(client, staff):
    dossier = granted(create_citizen(), staff)
    [decision] = documents_of(dossier, "decision")
    login(client, staff["leader"])
    url = f"/officials/dossiers/{dossier.id}/documents/{decision.id}"
    assert "Vui lòng nêu lý do" in client.submit(
        f"{url}/reissue", {"reason": " "}, follow_redirects=True
    ).get_data(as_text=True)
    client.submit(f"{url}/reissue", {"reason": "Đính chính tên cơ sở"})
    old, new = documents_of(dossier, "decision")
    assert (old.status, new.status, new.replaces_id) == ("replaced", "valid", old.id)
    assert new.number != old.number  # a new document has its own number
    assert "Đã được thay thế" in client.get(f"/verify/{old.verification_code}").get_data(as_text=True)
    client.submit(
        f"/officials/dossiers/{dossier.id}/documents/{new.id}/revoke", {"reason": "Cấp sai đối tượng"}
    )
    db.session.refresh(new)
    assert new.status == "revoked"
    assert "Đã bị thu hồi" in client.get(f"/verify/{new.verification_code}").get_data(as_text=True)


def test_only_leaders_correct_or_revoke(client, staff):
    dossier = granted(create_citizen(), staff)
    [decision] = documents_of(dossier, "decision")
    login(client, staff["reception"])
    url = f"/officials/dossiers/{dossier.id}/documents/{decision.id}/revoke"
    assert client.submit(url, {"reason": "x"}).status_code == 403
    db.session.refresh(decision)
    assert decision.status == "valid"


def test_the_tracking_register_exports_the_period_as_pdf_and_excel(client, staff):
    import openpyxl

    from service.timeutil import local_today

    dossier = create_dossier(create_citizen(full_name="Lê Văn Sổ"), submitted=True)
    through(dossier, [(staff["reception"], "receive", {})])
    login(client, staff["reception"])
    today = local_today().isoformat()
    pdf = client.get("/officials/register", query_string={"start": today, "end": today, "format": "pdf"})
    assert (
        pdf.status_code == 200
        and dossier.code in text_of(pdf.data)
        and "SỔ THEO DÕI HỒ SƠ" in text_of(pdf.data)
    )
    workbook = client.get(
        "/officials/register", query_string={"start": today, "end": today, "format": "xlsx"}
    )
    sheet = openpyxl.load_workbook(io.BytesIO(workbook.data)).active
    assert sheet["B5"].value == dossier.code and sheet["E5"].value == "Lê Văn Sổ"
    wrong = client.get(
        "/officials/register", query_string={"start": today, "end": "2000-01-01", "format": "pdf"}
    )
    assert wrong.status_code == 400 and "Ngày kết thúc phải sau ngày bắt đầu" in wrong.get_data(as_text=True)
    client.submit("/account/logout")
    client._csrf = None
    login(client, staff["specialist"])
    assert client.get("/officials/register").status_code == 403


BIDI_AND_CONTROLS = "\u202e\u202a\u2066\u2069\u200f\u200e\u0007\u0085"


def test_bidirectional_overrides_never_reach_an_official_document(staff):
    """U+202E in a name would print it reversed on the receipt form; other controls are invisible."""
    from sqlalchemy import update

    from service.database import begin_write
    from service.dossiers.models import Dossier

    dossier = create_dossier(create_citizen(full_name="Nguyễn Thị Hai Chiều"), submitted=True)
    begin_write()  # a name stored before names were cleaned
    db.session.execute(
        update(Dossier)
        .where(Dossier.id == dossier.id)
        .values(applicant_name=f"Nguyễn Thị \u202eHai{BIDI_AND_CONTROLS} Chiều")
    )
    db.session.commit()
    through(dossier, [(staff["reception"], "receive", {})])
    [receipt] = documents_of(dossier, "form_01")
    text = text_of(issuing.pdf_bytes(receipt))
    assert "tiếp nhận hồ sơ của: Nguyễn Thị Hai Chiều" in text
    assert not any(ch in text or ch in repr(receipt.data) for ch in BIDI_AND_CONTROLS)


def test_names_are_stored_without_control_or_bidirectional_characters():
    from tests.factories import create_class, create_payment_order, create_school, create_student

    citizen = create_citizen(full_name=f"Trần{BIDI_AND_CONTROLS} Văn\nBa")
    school = create_school()
    student = create_student(school, create_class(school), full_name="Lê \u202eThị\u202c Tư")
    order = create_payment_order(payer_name="Phạm\u2067 Năm\u2069")
    assert citizen.full_name == "Trần Văn Ba"
    assert (student.full_name, order.payer_name) == ("Lê Thị Tư", "Phạm Năm")


# ---------------------------------------------------------------- Decree 30/2020 details


def test_a_decision_cites_laws_by_name_and_date_and_the_issuers_competence(app, staff):
    from service.dossiers.documents import build

    dossier = granted(create_citizen(), staff)
    [decision] = documents_of(dossier, "decision")
    text = " ".join(text_of(issuing.pdf_bytes(decision)).split())
    assert "Căn cứ Luật Giáo dục nghề nghiệp ngày 10 tháng 12 năm 2025;" in text
    assert "QH15" not in text and "Quốc hội" not in text  # a Law without number, symbol or issuer
    assert "Nghị định số 118/2025/NĐ-CP ngày 09 tháng 6 năm 2025 của Chính phủ" in text
    assert "cơ cấu tổ chức của Sở Giáo dục và Đào tạo;" in text  # the competence basis, configured
    assert "Trưởng phòng Giáo dục nghề nghiệp" in text and "Trưởng phòng GDNN" not in text
    app.config["DOCUMENT_COMPETENCE_BASIS"] = ""
    try:
        bases = build("decision", db.session.get(type(dossier), dossier.id))[0]["legal_bases"]
    finally:
        app.config["DOCUMENT_COMPETENCE_BASIS"] = TestConfig.DOCUMENT_COMPETENCE_BASIS
    assert not any("chức năng, nhiệm vụ" in basis for basis in bases)


def test_citations_follow_decree_30():
    from service.documents.citations import cite, legal_bases

    assert cite("Luật Giáo dục nghề nghiệp số 124/2025/QH15 ngày 10/12/2025 của Quốc hội") == (
        "Luật Giáo dục nghề nghiệp ngày 10 tháng 12 năm 2025"
    )
    assert cite("Bộ luật Lao động số 45/2019/QH14 ngày 20/11/2019 do Quốc hội khóa XIV") == (
        "Bộ luật Lao động ngày 20 tháng 11 năm 2019"
    )
    assert cite("Nghị định số 24/2022/NĐ-CP ngày 6/4/2022 của Chính phủ;") == (
        "Nghị định số 24/2022/NĐ-CP ngày 06 tháng 4 năm 2022 của Chính phủ"
    )
    assert cite("Thông tư ngày 31/02/2025") == "Thông tư ngày 31/02/2025"  # not a date: left as published
    assert legal_bases(["Luật A số 1/2020/QH14 ngày 1/1/2020", "Luật A ngày 01/01/2020"], " ") == [
        "Căn cứ Luật A ngày 01 tháng 01 năm 2020;"
    ]


def test_a_letter_lists_nhu_tren_first_and_never_the_addressee_again(client, staff):
    from service.dossiers.documents import build

    citizen = create_citizen(full_name="Lê Thị Thư")
    dossier = create_dossier(citizen, submitted=True)
    desk, specialist, leader = staff["reception"], staff["specialist"], staff["leader"]
    through(dossier, [
        (desk, "receive", {}), (desk, "assign", {"assignee_id": specialist.id}), (specialist, "start_appraisal", {}),
        (specialist, "propose", {"decision": "deny", "draft": "Chưa đủ điều kiện."}),
        (leader, "deny", {"reason": "Không đủ điều kiện về cơ sở vật chất"}),
    ])  # fmt: skip
    [letter] = documents_of(dossier, "written_answer")
    assert letter.data["doc"]["recipients"] == ["- Như trên;", "- Lưu: VT, GDNN."]
    text = text_of(issuing.pdf_bytes(letter))
    assert "Kính gửi: Lê Thị Thư" in text and "- Như trên;" in text
    assert build("written_answer", dossier)[0]["doc"]["recipients"][0] == "- Như trên;"


def test_times_new_roman_is_preferred_and_embedded_under_its_name(tmp_path):
    """Decree 30/2020 names Times New Roman; where it is installed it is used, under its real name."""
    from fontTools.ttLib import TTFont

    styles = {"Regular": "Regular", "Bold": "Bold", "Italic": "Italic", "BoldItalic": "Bold Italic"}
    for suffix, subfamily in styles.items():
        font = TTFont(f"{FONT_DIR}/LiberationSerif-{suffix}.ttf")
        for record in font["name"].names:  # a stand-in with Times New Roman's names
            if record.nameID in (1, 16):
                record.string = "Times New Roman"
            elif record.nameID == 4:
                record.string = f"Times New Roman {subfamily}"
            elif record.nameID == 6:
                record.string = f"TimesNewRomanPS-{suffix}MT"
        font.save(tmp_path / f"times-{suffix.lower()}.ttf")
        font = TTFont(f"{FONT_DIR}/LiberationSerif-{suffix}.ttf")
        font.save(tmp_path / f"LiberationSerif-{suffix}.ttf")
    chosen = Renderer(tmp_path)
    assert chosen.font.family == "Times New Roman"
    pdf = chosen.render("written_answer.html", SAMPLES["written_answer.html"])
    fonts = embedded_fonts(pypdf.PdfReader(io.BytesIO(pdf)))
    assert fonts and all("+Times-New-Roman" in name for name in fonts)


def test_the_one_stop_forms_carry_the_titles_of_circular_03_2025():
    assert {
        kind: issuing.KINDS[kind].title
        for kind in ("form_01", "form_02", "form_03", "form_04", "form_05", "form_06")
    } == {
        "form_01": "Giấy tiếp nhận hồ sơ và hẹn trả kết quả",
        "form_02": "Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ",
        "form_03": "Phiếu từ chối tiếp nhận giải quyết hồ sơ",
        "form_04": "Văn bản xin lỗi và đề nghị gia hạn thời gian giải quyết",
        "form_05": "Thông báo dừng giải quyết hồ sơ",
        "form_06": "Phiếu kiểm soát quá trình giải quyết hồ sơ",
    }
