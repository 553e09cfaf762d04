"""PDF rendering: WeasyPrint over a sandboxed, auto-escaping Jinja environment.

Templates (templates/documents/) receive plain data (dicts, lists, strings), never ORM objects. The
URL fetcher serves only the document fonts and `data:` URIs (the QR code): a template asking for a
local file or a network URL stops the rendering. The font is Times New Roman (Decree 30/2020, App. I
§I.4) when DOCUMENT_FONT_DIR holds it, else its metric-compatible substitute Liberation Serif, found
by the names inside the font files and embedded under its real name. Fonts are checked and loaded once
per process; a missing font is an error at start-up, never a silent fallback to a font without
Vietnamese glyphs.
"""

from __future__ import annotations

import mimetypes
import threading
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from jinja2 import FileSystemLoader, StrictUndefined, select_autoescape
from jinja2.sandbox import SandboxedEnvironment
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

from config import BASE_DIR

TEMPLATE_DIR = BASE_DIR / "templates" / "documents"
# The document font, by family name, in order of preference: the one Decree 30/2020 names, then its
# metric-compatible substitute (Debian's fonts-liberation2, installed by make setup).
FONT_FAMILIES = ("Times New Roman", "Liberation Serif")
FONT_STYLES = {"regular": "regular", "bold": "bold", "italic": "italic", "bold italic": "bold_italic"}
FONT_SCHEME = "font:"
PDF_VARIANT = "pdf/a-3b"


class DocumentError(RuntimeError):
    pass


@dataclass(frozen=True)
class DocumentFont:
    family: str
    files: dict[str, str]  # style (regular, bold, italic, bold_italic) -> file name in the font folder


def find_font(font_dir: Path) -> DocumentFont:
    """The first family of FONT_FAMILIES with its four styles in `font_dir`, read from the fonts' own
    name tables (file names differ between distributions)."""
    from fontTools.ttLib import TTFont, TTLibError

    found: dict[str, dict[str, str]] = {}
    for path in sorted(font_dir.glob("*")) if font_dir.is_dir() else []:
        if path.suffix.lower() not in (".ttf", ".otf"):
            continue
        try:
            names = TTFont(path, lazy=True)["name"]
        except (TTLibError, KeyError, OSError):
            continue
        family, style = names.getDebugName(1), FONT_STYLES.get((names.getDebugName(2) or "").lower())
        if family in FONT_FAMILIES and style:
            found.setdefault(family, {}).setdefault(style, path.name)
    for family in FONT_FAMILIES:
        if len(found.get(family, {})) == len(FONT_STYLES):
            return DocumentFont(family, found[family])
    raise DocumentError(
        f"Document fonts missing in {font_dir}: {' or '.join(FONT_FAMILIES)} in four styles (regular, bold, "
        "italic, bold italic). Install Debian's fonts-liberation2 (make setup does) or set DOCUMENT_FONT_DIR."
    )


class DocumentFetcher(URLFetcher):
    """Only `font:<file>` of the document font and `data:` URIs; everything else is refused."""

    def __init__(self, font_dir: Path, font: DocumentFont):
        super().__init__(allowed_protocols={"data", "font"}, fail_on_errors=True)
        self.font_dir = font_dir.resolve()
        self.font = font

    def fetch(self, url: str, headers=None):
        if url.startswith("data:"):
            return super().fetch(url, headers)
        if url.startswith(FONT_SCHEME):
            name = url.removeprefix(FONT_SCHEME)
            if name in self.font.files.values():
                path = self.font_dir / name
                mime = mimetypes.guess_type(name)[0] or "font/ttf"
                return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": mime}, 200)
        raise FatalURLFetchingError(f"Document templates may not fetch {url!r}")


# Letters a Vietnamese document needs that older fonts (e.g. Liberation 1.x) lack: ư, ơ with tones, đ.
VIETNAMESE_SAMPLE = "ăâđêôơưĂÂĐÊÔƠƯạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ"


def check_fonts(font_dir: Path) -> DocumentFont:
    """Refuse to start without the document fonts, or with fonts that lack Vietnamese letters: a
    silent fallback would print other fonts (or empty boxes) in official documents."""
    from fontTools.ttLib import TTFont

    font = find_font(font_dir)
    for name in font.files.values():
        cmap = TTFont(font_dir / name, lazy=True).getBestCmap()
        lacking = sorted({ch for ch in VIETNAMESE_SAMPLE if ord(ch) not in cmap})
        if lacking:
            raise DocumentError(
                f"Document font {font_dir / name} lacks Vietnamese letters ({''.join(lacking)}); "
                "use Liberation 2 (fonts-liberation2) or another font with full Vietnamese coverage."
            )
    return font


class Renderer:
    def __init__(self, font_dir: str | Path):
        self.font_dir = Path(font_dir)
        self.font = check_fonts(self.font_dir)
        self.fetcher = DocumentFetcher(self.font_dir, self.font)
        self.environment = SandboxedEnvironment(
            loader=FileSystemLoader(TEMPLATE_DIR),
            autoescape=select_autoescape(default=True),
            undefined=StrictUndefined,
        )
        self._lock = threading.Lock()

    @cached_property
    def font_config(self) -> FontConfiguration:
        return FontConfiguration()

    @cached_property
    def stylesheet(self) -> CSS:
        family = self.font.family
        faces = "\n".join(
            f'@font-face {{ font-family: "{family}"; src: url("{FONT_SCHEME}{name}"); '
            f"font-weight: {'bold' if 'bold' in key else 'normal'}; font-style: {'italic' if 'italic' in key else 'normal'}; }}"
            for key, name in self.font.files.items()
        )
        # document.css names the font "DocumentFont"; the PDF embeds it under its real name.
        sheet = (
            (TEMPLATE_DIR / "document.css")
            .read_text(encoding="utf-8")
            .replace('"DocumentFont"', f'"{family}"')
        )
        css = faces + "\n" + sheet
        return CSS(string=css, font_config=self.font_config, url_fetcher=self.fetcher)

    def html(self, template: str, data: dict[str, Any]) -> str:
        return self.environment.get_template(template).render(**data)

    def render(self, template: str, data: dict[str, Any]) -> bytes:
        """One PDF/A-3b document. WeasyPrint's font configuration is shared, so renders are serialised."""
        markup = self.html(template, data)
        with self._lock:
            try:
                document = HTML(string=markup, url_fetcher=self.fetcher, base_url="font:")
                return document.write_pdf(
                    stylesheets=[self.stylesheet], font_config=self.font_config, pdf_variant=PDF_VARIANT
                )
            except FatalURLFetchingError as error:
                raise DocumentError(str(error.__cause__ or error)) from error


_renderer: Renderer | None = None


def renderer(font_dir: str | Path) -> Renderer:
    global _renderer
    if _renderer is None or _renderer.font_dir != Path(font_dir):
        _renderer = Renderer(font_dir)
    return _renderer


def qr_data_uri(text: str) -> str:
    """The verification QR code drawn on documents, as a PNG data URI (no interpolation: PDF/A)."""
    import segno

    return segno.make(text, error="m").png_data_uri(scale=4, border=1)
