"""Roles of the system. A user has exactly one role."""

from enum import StrEnum


class Role(StrEnum):
    CITIZEN = "citizen"
    ORGANISATION = "organisation"
    RECEPTION = "reception"
    SPECIALIST = "specialist"
    LEADER = "leader"
    ACCOUNTANT = "accountant"
    SCHOOL_ADMIN = "school_admin"
    ADMIN = "admin"


ROLE_LABELS = {
    Role.CITIZEN: "Công dân",
    Role.ORGANISATION: "Đại diện tổ chức",
    Role.RECEPTION: "Cán bộ tiếp nhận (một cửa)",
    Role.SPECIALIST: "Chuyên viên xử lý",
    Role.LEADER: "Lãnh đạo",
    Role.ACCOUNTANT: "Kế toán",
    Role.SCHOOL_ADMIN: "Quản trị nhà trường",
    Role.ADMIN: "Quản trị hệ thống",
}

APPLICANT_ROLES = frozenset({Role.CITIZEN, Role.ORGANISATION})
OFFICIAL_ROLES = frozenset(set(Role) - APPLICANT_ROLES)
# Officials who handle dossiers of the one-stop process.
DOSSIER_ROLES = frozenset({Role.RECEPTION, Role.SPECIALIST, Role.LEADER})
# Who works inside a school (with users.school_id set): its pages are confined to that school.
SCHOOL_ROLES = frozenset({Role.ACCOUNTANT, Role.SCHOOL_ADMIN})
