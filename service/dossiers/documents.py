"""The data each of a dossier's documents is made from (the official forms 01–06, the decision, the
certificate, the written answer), taken from the dossier as plain values: the documents service renders,
numbers, signs and stores them and never reads a dossier itself (templates never see ORM objects)."""

from __future__ import annotations

import re
from typing import Any

from flask import current_app

from service.accounts.models import User
from service.accounts.roles import Role
from service.agencies import issuer as agency_issuer
from service.documents import citations
from service.documents.issuing import KINDS
from service.dossiers.display import describe, format_address
from service.dossiers.models import CHANNEL_LABELS, Dossier
from service.extensions import db
from service.procedures.catalogue import DOCUMENT_KINDS_VI
from service.text import clean_name, printable
from service.timeutil import format_date, to_local
from workflows.states import EVENT_LABELS

RESULT_KINDS = {
    "decision": "decision",
    "licence": "decision",
    "certificate": "certificate",
    "written_answer": "written_answer",
}
RETURN_METHODS = {
    "electronic": "Trả kết quả điện tử qua tài khoản dịch vụ công",
    "post": "Qua dịch vụ bưu chính công ích",
    "desk": "Tại Bộ phận Một cửa",
}


def result_kind(dossier: Dossier) -> str:
    """The result document: the catalogue entry's `result_template` if it names one, else by result type."""
    content = dossier.procedure_version.content
    return content.get("result_template") or RESULT_KINDS[content["result_type"]]


def build(kind: str, dossier: Dossier) -> tuple[dict[str, Any], str]:
    """(template data, holder name) for a document of `kind` about `dossier`.

    What applicants typed (names, form values) enters an official document here, and only here: its
    control and bidirectional-override characters are removed, so a name prints as it reads."""
    data = {"doc": _doc(kind, dossier), "dossier": _dossier(dossier)}
    data.update(BUILDERS[kind](dossier))
    return printable(data), clean_name(dossier.applicant_name or dossier.owner.display_name)


# Issued by the receiving one-stop unit, not by the Sở (Circular 03/2025; LAW-2026 §4): the receipt,
# the supplement request, the refusal to receive, the stop notice and the process-control slip.
RECEIVING_UNIT_KINDS = frozenset({"form_01", "form_02", "form_03", "form_05", "form_06"})


def issuer(kind: str, dossier: Dossier) -> dict[str, str]:
    """The header's parent body and issuing body for a document of `kind`: the dossier's receiving
    agency (the provincial centre or a commune's) for the one-stop forms."""
    config = current_app.config
    if kind in RECEIVING_UNIT_KINDS:
        return agency_issuer.issuer_for(dossier)
    return {
        "parent": config["DOCUMENT_ISSUER_PARENT"],
        "name": config["DOCUMENT_ISSUER_NAME"],
        "abbreviation": config["DOCUMENT_ISSUER_ABBREVIATION"],
    }


RESULT_DOCUMENT_KINDS = frozenset({"decision", "certificate", "written_answer"})


def _doc(kind: str, dossier: Dossier) -> dict[str, Any]:
    doc = {
        "issuer": issuer(kind, dossier),
        "title": KINDS[kind].title if kind != "written_answer" else "",
        "summary": _summary(kind, dossier),
        "number": None,
        "place_date": "",
        "place": agency_issuer.place_for(dossier),
        "verification": None,
        "draft": False,
        "signer": _signer(kind, dossier),
        "recipients": _recipients(kind, dossier),
    }
    commune = agency_issuer.commune_decision(dossier) or school_decision(dossier)
    if kind in RESULT_DOCUMENT_KINDS and commune:  # the commune People's Committee decides (LAW-2026 §3)
        doc["issuer"], doc["authority"] = commune["issuer"], commune["authority"]
        doc["signer"] = {**doc["signer"], **_head_signs(doc["signer"], commune["head"])}
    elif kind in RESULT_DOCUMENT_KINDS and dossier.needs_provincial_decision:
        # The chairman of the provincial People's Committee decides (the catalogue's deciding_authority):
        # the result is his, in the Committee's name; the Sở only proposes. He signs on paper, by name.
        parent = current_app.config["DOCUMENT_ISSUER_PARENT"]
        doc["issuer"] = {"parent": "", "name": parent, "abbreviation": "UBND"}
        doc["signer"] = {"capacity": "", "position": "CHỦ TỊCH", "name": ""}
        doc["authority"] = f"Chủ tịch {parent}"
    return doc


