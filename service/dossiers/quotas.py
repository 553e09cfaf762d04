"""Per-account quotas for drafts: how many drafts an applicant keeps open, and how many bytes of
attachments they hold together (MAX_OPEN_DRAFTS, MAX_DRAFT_BYTES_PER_ACCOUNT; one dossier's own limit
is MAX_DOSSIER_BYTES). Without them one account could fill the disk with unsubmitted 50 MB drafts.

Submitted dossiers do not count: their files are the agency's record, and a supplement the agency asked
for must never be refused because of the applicant's drafts.

The counts are taken inside the write transaction that adds the draft or the file, after the owner's
account row is locked (`lock_account`), so two uploads of one account arriving together are counted one
after the other and cannot both slip under the quota.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app

from service.accounts.models import User
from service.dossiers.models import Dossier, DossierFile
from service.extensions import db
from service.text import format_megabytes
from workflows.states import DossierStatus

CLEAR_DRAFTS = "Hãy xóa bớt hồ sơ nháp không dùng đến (mục “Hồ sơ của tôi”) hoặc tệp không cần thiết."


@dataclass(frozen=True)
class Usage:
    drafts: int
    draft_bytes: int
    max_drafts: int
    max_bytes: int

    @property
    def bytes_label(self) -> str:
        return f"{format_megabytes(self.draft_bytes)} / {format_megabytes(self.max_bytes)}"


def lock_account(owner: User) -> None:
    """Inside a write transaction: the owner's account row locked until commit. PostgreSQL takes FOR NO
    KEY UPDATE, which serialises the quota checks of one account without blocking the inserts that only
    reference it (a file's uploader, an audit entry); SQLite already holds the database write lock."""
    db.session.execute(db.select(User.id).where(User.id == owner.id).with_for_update(key_share=True))


def usage(owner_id: int) -> Usage:
    config = current_app.config
    drafts = db.select(Dossier.id).where(Dossier.owner_id == owner_id, Dossier.status == DossierStatus.DRAFT)
    count = db.session.scalar(db.select(db.func.count()).select_from(drafts.subquery()))
    stored = db.session.scalar(
        db.select(db.func.coalesce(db.func.sum(DossierFile.size), 0)).where(
            DossierFile.dossier_id.in_(drafts)
        )
    )
    return Usage(count, int(stored), config["MAX_OPEN_DRAFTS"], config["MAX_DRAFT_BYTES_PER_ACCOUNT"])


def new_draft_problem(owner: User) -> str | None:
    """Why the owner may not open another draft now (the account locked by the caller), or None."""
    used = usage(owner.id)
    if used.drafts < used.max_drafts:
        return None
    return (
        f"Tài khoản đang có {used.drafts} hồ sơ nháp, đã đạt giới hạn {used.max_drafts} hồ sơ nháp chưa nộp. "
        "Hãy nộp hoặc xóa bớt hồ sơ nháp không dùng đến (mục “Hồ sơ của tôi”) rồi tạo hồ sơ mới."
    )


def draft_bytes_problem(owner: User, size: int) -> str | None:
    """Why a file of `size` bytes does not fit in the account's drafts (the account locked), or None."""
    used = usage(owner.id)
    if used.draft_bytes + size <= used.max_bytes:
        return None
    left = max(used.max_bytes - used.draft_bytes, 0)
    return (
        f"Tệp đính kèm của các hồ sơ nháp trong tài khoản đã dùng {used.bytes_label} cho phép; tệp này "
        f"({format_megabytes(size)}) vượt quá phần còn lại ({format_megabytes(left)}). {CLEAR_DRAFTS} "
        "Thông tin và các tệp đã lưu vẫn được giữ nguyên."
    )


def dossier_bytes_problem(dossier: Dossier, size: int) -> str | None:
    limit = current_app.config["MAX_DOSSIER_BYTES"]
    used = sum(f.size for f in dossier.files)
    if used + size <= limit:
        return None
    return (
        f"Tổng dung lượng hồ sơ vượt quá {format_megabytes(limit)}: hồ sơ đã có {format_megabytes(used)} "
        f"tệp, tệp này {format_megabytes(size)}. Hãy xóa bớt tệp không cần thiết hoặc thu nhỏ tệp."
    )
