"""The public catalogue, API and statistics come from a cache for anonymous visitors, with an ETag, a
Last-Modified and `Cache-Control: public`; anything signed in, or any other page, stays `no-store`."""

from __future__ import annotations

import hashlib
import re
import shutil
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime, parsedate_to_datetime
from pathlib import Path

import pytest
from flask import current_app

from service import cache as page_cache
from service.procedures.catalogue import CATALOGUE_DIR, import_catalogue
from tests.factories import PERSON_PROCEDURE, create_citizen, load_catalogue, login

PUBLIC_PAGES = ["/", "/procedures/", f"/procedures/{PERSON_PROCEDURE}", "/api/v1/procedures", "/thong-ke"]


@pytest.mark.parametrize("url", PUBLIC_PAGES)
def test_an_anonymous_visitor_gets_a_public_copy_and_a_304_when_it_has_not_changed(client, url):
    load_catalogue()
    first = client.get(url)
    assert first.status_code == 200
    assert first.headers["Cache-Control"] == "public, max-age=60"
    assert "Cookie" in first.headers["Vary"]
    assert "Set-Cookie" not in first.headers
    etag = first.headers["ETag"]

    again = client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.data == b""
    assert again.headers["ETag"] == etag

    stale = client.get(url, headers={"If-None-Match": '"something-else"'})
    assert stale.status_code == 200
    assert stale.data == first.data
    assert stale.headers["X-Content-Type-Options"] == "nosniff"  # the security headers stay
    assert "Content-Security-Policy" in stale.headers


@pytest.mark.parametrize("url", PUBLIC_PAGES)
def test_a_signed_in_page_is_never_cached_nor_given_to_anyone_else(client, app, url):
    load_catalogue()
    anonymous_before = client.get(url).data
    citizen = create_citizen(full_name="Trần Thị Bí Mật")
    login(client, citizen)

    signed_in = client.get(url)
    assert signed_in.status_code == 200
    assert signed_in.headers["Cache-Control"] == "no-store"
    assert "ETag" not in signed_in.headers
    assert "Last-Modified" not in signed_in.headers
    if url != "/api/v1/procedures":
        assert "Trần Thị Bí Mật" in signed_in.get_data(as_text=True)  # their own page, not the cached one

    stranger = app.test_client().get(url)
    assert "Bí Mật" not in stranger.get_data(as_text=True)
    assert stranger.data == anonymous_before
    assert stranger.headers["Cache-Control"] == "public, max-age=60"


def http_date(moment: datetime) -> str:
    return format_datetime(moment.astimezone(UTC), usegmt=True)


@pytest.mark.parametrize("url", PUBLIC_PAGES)
def test_a_public_page_says_when_it_was_made_and_answers_if_modified_since(client, url):
    load_catalogue()
    before = datetime.now(UTC).replace(microsecond=0)
    first = client.get(url)
    assert first.status_code == 200
    stamp = first.headers["Last-Modified"]
    assert re.fullmatch(r"[A-Z][a-z]{2}, \d\d [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d GMT", stamp)  # an HTTP-date
    made = parsedate_to_datetime(stamp)
    assert before <= made <= datetime.now(UTC)
    assert client.get(url).headers["Last-Modified"] == stamp  # the cached entry's time, not the request's

    for since in (made, made + timedelta(hours=1)):
        unchanged = client.get(url, headers={"If-Modified-Since": http_date(since)})
        assert unchanged.status_code == 304
        assert unchanged.data == b""
    older = client.get(url, headers={"If-Modified-Since": http_date(made - timedelta(seconds=1))})
    assert older.status_code == 200
    assert older.data == first.data
    assert older.headers["Last-Modified"] == stamp

    # If-None-Match wins over If-Modified-Since, whichever way they disagree (RFC 9110 §13.2.2).
    other_copy = client.get(
        url,
        headers={
            "If-None-Match": '"something-else"',
            "If-Modified-Since": http_date(made + timedelta(hours=1)),
        },
    )
    assert other_copy.status_code == 200
    assert other_copy.data == first.data
    same_copy = client.get(
        url,
        headers={
            "If-None-Match": first.headers["ETag"],
            "If-Modified-Since": http_date(made - timedelta(days=1)),
        },
    )
    assert same_copy.status_code == 304


