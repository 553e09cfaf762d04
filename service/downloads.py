"""Files that users uploaded, and the documents and exports the system makes, are sent back as
downloads, never shown in the browser.

A PDF may carry JavaScript and an image viewer is one more parser; opened inline, under our origin, an
uploaded file would be read with the trust our pages get. Sent as an attachment, with the type its
content was recognised as and a name ending in that type's extension, it is saved, not run.
"""

from __future__ import annotations

import io
import re
from pathlib import Path
from urllib.parse import quote

from flask import Response, send_file

from service.text import clean_name, without_diacritics

UNSAFE_IN_NAMES = re.compile(r'[\\/"*:<>?|;]')  # separators, quotes and wildcards of any file system
DEFAULT_NAME = "tep-dinh-kem"


def download_name(original: str | None, extension: str) -> str:
    """The uploader's name, cleaned (no path, control, bidirectional or quoting character), ending in
    `extension` (".pdf"), the type recognised from the content: "thu.html" is saved as "thu.pdf"."""
    stem = clean_name(UNSAFE_IN_NAMES.sub("_", original or "")) or ""
    if "." in stem:
        stem = stem.rsplit(".", 1)[0]
    return (stem.strip(" .") or DEFAULT_NAME)[:150] + extension


def content_disposition(name: str) -> str:
    """`attachment` with an ASCII name for old clients and the exact UTF-8 name (RFC 6266, RFC 5987)."""
    ascii_name = re.sub(r"[^A-Za-z0-9._ -]", "_", without_diacritics(name))
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name, safe='')}"


def send_upload(content: Path | bytes, mimetype: str, original: str | None, extension: str) -> Response:
    return send_attachment(content, mimetype, download_name(original, extension))


def send_attachment(content: Path | bytes, mimetype: str, name: str) -> Response:
    """A file the system made (an issued document, a register, a report) or one a user uploaded, always
    saved under `name` rather than opened in the browser."""
    source = io.BytesIO(content) if isinstance(content, bytes) else content
    response = send_file(source, mimetype=mimetype, as_attachment=True, download_name=name)
    response.headers["Content-Disposition"] = content_disposition(name)
    return response