def school_decision(dossier: Dossier) -> dict[str, Any] | None:
    """An application the learner's school decides (1.005144, LAW-2026 §2): the result is the school's,
    in its name under the body it belongs to (configured: DOCUMENT_ISSUER_PARENT, unconfirmed per
    school), signed by its head ("HIỆU TRƯỞNG", a deputy "KT. HIỆU TRƯỞNG"); None for other dossiers."""
    school = dossier.school
    if school is None:
        return None
    return {
        "issuer": {
            "parent": current_app.config["DOCUMENT_ISSUER_PARENT"],
            "name": school.name,
            "abbreviation": "",
        },
        "authority": f"Hiệu trưởng {school.name}",
        "head": "HIỆU TRƯỞNG",
        "competence": f"Quyết định thành lập và quy định chức năng, nhiệm vụ, quyền hạn của {school.name}",
        "executors": f"Các phòng, khoa có liên quan của {school.name}",
        "proposal": f"Xét đơn đề nghị miễn, giảm học phí số {dossier.code}.",
        "unit": school.name,
    }


def _recipients(kind: str, dossier: Dossier) -> list[str]:
    """The specialist's "Nơi nhận" for a result, else the applicant and the archive (Lưu: VT). A letter
    (công văn) names its addressee "Như trên" first (Decree 30/2020), never by name a second time."""
    if kind == "form_06":
        return []  # an internal slip: no "Nơi nhận" (LAW-2026 §4)
    lines = [line.strip(" -•*\t;.") for line in (dossier.draft_recipients or "").splitlines()]
    lines = [line for line in lines if line] if kind in ("decision", "certificate", "written_answer") else []
    applicant = dossier.applicant_name or dossier.owner.display_name
    if not lines:
        lines = [applicant, _archive(kind, dossier)]
    if kind == "written_answer":
        lines = ["Như trên"] + [
            line for line in lines if line.casefold() not in ("như trên", applicant.casefold())
        ]
    return [f"- {line}{'.' if index == len(lines) - 1 else ';'}" for index, line in enumerate(lines)]


def _archive(kind: str, dossier: Dossier) -> str:
    """ "Lưu: VT, <unit>" (Decree 30/2020, App. III): the copy is kept by the issuer's archive and the
    unit that drafted it. A one-stop form's unit is the receiving agency (its configured abbreviation),
    a commune's or school's result has no Sở department; the Sở's own documents name its department."""
    if kind in RECEIVING_UNIT_KINDS:
        unit = agency_issuer.issuer_for(dossier)["abbreviation"]
    elif kind in RESULT_DOCUMENT_KINDS and (agency_issuer.is_commune_level(dossier) or dossier.school):
        unit = ""
    else:
        unit = current_app.config["DOCUMENT_DEPARTMENT_ABBREVIATION"]
    return f"Lưu: VT, {unit}" if unit else "Lưu: VT"


def _summary(kind: str, dossier: Dossier) -> str | None:
    name = dossier.procedure_version.name
    if kind == "decision":
        return f"Về việc {name[0].lower()}{name[1:]}"
    if kind == "written_answer":
        return f"V/v trả lời hồ sơ {dossier.code}"
    return None


