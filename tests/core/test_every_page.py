"""Every page of every role on a 390 px phone (issue 16 item 6): the demo's data is loaded, each role
signs in, and a crawler opens every page it can reach by following links (one URL per page kind), from
the role's landing page. On each: nothing wider than the screen (no horizontal scroll) and no serious or
critical axe-core violation (axe-core from npm, injected). Some pages show what one URL per kind would
miss, or are reached through a form rather than a link (the desk's paper filing): those are opened for
the role as well (`_data_pages`). Then each role must have reached every page its menu offers and every
page kind listed for it in MUST_REACH, so a page nobody links to is noticed too.
"""

from __future__ import annotations

import re
from collections import deque
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import sync_playwright
from werkzeug.exceptions import HTTPException

from config import BASE_DIR
from service.accounts import walk_in
from service.accounts.models import User
from service.demo import DEMO_PASSWORD, seed
from service.documents.models import IssuedDocument
from service.dossiers.documents import RESULT_KINDS
from service.dossiers.models import Dossier
from service.extensions import db
from service.postal.models import Shipment
from service.schools.models import Invoice
from tests.support.browser import CHROMIUM, CHROMIUM_ARGS, sign_in

pytestmark = pytest.mark.e2e

AXE = Path(BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
PHONE = {"width": 390, "height": 844}
# Answers that are files, not pages (downloads are attachments), and pages outside the product.
NOT_PAGES = re.compile(
    r"\.(pdf|xlsx|csv|png|jpg|zip|json)$|/files/\d+$|/documents/\d+$|/download|/export|/evidence|/qr/|/simulators/"
    r"|/static/|/account/logout|/healthz|/readyz|/api/"
)
ROLES = {
    "anonymous": None,
    "citizen": "congdan@demo.gdnn.vn",
    "organisation": "tochuc@demo.gdnn.vn",
    "reception": "tiepnhan@demo.gdnn.vn",
    "specialist": "chuyenvien@demo.gdnn.vn",
    "leader": "lanhdao@demo.gdnn.vn",
    "accountant": "ketoan@demo.gdnn.vn",
    "school accountant": "ketoan.truong@demo.gdnn.vn",
    "school administrator": "quantri.truong@demo.gdnn.vn",
    "administrator": "quantri@demo.gdnn.vn",
}
# Page kinds a role must have opened (besides its menu's): its own work pages, found by the crawl or
# opened by `_data_pages`.
MUST_REACH = {
    "anonymous": {
        "procedures.detail",
        "documents.verify_start",
        "documents.verify",
        "paylink.invoice",
    },
    "citizen": {"dossiers.detail", "dossiers.my_documents", "dossiers.mine", "dossiers.submitted"},
    "organisation": {"dossiers.detail", "dossiers.edit", "procedures.detail"},  # its draft: a table
    "reception": {"desk.start", "desk.file", "dossiers.detail", "backoffice.worklist"},
    "school accountant": {"school_applications.index", "school_applications.detail"},
    "school administrator": {"school_applications.index", "school_applications.detail"},
}
DECREE_66 = "DP-ND66-2026-01"  # the Decree 66/2026 procedure (an organisation's, filed on paper in the demo)
MAX_PAGES = 80  # per role: enough for every page kind; a crawler loop is a defect here


def _axe_problems(page) -> list[str]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        f"axe {v['impact']}: {v['id']} ({v['help']}) at {', '.join(n['target'][0] for n in v['nodes'][:3])}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def _too_wide(page) -> list[str]:
    width = page.evaluate("() => document.documentElement.scrollWidth")
    if width <= PHONE["width"]:
        return []
    culprits = page.evaluate(
        """() => [...document.querySelectorAll('body *')]
            .filter(e => e.getBoundingClientRect().right > 391)
            .filter(e => ![...e.children].some(c => c.getBoundingClientRect().right > 391))
            .concat([...document.querySelectorAll('body *')].filter(e => e.scrollWidth > e.clientWidth + 1
                    && getComputedStyle(e).overflowX === 'visible'))
            .slice(0, 3).map(e => e.tagName.toLowerCase() + (e.className ? '.' + e.className : ''))"""
    )
    return [f"{width} px wide at 390 px: {', '.join(culprits)}"]


def _endpoint(adapter, url: str) -> str | None:
    try:
        endpoint, _ = adapter.match(urlsplit(url).path, method="GET")
    except HTTPException:
        return None
    return endpoint


def _data_pages() -> dict[str, list[str]]:
    """Per role, the demo's pages that one URL per page kind would not show: the Decree 66 procedure, the
    dossier filed on paper at the desk, the one whose result goes by post (its shipment panel), the
    desk's filing page for an applicant (the answer to a GET form), a school's application, the
    confirmation after filing, and the pages reached from outside: the verification pages a document's
    QR code opens (an organisation's certificate), a student's payment link."""
    certificate = db.session.scalar(
        db.select(IssuedDocument.verification_code).where(IssuedDocument.kind.in_(RESULT_KINDS.values()))
    )
    invoice = db.session.scalar(db.select(Invoice.access_token).where(Invoice.status == "issued"))
    submitted = db.session.scalar(
        db.select(Dossier.id)
        .join(Dossier.owner)
        .where(Dossier.status == "submitted", User.email == ROLES["citizen"])
    )
    paper = db.session.scalar(db.select(Dossier).where(Dossier.channel == "post"))
    awaiting = db.session.scalar(  # filed at the desk without a component: the desk enters the supplement
        db.select(Dossier.id).where(Dossier.channel == "desk", Dossier.status == "supplement_requested")
    )
    posted = db.session.scalar(db.select(Shipment.dossier_id))
    application = db.session.scalar(db.select(Dossier.id).where(Dossier.school_id.is_not(None)))
    assert all((paper, awaiting, posted, application, certificate, invoice, submitted)), "the demo lacks one"
    school = [f"/school/applications/{application}"]
    return {
        "anonymous": [
            f"/procedures/{DECREE_66}",
            "/verify",
            f"/verify/{certificate}",
            f"/pay/{invoice}",
        ],
        "citizen": [f"/dossiers/{posted}", f"/dossiers/{submitted}/submitted"],
        "organisation": [f"/procedures/{DECREE_66}", f"/dossiers/{paper.id}"],
        "reception": [
            f"/officials/desk/?applicant={walk_in.reference(paper.owner)}",
            f"/officials/desk/file/{walk_in.reference(paper.owner)}/{DECREE_66}/post",
            f"/dossiers/{paper.id}",
            f"/dossiers/{awaiting}",
            f"/dossiers/{posted}",
        ],
        "school accountant": school,
        "school administrator": school,
    }


def _check(page, url: str, endpoint: str) -> tuple[bool, list[str]]:
    """Whether the page opened (not a file, not an error), and its problems."""
    try:
        response = page.goto(url)
    except PlaywrightError as error:
        if "Download is starting" in str(error):  # a file after all: not a page
            return False, []
        raise
    if response is None or response.status >= 400:
        return False, [f"{url}: HTTP {response.status if response else '—'}"]
    return True, [f"{url} ({endpoint}): {problem}" for problem in _too_wide(page) + _axe_problems(page)]


def _crawl(
    page, adapter, origin: str, public: set[str], also: list[str]
) -> tuple[dict[str, str], list[str], list[str]]:
    """Each page kind reached (endpoint → the URL opened), the problems found, and the menu's endpoints.
    The public pages the anonymous visitor checked are not checked again for each signed-in role (only
    the header differs, and the role's landing page checks it): the suite stays within its time. The
    pages in `also` are checked whatever kind they are."""
    seen: dict[str, str] = {}
    problems: list[str] = []
    page.goto("/")
    menu = {
        _endpoint(adapter, href)
        for href in page.eval_on_selector_all("header a[href], nav a[href]", "els => els.map(e => e.href)")
        if href.startswith(origin) and not NOT_PAGES.search(urlsplit(href).path)
    } - {None}
    queue = deque(["/"])
    while queue and len(seen) < MAX_PAGES:
        url = queue.popleft()
        endpoint = _endpoint(adapter, url)
        if endpoint is None or endpoint in seen:
            continue
        seen[endpoint] = url
        if endpoint in public and endpoint != "home.index":
            continue
        opened, found = _check(page, url, endpoint)
        problems += found
        if not opened:
            continue
        for href in page.eval_on_selector_all("a[href]:not([download])", "els => els.map(e => e.href)"):
            path = urlsplit(href)
            if href.startswith(origin) and not NOT_PAGES.search(path.path):
                candidate = path.path + (f"?{path.query}" if path.query else "")
                if _endpoint(adapter, candidate) not in seen:
                    queue.append(candidate)
    for url in also:
        endpoint = _endpoint(adapter, url)
        seen.setdefault(endpoint, url)
        problems += _check(page, url, endpoint)[1]
    return seen, problems, sorted(menu)


def test_every_page_of_every_role_fits_a_phone_and_passes_axe(app, live_server):
    assert AXE.exists(), "axe-core is missing: run `make setup` (npm ci)"
    with app.app_context():
        seed()
        data_pages = _data_pages()
    adapter = app.url_map.bind("127.0.0.1")
    problems: list[str] = []
    reached: dict[str, set[str]] = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            for role, email in ROLES.items():
                context = browser.new_context(
                    base_url=live_server, locale="vi-VN", viewport=PHONE, bypass_csp=True, is_mobile=True
                )
                context.set_default_timeout(15_000)
                page = context.new_page()
                page.on(
                    "pageerror",
                    lambda error, role=role, found=problems: found.append(f"{role}: script error {error}"),
                )
                page.app = app  # sign_in reads an official's second factor from the tests' database
                if email:
                    sign_in(page, email, DEMO_PASSWORD)
                    assert urlsplit(page.url).path != "/account/login", f"{email} could not sign in"
                seen, found, menu = _crawl(
                    page, adapter, live_server, set(reached.get("anonymous", ())), data_pages.get(role, [])
                )
                reached[role] = set(seen)
                problems += [f"{role}: {p}" for p in found]
                problems += [f"{role}: the menu's {e} was not reached" for e in menu if e not in seen]
                problems += [
                    f"{role}: {e} was not reached" for e in sorted(MUST_REACH.get(role, ())) if e not in seen
                ]
                context.close()
        finally:
            browser.close()
    summary = {role: len(endpoints) for role, endpoints in reached.items()}
    assert not problems, f"pages per role {summary}\n" + "\n".join(problems)
