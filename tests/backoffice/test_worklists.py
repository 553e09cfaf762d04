"""Officials' worklists: per role, filtered, searched, sorted by due date, paginated, constant queries."""

from __future__ import annotations

import base64
import html
import re
from datetime import timedelta

from service.backoffice import queries
from service.backoffice.queries import COUNT_CAP, PAGE_SIZE
from service.database import begin_write
from service.dossiers import processing
from service.dossiers.bench import seed_dossiers
from service.dossiers.models import Dossier
from service.extensions import db
from service.timeutil import local_today
from tests.factories import (
    create_citizen,
    create_dossier,
    create_official,
    create_organisation,
    load_catalogue,
    login,
    queries_to_get,
)

ROW = re.compile(r'<a href="/dossiers/(\d+)">')


def received(dossier, reception, due_in_days: int | None = None):
    processing.act(dossier.id, reception, "receive", {}, None)
    if due_in_days is not None:
        begin_write()
        db.session.get(Dossier, dossier.id).due_date = local_today() + timedelta(days=due_in_days)
        db.session.commit()
    return db.session.get(Dossier, dossier.id)


def codes_in(page: str, dossiers) -> list[str]:
    return [d.code for d in dossiers if d.code in page]


def test_reception_sees_what_waits_for_reception(client):
    reception = create_official("reception")
    waiting = create_dossier(create_citizen(), submitted=True)
    done = received(create_dossier(create_citizen(), submitted=True), reception)
    login(client, reception)
    page = client.get("/officials/dossiers").get_data(as_text=True)
    assert waiting.code in page and done.code not in page


def test_due_soon_and_overdue_lists_sorted_by_due_date(client):
    reception = create_official("reception")
    later = received(create_dossier(create_citizen(), submitted=True), reception, due_in_days=20)
    soon = received(create_dossier(create_citizen(), submitted=True), reception, due_in_days=1)
    late = received(create_dossier(create_citizen(), submitted=True), reception, due_in_days=-3)
    login(client, reception)
    overdue = client.get("/officials/dossiers?list=overdue").get_data(as_text=True)
    assert codes_in(overdue, [later, soon, late]) == [late.code]
    assert "Quá hạn" in overdue
    due_soon = client.get("/officials/dossiers?list=due_soon").get_data(as_text=True)
    assert codes_in(due_soon, [later, soon, late]) == [soon.code]
    everything = client.get("/officials/dossiers?list=all").get_data(as_text=True)
    assert everything.index(late.code) < everything.index(soon.code) < everything.index(later.code)


def test_search_by_code_name_identity_number_and_phone(client):
    reception = create_official("reception")
    citizen = create_citizen(full_name="Phạm Thị Tìm Thấy", phone="0977000111", personal_id="089077000111")
    target = create_dossier(citizen, submitted=True)
    other = create_dossier(create_citizen(), submitted=True)
    login(client, reception)
    for query in (target.code, "Tìm Thấy", "089077000111", "0977 000 111"):
        page = client.get("/officials/dossiers", query_string={"list": "all", "q": query}).get_data(
            as_text=True
        )
        assert codes_in(page, [target, other]) == [target.code], query


def test_filters_by_procedure_and_status(client):
    reception = create_official("reception")
    person = create_dossier(create_citizen(), submitted=True)
    organisation = create_dossier(create_organisation(), submitted=True)
    login(client, reception)
    page = client.get(
        "/officials/dossiers", query_string={"list": "all", "procedure": organisation.procedure_version.code}
    ).get_data(as_text=True)
    assert codes_in(page, [person, organisation]) == [organisation.code]
    page = client.get("/officials/dossiers", query_string={"list": "all", "status": "received"}).get_data(
        as_text=True
    )
    assert codes_in(page, [person, organisation]) == []