# Who signs each document: the official who took the step that produced it.
SIGNING_STEP = {
    "form_01": ("receive",),
    "form_02": ("request_supplement",),
    "form_03": ("refuse",),
    "form_04": ("extend",),
    "form_05": ("stop",),
    "form_06": ("return_result", "assign"),
    "decision": ("approve",),
    "certificate": ("approve",),
    "written_answer": ("deny",),
    "receipt": (),
}
ROLE_POSITIONS = {"leader": "Giám đốc", "reception": "Người tiếp nhận hồ sơ", "specialist": "Chuyên viên"}


def _head_signs(signer: dict[str, str], head: str) -> dict[str, str]:
    """The head of the deciding body signs (a deputy "KT. <head>"), under his own position if it says so."""
    position = signer["position"] if signer["position"].startswith(("PHÓ " + head, head)) else head
    return {"capacity": f"KT. {head}" if position.startswith("PHÓ") else "", "position": position}


def _signer(kind: str, dossier: Dossier) -> dict[str, str]:
    step = next((e for e in reversed(dossier.events) if e.event in SIGNING_STEP[kind]), None)
    official = step.actor if step else (dossier.received_by if kind.startswith("form_") else None)
    if official is None:
        # A preview before the decision: the leader signs, by name once the decision is taken.
        return {"capacity": "", "position": "GIÁM ĐỐC", "name": ""}
    position = (official.position or ROLE_POSITIONS.get(official.role, "")).upper()
    capacity = "KT. GIÁM ĐỐC" if official.role == "leader" and position.startswith("PHÓ") else ""
    return {"capacity": capacity, "position": position, "name": official.full_name}


def _dossier(dossier: Dossier) -> dict[str, Any]:
    version = dossier.procedure_version
    return {
        "code": dossier.code,
        "procedure": version.name,
        "procedure_code": version.code,
        "received_at": _moment(dossier.received_at or dossier.submitted_at),
        "due": format_date(dossier.due_date),
        "processing_days": dossier.processing_days,
        "applicant": _applicant(dossier),
        "online": dossier.channel == "online",
        "channel": CHANNEL_LABELS.get(dossier.channel, ""),
        # A posted application: the postmark's date (the deadline counts from the day of receipt).
        "postmarked_on": format_date(dossier.postmarked_on) if dossier.postmarked_on else "",
        # The body that decides (Cơ quan chủ trì giải quyết), named in the forms the receiving unit issues.
        "deciding_agency": agency_issuer.deciding_name(dossier),
    }


def _moment(value) -> str:
    if value is None:
        return ""
    local = to_local(value)
    return f"{local:%H} giờ {local:%M} phút, ngày {local:%d/%m/%Y}"


def address_of(dossier: Dossier) -> str:
    """The applicant's address as the form gives it: an address field, else a field labelled so."""
    address = next(
        (value for spec, value in _typed_values(dossier) if spec["type"] == "address" and value), ""
    )
    entries = {e["label"]: e.get("value", "") for e in _entries(dossier)}
    return address or next((v for k, v in entries.items() if "địa chỉ" in k.lower() and v), "")


def _applicant(dossier: Dossier) -> dict[str, str]:
    owner = dossier.owner
    organisation = owner.role == Role.ORGANISATION
    return {
        "name": dossier.applicant_name or owner.display_name,
        "address": address_of(dossier),
        "phone": dossier.lookup_phone or owner.phone or "",
        "email": owner.email,
        # The personal identification number, or an organisation's tax (enterprise) code; blank when the
        # account has none, for the officer to fill in by hand.
        "identifier": (owner.tax_code if organisation else owner.personal_id) or "",
        "identifier_label": "Mã số thuế (mã số doanh nghiệp)" if organisation else "Số định danh cá nhân",
        # Whether the dossier carries a letter of authorisation (the authorised person's name and number
        # are not in the data: the form leaves their line for hand filling).
        "authorised": any(
            "authoris" in document["key"] and dossier.files_for(document["key"])
            for document in dossier.procedure_version.documents
        ),
    }


