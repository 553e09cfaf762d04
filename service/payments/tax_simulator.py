"""A local stand-in for the tax authority's receiving endpoint for receipt data (../shared/INTEGRATION.md
§6), mounted only when TAX_AUTHORITY_SIMULATOR is on (development and tests; production refuses it,
service/safety.py).

POST /receive takes the XML envelope `TDiep/TTChung/DLieu`, checks what the envelope must carry (PBan,
MNGui, MNNhan, MLTDiep, an MTDiep of the sender's code and 32 hex digits, MST, SLuong) and that each
receipt names its symbols, number, collector's tax code, fee and amount, and answers a 999
acknowledgement (`TTTNhan` 0 accepted, 1 refused with `MTLoi`). POST /faults {"fail": n} makes the next
n messages be answered HTTP 503 (a tax authority that is down). State lives in this process."""

from __future__ import annotations

import re
import secrets
import xml.etree.ElementTree as ET

from flask import Blueprint, Response, request

from service.access import ANYONE, allow
from service.extensions import csrf

bp = Blueprint("tax_authority_simulator", __name__, url_prefix="/simulators/tax-authority")

RECEIVED: dict[str, str] = {}  # MTDiep: the XML as received (for tests, and to see it by hand)
FAULTS = {"fail": 0}
COMMON = ("PBan", "MNGui", "MNNhan", "MLTDiep", "MTDiep", "MST", "SLuong")
RECEIPT = ("KHMSBLai", "KHBLai", "SBLai", "NLap", "MSTDVThu", "TKThu", "TgTien")


def reset() -> None:
    RECEIVED.clear()
    FAULTS["fail"] = 0


@bp.route("/faults", methods=["POST"])
@allow(ANYONE)
@csrf.exempt
def faults():
    FAULTS["fail"] = int((request.get_json(silent=True) or {}).get("fail", 0))
    return {"fail": FAULTS["fail"]}


@bp.route("/receive", methods=["POST"])
@allow(ANYONE)
@csrf.exempt
def receive():
    if FAULTS["fail"] > 0:
        FAULTS["fail"] -= 1
        return Response("Service Unavailable", status=503)
    try:
        root = ET.fromstring(request.get_data())
    except ET.ParseError:
        return Response("not XML", status=400)
    message_id = root.findtext("TTChung/MTDiep") or ""
    error = _error(root, message_id)
    if error is None:
        RECEIVED[message_id] = request.get_data(as_text=True)
    return Response(_acknowledgement(message_id, error), mimetype="application/xml")


def _error(root: ET.Element, message_id: str) -> str | None:
    lacking = [name for name in COMMON if not root.findtext(f"TTChung/{name}")]
    if lacking:
        return "Thiếu " + ", ".join(lacking)
    if not re.fullmatch(re.escape(root.findtext("TTChung/MNGui") or "") + "[0-9A-F]{32}", message_id):
        return "MTDiep không đúng dạng (mã nơi gửi và 32 ký tự hexa)"
    receipts = root.findall("DLieu/BLai")
    if len(receipts) != int(root.findtext("TTChung/SLuong") or 0):
        return "SLuong không khớp số biên lai"
    for receipt in receipts:
        lacking = [name for name in RECEIPT if not receipt.findtext(name)]
        if lacking:
            return "Biên lai thiếu " + ", ".join(lacking)
        if not re.fullmatch(r"\d{2}T[A-Z]{2}", receipt.findtext("KHBLai") or ""):
            return "KHBLai không đúng dạng"
    return None


def _acknowledgement(message_id: str, error: str | None) -> str:
    root = ET.Element("TDiep")
    common = ET.SubElement(root, "TTChung")
    for name, value in (
        ("PBan", "2.1.0"),
        ("MNGui", "TCT"),
        ("MLTDiep", "999"),
        ("MTDiep", "TCT" + secrets.token_hex(16).upper()),
        ("MTDTChieu", message_id),
    ):
        ET.SubElement(common, name).text = value
    notice = ET.SubElement(ET.SubElement(root, "DLieu"), "TBao")
    ET.SubElement(notice, "TTTNhan").text = "1" if error else "0"
    if error:
        ET.SubElement(notice, "MTLoi").text = error
    return ET.tostring(root, encoding="unicode")