def test_a_specialist_sees_only_their_dossiers_and_leaders_see_proposals(client):
    reception, specialist, leader = (
        create_official("reception"),
        create_official("specialist"),
        create_official("leader"),
    )
    mine = received(create_dossier(create_citizen(), submitted=True), reception)
    theirs = received(create_dossier(create_citizen(), submitted=True), reception)
    processing.act(mine.id, reception, "assign", {"assignee_id": specialist.id}, None)
    processing.act(mine.id, specialist, "start_appraisal", {}, None)
    processing.act(mine.id, specialist, "propose", {"decision": "approve", "draft": "x"}, None)
    login(client, specialist)
    page = client.get("/officials/dossiers?list=all").get_data(as_text=True)
    assert codes_in(page, [mine, theirs]) == [mine.code]
    client.submit("/account/logout")
    client._csrf = None
    login(client, leader)
    page = client.get("/officials/dossiers").get_data(as_text=True)
    assert codes_in(page, [mine, theirs]) == [mine.code]


def test_a_list_and_a_due_filter_combine(client):
    reception, specialist, leader = (
        create_official("reception"),
        create_official("specialist"),
        create_official("leader"),
    )
    waiting = received(create_dossier(create_citizen(), submitted=True), reception, due_in_days=-2)
    proposed = received(create_dossier(create_citizen(), submitted=True), reception)
    processing.act(proposed.id, reception, "assign", {"assignee_id": specialist.id}, None)
    processing.act(proposed.id, specialist, "start_appraisal", {}, None)
    processing.act(proposed.id, specialist, "propose", {"decision": "approve", "draft": "x"}, None)
    begin_write()
    db.session.get(Dossier, proposed.id).due_date = local_today() - timedelta(days=1)
    db.session.commit()
    login(client, leader)
    page = client.get("/officials/dossiers?list=approval&due=overdue").get_data(as_text=True)
    assert codes_in(page, [waiting, proposed]) == [proposed.code]
    page = client.get("/officials/dossiers?list=overdue&status=received").get_data(as_text=True)
    assert codes_in(page, [waiting, proposed]) == [waiting.code]


def test_bulk_assignment(client):
    reception, specialist = create_official("reception"), create_official("specialist")
    dossiers = [received(create_dossier(create_citizen(), submitted=True), reception) for _ in range(3)]
    login(client, reception)
    data = [("dossier_ids", str(d.id)) for d in dossiers] + [("assignee_id", str(specialist.id))]
    page = client.submit("/officials/dossiers/assign", data, follow_redirects=True).get_data(as_text=True)
    assert "Đã phân công 3 hồ sơ" in page
    assert {db.session.get(Dossier, d.id).assignee_id for d in dossiers} == {specialist.id}


def test_bulk_assignment_to_a_non_specialist_is_refused(client):
    reception = create_official("reception")
    dossier = received(create_dossier(create_citizen(), submitted=True), reception)
    login(client, reception)
    data = [("dossier_ids", str(dossier.id)), ("assignee_id", str(reception.id))]
    page = client.submit("/officials/dossiers/assign", data, follow_redirects=True).get_data(as_text=True)
    assert "Chỉ phân công cho tài khoản chuyên viên" in page
    assert db.session.get(Dossier, dossier.id).assignee_id is None


def rows_of(page: str) -> list[int]:
    return [int(n) for n in ROW.findall(page)]


def link(page: str, rel: str) -> str | None:
    found = re.search(rf'href="([^"]+)" rel="{rel}"', page)
    return html.unescape(found.group(1)) if found else None