def _entries(dossier: Dossier) -> list[dict[str, Any]]:
    return describe(dossier.procedure_version.fields, dossier.form_pairs)


def _typed_values(dossier: Dossier):
    for spec, entry in zip(dossier.procedure_version.fields, _entries(dossier), strict=True):
        yield spec, entry.get("value", "")


def _form_01(dossier: Dossier) -> dict[str, Any]:
    documents = []
    for document in dossier.procedure_version.documents:
        files = dossier.files_for(document["key"])
        if files:
            documents.append(
                {"name": document["name"], "kind": DOCUMENT_KINDS_VI[document["kind"]], "count": len(files)}
            )
    year = to_local(dossier.received_at).year if dossier.received_at else ""
    line = _register_line(dossier)
    return {
        "documents": documents,
        "sets": 1,
        "return_method": _return_method(dossier),
        "appointment": {"time": _appointment_time(), "day": format_date(dossier.due_date)},
        "register": {"book": f"Sổ theo dõi hồ sơ năm {year}", "line": line},
        "officer": dossier.received_by.full_name if dossier.received_by else "",
    }


def _return_method(dossier: Dossier) -> str:
    """What the applicant chose at filing (with the postal address); electronic for a dossier filed
    before the choice was asked."""
    method = RETURN_METHODS[dossier.delivery_method or "electronic"]
    address = format_address(dossier.delivery_address)
    return f"{method}: {address}" if address else method


def _appointment_time() -> dict[str, str]:
    """The configured hour of the result appointment (APPOINTMENT_TIME "HH:MM"), else blanks."""
    match = re.fullmatch(r"([01]\d|2[0-3]):([0-5]\d)", current_app.config.get("APPOINTMENT_TIME") or "")
    return {"hour": match[1], "minute": match[2]} if match else {"hour": "", "minute": ""}


def _register_line(dossier: Dossier) -> int:
    """The dossier's line in the year's tracking register: dossiers received this year up to it."""
    from datetime import UTC, datetime, time

    from service.timeutil import LOCAL_TZ

    if dossier.received_at is None:
        return 0
    year_start = datetime.combine(
        to_local(dossier.received_at).date().replace(month=1, day=1), time.min, LOCAL_TZ
    )
    start = year_start.astimezone(UTC).replace(tzinfo=None)
    return db.session.scalar(
        db.select(db.func.count())
        .select_from(Dossier)
        .where(Dossier.received_at >= start, Dossier.received_at <= dossier.received_at)
    )


def _form_02(dossier: Dossier) -> dict[str, Any]:
    lines = [line.strip(" -•*\t") for line in (dossier.supplement_request or "").splitlines()]
    lines = [line for line in lines if line]
    return {
        "missing": lines,
        "reason": "Hồ sơ chưa đầy đủ, hợp lệ theo quy định của thủ tục hành chính.",
        "deadline": format_date(dossier.supplement_deadline),
        "officer": _last_actor(dossier, "request_supplement"),
        "contact_phone": agency_issuer.issuer_for(dossier)["phone"],
    }


def _form_03(dossier: Dossier) -> dict[str, Any]:
    # One reason a line: the desk's checklist findings (service/dossiers/checklist.py), then its words.
    reasons = [line.strip(" -•*\t") for line in _last_note(dossier, "refuse").splitlines()]
    return {"reasons": [line for line in reasons if line] or [""], "officer": _last_actor(dossier, "refuse")}


def _form_04(dossier: Dossier) -> dict[str, Any]:
    return {
        "reason": dossier.extension_reason or "",
        "old_due": format_date(dossier.original_due_date),
        "new_due": format_date(dossier.due_date),
    }


def _form_05(dossier: Dossier) -> dict[str, Any]:
    note = _last_note(dossier, "request_stop")
    return {"reason": f"Theo đề nghị của tổ chức, cá nhân{': ' + note if note else ''}."}


