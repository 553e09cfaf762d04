"""In a real browser, at desktop width and on a 390 px phone: whoever scans the QR of an organisation's
certificate (an employer, a partner) opens the verification page and reads the organisation's full name
and what "no digital signature" means for the holder (issue 16 item 7). The live server and browser
fixtures are tests/support/browser.py's."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.factories import create_organisation
from tests.support.documents import documents_of, granted, staff  # noqa: F401  (staff: a fixture)


@pytest.mark.e2e
@pytest.mark.parametrize("width", [1280, 390])
def test_the_verification_page_names_the_organisation_and_explains_no_digital_signature(
    app,
    page,
    staff,  # noqa: F811
    width,
):
    with app.app_context():
        organisation = create_organisation()
        dossier = granted(organisation, staff)
        [certificate] = [d for d in documents_of(dossier) if d.kind not in ("form_01", "form_06")][:1]
        code, name = certificate.verification_code, organisation.organisation_name
    page.set_viewport_size({"width": width, "height": 860})

    page.goto(f"/verify/{code}")  # what the QR on the paper opens: no account needed
    expect(page.get_by_test_id("verify-holder")).to_contain_text(name)
    assert "*" not in page.get_by_test_id("verify-holder").inner_text()
    expect(page.get_by_test_id("verify-signature")).to_contain_text("Văn bản không có chữ ký số.")
    explained = page.get_by_test_id("unsigned-explained")
    expect(explained).to_be_visible()
    expect(explained).to_contain_text("chỉ có giá trị pháp lý như bản gốc khi được ký số")
    expect(page.get_by_label("Tệp PDF cần đối chiếu")).to_be_attached()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert page.problems == []