def test_pages_follow_one_another_without_repeats_or_gaps_when_due_dates_are_equal(client):
    reception = create_official("reception")
    citizen = create_citizen(full_name="Trương Thị Trang Sách")
    ids = [create_dossier(citizen, submitted=True).id for _ in range(2 * PAGE_SIZE + 3)]
    # Every other dossier has the same due date, the rest none yet: two long runs of equal sort keys.
    same_day = local_today() + timedelta(days=5)
    begin_write()
    db.session.execute(db.update(Dossier).where(Dossier.id.in_(ids[::2])).values(due_date=same_day))
    db.session.commit()
    login(client, reception)

    # A list walks its index; a search sorts what it found: both page alike.
    for first in ("/officials/dossiers?list=all", f"/officials/dossiers?list=all&q={citizen.full_name}"):
        pages, url = [], first
        while url:
            page = client.get(url).get_data(as_text=True)
            pages.append(rows_of(page))
            url = link(page, "next")
        assert [len(p) for p in pages] == [PAGE_SIZE, PAGE_SIZE, 3], first
        assert sum(pages, []) == ids[::2] + ids[1::2]  # dated first, each run in the order of filing
        assert f"{2 * PAGE_SIZE + 3} hồ sơ" in page and "Trang đầu" in page

        back, url = [], link(page, "prev")
        while url:
            page = client.get(url).get_data(as_text=True)
            back.append(rows_of(page))
            url = link(page, "prev")
        assert back == pages[-2::-1], first
        assert link(page, "next") and "Trang đầu" not in page


def test_a_tampered_or_stale_cursor_shows_the_first_page(client):
    reception = create_official("reception")
    citizen = create_citizen(full_name="Trương Thị Trang Sách")
    for _ in range(PAGE_SIZE + 1):
        create_dossier(citizen, submitted=True)
    login(client, reception)
    first = rows_of(client.get("/officials/dossiers?list=all").get_data(as_text=True))

    def encoded(raw: bytes) -> str:
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    tampered = [
        "garbage",
        "%%%",
        "A" * 500,
        encoded(b"2026-13-45~1"),
        encoded(b"2026-01-01~0"),
        encoded(b"2026-01-01~99999999999"),
        encoded(b"\xff\xfe~1"),
        encoded(b"2026-01-01~1 OR 1=1"),
    ]
    for search in ("", citizen.full_name):  # a list, and a search sorting what it found
        for cursor in tampered:
            for direction in ("after", "before"):
                asked = {"list": "all", "q": search, direction: cursor}
                response = client.get("/officials/dossiers", query_string=asked)
                assert response.status_code == 200, (direction, cursor)
                assert rows_of(response.get_data(as_text=True)) == first, (search, direction, cursor)
        # A cursor before everything (the rows before it were closed meanwhile): the first page too.
        asked = {"list": "all", "q": search, "before": encoded(b"1900-01-01~1")}
        assert rows_of(client.get("/officials/dossiers", query_string=asked).get_data(as_text=True)) == first


def test_a_list_of_more_than_ten_thousand_says_so_and_costs_what_a_short_one_costs(app, client):
    reception, leader = create_official("reception"), create_official("leader")
    dossier = create_dossier(create_citizen(full_name="Lâm Thị Hiếm Gặp"), submitted=True)
    lists = [
        "/officials/dossiers?list=all",
        "/officials/dossiers?list=overdue",
        f"/officials/dossiers?list=all&q={dossier.code}",
        "/officials/dossiers?list=all&q=Hiếm Gặp",
    ]
    seed_dossiers(200)  # a few of each list, with assignees, procedures and due dates
    login(client, reception)
    few = [queries_to_get(client, url) for url in lists]
    listed = db.session.scalar(db.select(db.func.count()).where(Dossier.status != "draft"))
    assert f"{listed} hồ sơ" in client.get("/officials/dossiers?list=all").get_data(as_text=True)

    seed_dossiers(COUNT_CAP + 300)  # some are drafts, listed nowhere
    assert [queries_to_get(client, url) for url in lists] == few
    page = client.get("/officials/dossiers?list=all").get_data(as_text=True)
    assert "hơn 10.000 hồ sơ" in page and len(rows_of(page)) == PAGE_SIZE
    waiting = db.session.scalar(db.select(db.func.count()).where(Dossier.status == "submitted"))
    page = client.get("/officials/dossiers").get_data(as_text=True)
    assert f"{waiting:,} hồ sơ".replace(",", ".") in page and waiting > 1000  # counted exactly below the cap
    found = client.get("/officials/dossiers", query_string={"list": "all", "q": dossier.code.lower()})
    assert rows_of(found.get_data(as_text=True)) == [dossier.id]
    found = client.get("/officials/dossiers", query_string={"list": "all", "q": "Hiếm Gặp"})
    assert rows_of(found.get_data(as_text=True)) == [dossier.id]

    client.submit("/account/logout")
    client._csrf = None
    login(client, leader)
    assert queries_to_get(client, "/officials/dossiers") == queries_to_get(
        client, "/officials/dossiers?list=all"
    )