def _form_06(dossier: Dossier) -> dict[str, Any]:
    """Form 06, one row per hand-off: the giving and the receiving unit and person, the time to the
    minute, the step's result (trước hạn / đúng hạn / quá hạn against the appointment then in force)."""
    config = current_app.config
    rows = []
    steps = [e for e in dossier.events if e.event not in ("create", "submit", "file_on_paper", "comment")]
    for index, event in enumerate(steps):
        following = steps[index + 1] if index + 1 < len(steps) else None
        receiver_unit = _unit(following.actor, dossier) if following else ""
        receiver = following.actor.display_name if following and following.actor else ""
        giver_unit, giver = _unit(event.actor, dossier), event.actor.display_name if event.actor else ""
        if (
            event.event == "forward"
        ):  # to the provincial chairman, who decides (not the leader who records it)
            receiver_unit, receiver = (
                config["DOCUMENT_ISSUER_PARENT"],
                f"Chủ tịch {config['DOCUMENT_ISSUER_PARENT']}",
            )
        elif index and steps[index - 1].event == "forward":  # the chairman's decision comes back from him
            giver_unit, giver = (
                config["DOCUMENT_ISSUER_PARENT"],
                f"Chủ tịch {config['DOCUMENT_ISSUER_PARENT']}",
            )
        rows.append(
            {
                "step": EVENT_LABELS.get(event.event, event.event),
                "giver_unit": giver_unit,
                "giver": giver,
                "receiver_unit": receiver_unit,
                "receiver": receiver,
                "time": f"{to_local(event.at):%H giờ %M phút, ngày %d/%m/%Y}",
                "outcome": _outcome(event),
                "note": event.note or "",
            }
        )
    forwarded = any(e.event == "forward" for e in dossier.events)
    return {
        "rows": rows,
        "handling_unit": (agency_issuer.commune_decision(dossier) or {}).get(
            "unit", f"Phòng {config['DOCUMENT_DEPARTMENT_NAME']}, {config['DOCUMENT_ISSUER_NAME']}"
        ),
        # Only the provincial People's Committee takes part in a dossier here, when its chairman decides.
        "cooperating_unit": config["DOCUMENT_ISSUER_PARENT"] if forwarded else "",
    }


def _unit(actor: User | None, dossier: Dossier) -> str:
    """The unit a step's actor acted for: the applicant, the receiving unit, or the Sở's department."""
    config = current_app.config
    if actor is None or actor.id == dossier.owner_id:
        return "Tổ chức, cá nhân nộp hồ sơ"
    if actor.role == Role.RECEPTION:
        return agency_issuer.issuer_for(dossier)["name"]
    commune = agency_issuer.commune_decision(dossier)
    if commune:  # the commune's own officials
        return f"Lãnh đạo {commune['issuer']['name']}" if actor.role == Role.LEADER else commune["unit"]
    if actor.role == Role.LEADER:
        return f"Lãnh đạo {config['DOCUMENT_ISSUER_NAME']}"
    return f"Phòng {config['DOCUMENT_DEPARTMENT_NAME']}"


def _outcome(event) -> str:
    """Before, on or after the appointment in force at the step; steps not measured (the applicant's
    own, or before the appointment was set) have none."""
    if event.on_time is None or event.due_date is None:
        return ""
    day = to_local(event.at).date()
    if day < event.due_date:
        return "Trước hạn"
    return "Đúng hạn" if day == event.due_date else "Quá hạn"


