"""PDF rendering: WeasyPrint over a sandboxed, auto-escaping Jinja environment.

Templates (templates/documents/) receive plain data (dicts, lists, strings), never ORM objects. The
URL fetcher serves only the document fonts and `data:` URIs (the QR code): a template asking for a
local file or a network URL stops the rendering. The fonts (a Times-New-Roman-metric serif with full
Vietnamese coverage, Liberation Serif by default) are checked and loaded once per process; a missing
font is an error at start-up, never a silent fallback to a font without Vietnamese glyphs.
"""

from __future__ import annotations

import mimetypes
import threading
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
FONT_FILES = {
    "regular": "LiberationSerif-Regular.ttf",
    "bold": "LiberationSerif-Bold.ttf",
    "italic": "LiberationSerif-Italic.ttf",
    "bold_italic": "LiberationSerif-BoldItalic.ttf",
}
FONT_SCHEME = "font:"
PDF_VARIANT = "pdf/a-3b"


class DocumentError(RuntimeError):
    pass


class DocumentFetcher(URLFetcher):
    """Only `font:<file>` from the configured font folder and `data:` URIs; everything else is refused."""

    def __init__(self, font_dir: Path):
        super().__init__(allowed_protocols={"data", "font"}, fail_on_errors=True)
        self.font_dir = font_dir.resolve()

    def fetch(self, url: str, headers=None):
        if url.startswith("data:"):
            return super().fetch(url, headers)
        if url.startswith(FONT_SCHEME):
            name = url.removeprefix(FONT_SCHEME)
            if name in FONT_FILES.values():
                path = self.font_dir / name
                mime = mimetypes.guess_type(name)[0] or "font/ttf"
                return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": mime}, 200)
        raise FatalURLFetchingError(f"Document templates may not fetch {url!r}")


# Letters a Vietnamese document needs that older fonts (e.g. Liberation 1.x) lack: ư, ơ with tones, đ.
VIETNAMESE_SAMPLE = "ăâđêôơưĂÂĐÊÔƠƯạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ"


def check_fonts(font_dir: Path) -> None:
    """Refuse to start without the document fonts, or with fonts that lack Vietnamese letters: a
    silent fallback would print other fonts (or empty boxes) in official documents."""
    from fontTools.ttLib import TTFont

    missing = [name for name in FONT_FILES.values() if not (font_dir / name).is_file()]
    if missing:
        raise DocumentError(
            f"Document fonts missing in {font_dir}: {', '.join(missing)}. Install Debian's fonts-liberation2 "
            "(make setup does) or set DOCUMENT_FONT_DIR."
        )
    for name in FONT_FILES.values():
        cmap = TTFont(font_dir / name, lazy=True).getBestCmap()
        lacking = sorted({ch for ch in VIETNAMESE_SAMPLE if ord(ch) not in cmap})
        if lacking:
            raise DocumentError(
                f"Document font {font_dir / name} lacks Vietnamese letters ({''.join(lacking)}); "
                "use Liberation 2 (fonts-liberation2) or another font with full Vietnamese coverage."
            )


class Renderer:
    def __init__(self, font_dir: str | Path):
        self.font_dir = Path(font_dir)
        check_fonts(self.font_dir)
        self.fetcher = DocumentFetcher(self.font_dir)
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
        faces = "\n".join(
            f'@font-face {{ font-family: "DocSerif"; src: url("{FONT_SCHEME}{name}"); '
            f"font-weight: {'bold' if 'bold' in key else 'normal'}; font-style: {'italic' if 'italic' in key else 'normal'}; }}"
            for key, name in FONT_FILES.items()
        )
        css = faces + "\n" + (TEMPLATE_DIR / "document.css").read_text(encoding="utf-8")
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