def test_a_name_needs_three_letters_and_wildcards_are_literal(client):
    reception = create_official("reception")
    target = create_dossier(create_citizen(full_name="Hà Thị Ngọc_Anh%"), submitted=True)
    other = create_dossier(create_citizen(full_name="Hà Văn Bình"), submitted=True)
    login(client, reception)

    def found(query: str) -> list[str]:
        page = client.get("/officials/dossiers", query_string={"list": "all", "q": query})
        return codes_in(page.get_data(as_text=True), [target, other])

    assert found("ngọc_anh%") == [target.code]
    assert found("%") == [] and found("_") == [] and found("Hà") == []
    assert found("___") == [] and found("%%%") == []
    assert found("Hà Văn") == [other.code]


def test_on_sqlite_a_name_is_looked_for_among_the_newest_dossiers_only(client, monkeypatch):
    reception = create_official("reception")
    old = create_dossier(create_citizen(full_name="Mạc Thị Xưa"), submitted=True)
    new = create_dossier(create_citizen(full_name="Mạc Văn Mới"), submitted=True)
    monkeypatch.setattr(queries, "SQLITE_NAME_WINDOW", 1)
    login(client, reception)
    page = client.get("/officials/dossiers", query_string={"list": "all", "q": "Mạc"}).get_data(as_text=True)
    postgres = db.engine.dialect.name == "postgresql"  # a trigram index: every dossier
    assert codes_in(page, [old, new]) == ([old.code, new.code] if postgres else [new.code])
    page = client.get("/officials/dossiers", query_string={"list": "all", "q": old.code}).get_data(
        as_text=True
    )
    assert codes_in(page, [old, new]) == [old.code]  # by code, always


def test_bench_seed_makes_dossiers_across_states_and_procedures_but_never_in_production(app, monkeypatch):
    load_catalogue()
    runner = app.test_cli_runner()
    monkeypatch.setitem(app.config, "ENV_NAME", "production")
    refused = runner.invoke(args=["bench", "seed-dossiers", "--count", "50"])
    assert refused.exit_code != 0 and "production" in refused.output
    assert db.session.scalar(db.select(db.func.count()).select_from(Dossier)) == 0

    monkeypatch.setitem(app.config, "ENV_NAME", "development")
    result = runner.invoke(args=["bench", "seed-dossiers", "--count", "600"])
    assert result.exit_code == 0, result.output
    counts = db.session.execute(db.select(Dossier.status, db.func.count()).group_by(Dossier.status)).all()
    assert sum(n for _, n in counts) == 600 and len(counts) >= 10
    assert db.session.scalar(db.select(db.func.count(db.distinct(Dossier.procedure_version_id)))) > 5
    assert db.session.scalar(db.select(db.func.count(db.distinct(Dossier.assignee_id)))) > 5
    again = runner.invoke(args=["bench", "seed-dossiers", "--count", "10"])  # adds to what is there
    assert again.exit_code == 0 and db.session.scalar(db.select(db.func.count()).select_from(Dossier)) == 610


