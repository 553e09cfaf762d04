"""A local stand-in for the national portal's receiving API (../shared/INTEGRATION.md §2), mounted only
when NATIONAL_PORTAL_SIMULATOR is on (development and tests; production refuses it, service/safety.py).

POST /themmoi, /capnhat and /tientrinh take JSON arrays and check what the portal is known to check:
the fields present, dates as yyyyMMddHHmmss, the codes (channel 1-3, applicant kind 1-4, status 1-10);
/themmoi answers "đã tồn tại" for a MaHoSo it holds, /capnhat refuses one it does not. GET /hoso/<ma>
shows a dossier as the portal holds it (tests, and to see it by hand); POST /token issues bearer tokens
for the configured client (the integration platform's OAuth2 client credentials). POST /faults {"lose": n} makes the
next n pushes be stored but their acknowledgements lost (HTTP 504 with no body), as on a bad network.
State lives in this process (development server, tests)."""

from __future__ import annotations

import secrets
from typing import Any

from flask import Blueprint, current_app, jsonify, request

from service.access import ANYONE, allow
from service.extensions import csrf
from service.nationalportal.codes import parse_portal_time

bp = Blueprint("national_portal_simulator", __name__, url_prefix="/simulators/national-portal")

DOSSIERS: dict[str, dict[str, Any]] = {}
PROGRESS: dict[str, list[dict[str, Any]]] = {}
FAULTS = {"lose": 0}
CALLS: list[str] = []  # which URL each accepted push went to, in order (for tests)
TOKENS: set[str] = set()  # access tokens issued by /token (the integration platform's OAuth2)
# The clients registered with the platform (id: secret); none registered: the configured one is.
CLIENTS: dict[str, str] = {}

REQUIRED = ("MaHoSo", "MaTTHC", "TenTTHC", "KenhThucHien", "ChuHoSo", "LoaiDoiTuong", "NgayNopHoSo")
REQUIRED += ("TrangThaiHoSo", "DonViXuLy")
DATES = ("NgayNopHoSo", "NgayTiepNhan", "NgayHenTra", "NgayTra", "NgayKetThucXuLy", "NgayTuChoi")
CODES = {"KenhThucHien": range(1, 4), "LoaiDoiTuong": range(1, 5), "TrangThaiHoSo": range(1, 11)}
PROGRESS_REQUIRED = ("MaHoSo", "ThoiDiemXuLy", "NoiDungXuLy", "TrangThai")
PROGRESS_BATCH = 10


def reset() -> None:
    DOSSIERS.clear()
    PROGRESS.clear()
    CALLS.clear()
    TOKENS.clear()
    CLIENTS.clear()
    FAULTS["lose"] = 0


@bp.before_request
def _bearer_known():
    """A call that names a bearer token must name one /token issued (none named: the headers are the
    operator's choice, unchecked)."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme == "Bearer" and token not in TOKENS:
        return jsonify(error_code="401", message="Token không hợp lệ."), 401
    return None


@bp.route("/token", methods=["POST"])
@allow(ANYONE)
@csrf.exempt
def token():
    """OAuth2 client credentials (HTTP Basic), as the integration platform's /token."""
    config = current_app.config
    registered = CLIENTS or {config["NATIONAL_PORTAL_CLIENT_ID"]: config["NATIONAL_PORTAL_CLIENT_SECRET"]}
    client = request.authorization
    if client is None or not client.username or registered.get(client.username) != client.password:
        return jsonify(error="invalid_client"), 401
    if request.form.get("grant_type") != "client_credentials":
        return jsonify(error="unsupported_grant_type"), 400
    issued = secrets.token_urlsafe(24)
    TOKENS.add(issued)
    return jsonify(access_token=issued, token_type="Bearer", expires_in=3600)


@bp.route("/themmoi", methods=["POST"])
@allow(ANYONE)
@csrf.exempt
def create():
    records, problem = _records(_dossier_problem)
    if problem:
        return _error(problem)
    held = [r["MaHoSo"] for r in records if r["MaHoSo"] in DOSSIERS]
    if held:
        return _error(f"Hồ sơ {', '.join(held)} đã tồn tại trên hệ thống.")
    return _store("themmoi", records)