def test_every_worker_sharing_the_cache_gives_the_entry_s_time_until_an_import_makes_a_new_one(
    client, app, monkeypatch, tmp_path
):
    partial = tmp_path / "procedures"
    shutil.copytree(CATALOGUE_DIR, partial)
    (partial / "2.001959.toml").unlink()
    import_catalogue(partial)
    url = "/procedures/"
    made = parsedate_to_datetime(client.get(url).headers["Last-Modified"])

    class Later(datetime):
        @classmethod
        def now(cls, tz=None):
            return datetime.now(tz) + timedelta(minutes=5)

    monkeypatch.setattr(page_cache, "datetime", Later)  # the clock has moved on: another worker, later
    again = app.test_client().get(url)
    assert parsedate_to_datetime(again.headers["Last-Modified"]) == made

    import_catalogue()  # a new procedure clears the cache: the next visit makes the page again
    remade = client.get(url, headers={"If-Modified-Since": http_date(made)})
    assert remade.status_code == 200
    assert parsedate_to_datetime(remade.headers["Last-Modified"]) >= made + timedelta(minutes=4)


def test_a_message_waiting_for_a_visitor_is_shown_to_them_only(client, app):
    load_catalogue()
    client.get("/")  # cached without any message
    with client.session_transaction() as session:
        session["_flashes"] = [("success", "Đã đăng xuất.")]

    page = client.get("/")
    assert "Đã đăng xuất." in page.get_data(as_text=True)
    assert page.headers["Cache-Control"] == "no-store"
    assert "Đã đăng xuất." not in app.test_client().get("/").get_data(as_text=True)


def test_other_pages_stay_no_store(client):
    load_catalogue()
    for url in ("/lookup", "/healthz", f"/api/v1/procedures/{PERSON_PROCEDURE}/nothing"):
        response = client.get(url)
        assert response.headers["Cache-Control"] == "no-store", url
        assert "ETag" not in response.headers, url


def test_a_catalogue_import_shows_the_new_procedure_at_once(client, tmp_path):
    partial = tmp_path / "procedures"
    shutil.copytree(CATALOGUE_DIR, partial)
    (partial / "2.001959.toml").unlink()
    import_catalogue(partial)

    assert PERSON_PROCEDURE not in client.get("/api/v1/procedures").get_data(as_text=True)
    assert client.get(f"/procedures/{PERSON_PROCEDURE}").status_code == 404
    listing = client.get("/procedures/")
    assert listing.headers["Cache-Control"] == "public, max-age=60"
    etag = listing.headers["ETag"]

    import_catalogue()

    assert PERSON_PROCEDURE in client.get("/api/v1/procedures").get_data(as_text=True)
    assert client.get(f"/procedures/{PERSON_PROCEDURE}").status_code == 200
    refreshed = client.get("/procedures/", headers={"If-None-Match": etag})
    assert refreshed.status_code == 200  # not 304: the page changed
    assert f"/procedures/{PERSON_PROCEDURE}" in refreshed.get_data(as_text=True)


def test_static_files_are_named_by_their_content_and_kept_for_a_year(client):
    load_catalogue()
    page = client.get("/").get_data(as_text=True)
    folder = Path(current_app.static_folder)
    for name in ("app.css", "app.js"):
        digest = hashlib.sha256((folder / name).read_bytes()).hexdigest()[:12]
        url = re.search(rf'"(/static/{re.escape(name)}\?v=[0-9a-f]+)"', page).group(1)
        assert url.endswith(f"?v={digest}")
        response = client.get(url)
        assert response.status_code == 200
        assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
        response.close()