def test_a_worklist_costs_the_same_number_of_queries_whatever_its_length(app, client):
    reception = create_official("reception")
    login(client, reception)

    received(create_dossier(create_citizen(), submitted=True), reception)
    few = queries_to_get(client, "/officials/dossiers?list=all")
    for _ in range(5):
        received(create_dossier(create_citizen(), submitted=True), reception)
    assert queries_to_get(client, "/officials/dossiers?list=all") == few


def test_the_select_column_and_bulk_assignment_show_only_where_a_row_can_be_assigned(client):
    """Issue 17 item 8: no empty select column, no bulk control with nothing to select."""
    reception = create_official("reception")
    create_official("specialist")
    waiting = create_dossier(create_citizen(), submitted=True)
    login(client, reception)
    page = client.get("/officials/dossiers").get_data(as_text=True)  # to receive: nothing assignable
    assert waiting.code in page
    assert 'name="dossier_ids"' not in page and "Phân công các hồ sơ đã chọn" not in page
    assert '<span class="visually-hidden">Chọn</span>' not in page
    ready = received(create_dossier(create_citizen(), submitted=True), reception)
    page = client.get("/officials/dossiers?list=all").get_data(as_text=True)
    assert f'name="dossier_ids" value="{ready.id}"' in page and "Phân công các hồ sơ đã chọn" in page
    assert f'name="dossier_ids" value="{waiting.id}"' not in page  # not received yet: no box
    login(client, create_official("specialist"))
    page = client.get("/officials/dossiers").get_data(as_text=True)
    assert 'name="dossier_ids"' not in page and "Phân công các hồ sơ đã chọn" not in page


def test_each_role_starts_from_counts_of_its_days_work(client):
    """Issue 17 item 5: the worklist's tabs count what waits in each of the role's working lists."""
    reception, specialist = create_official("reception"), create_official("specialist")
    for _ in range(2):
        create_dossier(create_citizen(), submitted=True)
    ready = received(create_dossier(create_citizen(), submitted=True), reception)
    processing.act(ready.id, reception, "assign", {"assignee_id": specialist.id}, None)
    login(client, reception)
    page = client.get("/officials/dossiers").get_data(as_text=True)
    assert 'data-testid="count-to_receive">2<' in page and 'data-testid="count-stop_requests">0<' in page
    assert 'data-testid="count-all"' not in page  # not a working list
    login(client, specialist)
    page = client.get("/officials/dossiers").get_data(as_text=True)
    assert 'data-testid="count-mine">1<' in page
    assert 'href="/officials/dossiers?list=mine"' in page


def test_a_tab_counts_up_to_its_cap_and_then_says_more(client, monkeypatch):
    """The tabs stop counting at TAB_COUNT_CAP + 1 ("hơn 1.000"), seven counts on every page; the list's
    own count goes on to COUNT_CAP."""
    reception = create_official("reception")
    for _ in range(3):
        create_dossier(create_citizen(), submitted=True)
    monkeypatch.setattr(queries, "TAB_COUNT_CAP", 2)
    login(client, reception)
    page = client.get("/officials/dossiers").get_data(as_text=True)
    assert 'data-testid="count-to_receive">hơn 2<' in page
    assert "3 hồ sơ · sắp xếp theo hạn giải quyết" in page