def _decision(dossier: Dossier) -> dict[str, Any]:
    config = current_app.config
    version = dossier.procedure_version
    articles = [line.strip(" -•*\t") for line in (dossier.draft_result or "").splitlines()]
    articles = [line for line in articles if line] or [
        f"{version.content['result_name']} cho {dossier.applicant_name} (hồ sơ số {dossier.code})."
    ]
    commune = agency_issuer.commune_decision(dossier) or school_decision(dossier)
    if commune:  # the commune People's Committee, or the learner's school, decides
        executors, competence, proposal = commune["executors"], commune["competence"], commune["proposal"]
    elif dossier.needs_provincial_decision:  # the chairman decides on the Sở's proposal
        executors = (
            f"Chánh Văn phòng {config['DOCUMENT_ISSUER_PARENT']}, Giám đốc {config['DOCUMENT_ISSUER_NAME']}"
        )
        competence = config["PROVINCIAL_COMPETENCE_BASIS"]
        proposal = f"Xét đề nghị của Giám đốc {config['DOCUMENT_ISSUER_NAME']} (hồ sơ số {dossier.code})."
    else:
        executors = f"Chánh Văn phòng Sở, Trưởng phòng {config['DOCUMENT_DEPARTMENT_NAME']}"
        competence = config["DOCUMENT_COMPETENCE_BASIS"]
        proposal = (
            f"Xét hồ sơ số {dossier.code} và đề nghị của Trưởng phòng {config['DOCUMENT_DEPARTMENT_NAME']}."
        )
    articles += [
        "Quyết định này có hiệu lực kể từ ngày ký.",
        f"{executors}, {dossier.applicant_name} "
        "và các cơ quan, tổ chức, cá nhân có liên quan chịu trách nhiệm thi hành Quyết định này.",
    ]
    return {
        "legal_bases": citations.legal_bases(version.content["legal_bases"], competence) + [proposal],
        "articles": articles,
    }


def _certificate(dossier: Dossier) -> dict[str, Any]:
    values = {spec["key"]: value for spec, value in _typed_values(dossier)}
    return {
        "holder": _applicant(dossier),
        "legal_representative": _first(values, "representative"),
        "founding_document": _first(values, "founding", "establishment", "decision_number"),
        "occupations": _occupations(dossier),
    }


def _first(values: dict[str, str], *fragments: str) -> str:
    return next((v for k, v in values.items() if v and any(f in k for f in fragments)), "")


OCCUPATION_COLUMNS = {
    "code": ("code",),
    "name": ("occupation_name", "name"),
    "level": ("level",),
    "quota": ("intake", "quota", "scale"),
}


def _occupations(dossier: Dossier) -> list[dict[str, str]]:
    """The occupation table's rows by column key (procedures order and name their columns differently)."""
    for spec, entry in zip(dossier.procedure_version.fields, _entries(dossier), strict=True):
        if spec["type"] != "table":
            continue
        keys = [column["key"] for column in spec["columns"]]
        rows = [dict(zip(keys, row, strict=False)) for row in entry.get("rows", [])]
        return [
            {target: _pick(row, fragments) for target, fragments in OCCUPATION_COLUMNS.items()}
            for row in rows
        ]
    return []


def _pick(row: dict[str, str], fragments: tuple[str, ...]) -> str:
    return next((v for k, v in row.items() for f in fragments if f in k and v), "")


def _written_answer(dossier: Dossier) -> dict[str, Any]:
    paragraphs = [line.strip() for line in (dossier.draft_result or "").splitlines() if line.strip()]
    return {
        "addressee": dossier.applicant_name or dossier.owner.display_name,
        "paragraphs": paragraphs,
        "reasons": [dossier.result_note] if dossier.result_note else [],
    }


def _last_event(dossier: Dossier, event: str):
    return next((e for e in reversed(dossier.events) if e.event == event), None)


def _last_note(dossier: Dossier, event: str) -> str:
    found = _last_event(dossier, event)
    return found.note or "" if found else ""


def _last_actor(dossier: Dossier, event: str) -> str:
    found = _last_event(dossier, event)
    return found.actor.display_name if found and found.actor else ""


BUILDERS = {
    "form_01": _form_01,
    "form_02": _form_02,
    "form_03": _form_03,
    "form_04": _form_04,
    "form_05": _form_05,
    "form_06": _form_06,
    "decision": _decision,
    "certificate": _certificate,
    "written_answer": _written_answer,
}