@bp.route("/capnhat", methods=["POST"])
@allow(ANYONE)
@csrf.exempt
def update():
    records, problem = _records(_dossier_problem)
    if problem:
        return _error(problem)
    unknown = [r["MaHoSo"] for r in records if r["MaHoSo"] not in DOSSIERS]
    if unknown:
        return _error(f"Không tìm thấy hồ sơ {', '.join(unknown)}.")
    return _store("capnhat", records)


@bp.route("/tientrinh", methods=["POST"])
@allow(ANYONE)
@csrf.exempt
def progress():
    entries, problem = _records(_progress_problem)
    if problem:
        return _error(problem)
    if len(entries) > PROGRESS_BATCH:
        return _error(f"Mỗi lần gửi tối đa {PROGRESS_BATCH} tiến trình.")
    unknown = sorted({e["MaHoSo"] for e in entries if e["MaHoSo"] not in DOSSIERS})
    if unknown:
        return _error(f"Không tìm thấy hồ sơ {', '.join(unknown)}.")
    for entry in entries:
        held = PROGRESS.setdefault(entry["MaHoSo"], [])
        if entry not in held:  # the same entry sent again (a lost acknowledgement) is kept once
            held.append(entry)
    return _answer("tientrinh")


@bp.route("/hoso/<ma>", methods=["GET"])
@allow(ANYONE)
def lookup(ma: str):
    if ma not in DOSSIERS:
        return jsonify(error_code="-1", message=f"Không tìm thấy hồ sơ {ma}."), 404
    return jsonify(error_code="0", message="", result={**DOSSIERS[ma], "TienTrinh": PROGRESS.get(ma, [])})


@bp.route("/faults", methods=["POST"])
@allow(ANYONE)
@csrf.exempt
def faults():
    body = request.get_json(silent=True) or {}
    FAULTS["lose"] = max(0, int(body.get("lose") or 0))
    return jsonify(error_code="0", message="", result=FAULTS)


def _records(check) -> tuple[list[dict[str, Any]], str | None]:
    body = request.get_json(silent=True)
    if not isinstance(body, list) or not body or not all(isinstance(r, dict) for r in body):
        return [], "Dữ liệu gửi lên phải là một mảng JSON các đối tượng."
    problems = [p for r in body if (p := check(r))]
    return body, problems[0] if problems else None


def _dossier_problem(record: dict[str, Any]) -> str | None:
    missing = [name for name in REQUIRED if record.get(name) in (None, "")]
    if missing:
        return f"Thiếu trường {', '.join(missing)}."
    for name, allowed in CODES.items():
        if record[name] not in allowed:
            return f"{name} không hợp lệ: {record[name]!r}."
    return _date_problem(record, DATES) or _results_problem(record.get("DanhSachGiayToKetQua") or [])


def _results_problem(results: list) -> str | None:
    for result in results:
        if not all(result.get(name) for name in ("TenGiayTo", "DuongDanTepTinKetQua")):
            return "DanhSachGiayToKetQua: thiếu TenGiayTo hoặc DuongDanTepTinKetQua."
        if not str(result["DuongDanTepTinKetQua"]).startswith(("http://", "https://")):
            return "DuongDanTepTinKetQua phải là một địa chỉ URL."
    return None


def _progress_problem(entry: dict[str, Any]) -> str | None:
    missing = [name for name in PROGRESS_REQUIRED if entry.get(name) in (None, "")]
    if missing:
        return f"Thiếu trường {', '.join(missing)}."
    if entry["TrangThai"] not in CODES["TrangThaiHoSo"]:
        return f"TrangThai không hợp lệ: {entry['TrangThai']!r}."
    return _date_problem(entry, ("ThoiDiemXuLy", "NgayBatDau", "NgayKetThucTheoQuyDinh"))


def _date_problem(record: dict[str, Any], names: tuple[str, ...]) -> str | None:
    for name in names:
        value = record.get(name)
        if value in (None, ""):
            continue
        try:
            parse_portal_time(str(value))
        except ValueError:
            return f"{name} không đúng định dạng yyyyMMddHHmmss: {value!r}."
    return None


def _store(url: str, records: list[dict[str, Any]]):
    for record in records:
        DOSSIERS[record["MaHoSo"]] = record
    return _answer(url)


def _answer(url: str):
    CALLS.append(url)
    if FAULTS["lose"]:
        FAULTS["lose"] -= 1
        return "", 504  # stored, but the acknowledgement never arrives
    return jsonify(error_code="0", message="Thành công")


def _error(message: str):
    return jsonify(error_code="-1", message=message)