def test_a_search_finding_more_than_it_sorts_says_so_and_still_pages_in_due_order(client, monkeypatch):
    """More matches than SEARCH_CAP (a surname in a province): "hơn …", a hint to narrow it, and the pages
    read along the list in due order, each row found once."""
    load_catalogue()
    reception = create_official("reception")
    seed_dossiers(60)
    begin_write()
    listed = db.session.scalars(
        db.select(Dossier).where(Dossier.status != "draft", Dossier.agency_id.is_(None)).limit(8)
    ).all()
    *namesakes, other = listed
    for due_in, dossier in zip([5, 1, 9, 3, 7, 2, 8], namesakes, strict=True):
        dossier.applicant_name, dossier.due_date = "Tạ Văn Trùng", local_today() + timedelta(days=due_in)
    other.applicant_name = "Lý Thị Khác"
    db.session.commit()
    monkeypatch.setattr(queries, "SEARCH_CAP", 4)
    monkeypatch.setattr(queries, "PAGE_SIZE", 3)
    login(client, reception)

    seen, asked = [], {"list": "all", "q": "tạ văn"}
    while True:
        page = client.get("/officials/dossiers", query_string=asked).get_data(as_text=True)
        assert "hơn 4 hồ sơ" in page and "Nhập đầy đủ họ tên, mã hồ sơ hoặc số điện thoại" in page
        seen += rows_of(page)
        after = re.search(r'href="[^"]*[?&]after=([^"&]+)', html.unescape(page))
        if not after:
            break
        asked = {**asked, "after": after.group(1)}
    assert seen == [d.id for d in sorted(namesakes, key=lambda d: (d.due_date, d.id))]

    page = client.get("/officials/dossiers", query_string={"list": "all", "q": "Lý Thị Khác"})
    assert "1 hồ sơ" in page.get_data(as_text=True)  # within the cap: counted exactly, no hint
    assert "Nhập đầy đủ họ tên" not in page.get_data(as_text=True)


def test_every_lists_count_and_page_are_read_from_its_index_alone(app):
    """The worklist indexes carry what the lists' conditions, visibility and a name search read: for every
    role's every list, its count, its page and a search walking it name no dossier column that a
    worklist index lacks, and SQLite's planner answers each from one of them alone ("COVERING INDEX").
    (PostgreSQL's planner is not asked: on a test database of a few hundred rows it may prefer another
    index or a plain index scan, its visibility map unset; bench/README.md shows its index-only plans at
    a million dossiers.)"""
    from sqlalchemy import Column
    from sqlalchemy.dialects import sqlite
    from sqlalchemy.sql import visitors

    load_catalogue()
    officials = [create_official(role) for role in ("reception", "specialist", "leader")]
    seed_dossiers(300)
    on_sqlite = db.engine.dialect.name == "sqlite"
    if on_sqlite:
        db.session.execute(db.text("ANALYZE dossiers"))
    table = Dossier.__table__
    held = {
        index.name: {c.name for e in index.expressions for c in visitors.iterate(e) if isinstance(c, Column)}
        for index in table.indexes
        if index.name.startswith("ix_dossiers_worklist")
    }

    def plan(statement) -> str:
        sql = str(statement.compile(dialect=sqlite.dialect(), compile_kwargs={"literal_binds": True}))
        return "\n".join(str(row[-1]) for row in db.session.execute(db.text("EXPLAIN QUERY PLAN " + sql)))

    checked = 0
    for official in officials:
        for name in queries.LISTS_BY_ROLE[official.role]:
            if name == "department" and official.department_id is None:
                continue  # no department, no such list (its condition is false)
            listed = queries._apply_list(
                queries._visible_to(official, db.select(Dossier).where(queries.NOT_DRAFT)), official, name
            )
            searched = queries._search(listed, "Nguyễn Văn")
            statements = [
                listed.with_only_columns(Dossier.id).limit(1001),
                listed.with_only_columns(Dossier.id).order_by(queries.SORT_KEY, Dossier.id).limit(26),
                searched.with_only_columns(Dossier.id).order_by(queries.SORT_KEY, Dossier.id).limit(26),
            ]
            for statement in statements:
                named = {
                    c.name for c in visitors.iterate(statement) if isinstance(c, Column) and c.table is table
                }
                assert any(named <= columns for columns in held.values()), (official.role, name, named)
                if on_sqlite:
                    shown = plan(statement)
                    used = re.search(r"COVERING INDEX (ix_dossiers_worklist\w*)", shown)
                    assert used, (official.role, name, shown)
                    assert named <= held[used.group(1)], (official.role, name, named - held[used.group(1)])
                checked += 1
    assert checked > 50
