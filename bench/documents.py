"""Milliseconds per document: our renderer (sandboxed Jinja + fetcher + shared fonts + PDF/A-3b) against
bare WeasyPrint rendering the same HTML and stylesheet in the same run. Prints the ratio.

    .venv/bin/python bench/documents.py [ROUNDS]
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from weasyprint import CSS, HTML  # noqa: E402
from weasyprint.text.fonts import FontConfiguration  # noqa: E402

from config import Config  # noqa: E402
from service.documents.renderer import FONT_FILES, PDF_VARIANT, TEMPLATE_DIR, Renderer  # noqa: E402
from service.documents.samples import SAMPLES  # noqa: E402


def timed(function, rounds: int) -> float:
    function()  # warm up: fonts, caches
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        function()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def bare(markup: str, font_dir: Path):
    """WeasyPrint as its documentation shows it: fonts from files, a fresh render each time."""
    fonts = FontConfiguration()
    faces = "\n".join(
        f'@font-face {{ font-family: "DocSerif"; src: url("file://{font_dir / name}"); '
        f"font-weight: {'bold' if 'bold' in key else 'normal'}; font-style: {'italic' if 'italic' in key else 'normal'}; }}"
        for key, name in FONT_FILES.items()
    )
    css = CSS(string=faces + (TEMPLATE_DIR / "document.css").read_text(encoding="utf-8"), font_config=fonts)
    return lambda: HTML(string=markup).write_pdf(
        stylesheets=[css], font_config=fonts, pdf_variant=PDF_VARIANT
    )


def main(rounds: int = 20) -> None:
    font_dir = Path(Config.DOCUMENT_FONT_DIR)
    renderer = Renderer(font_dir)
    print(f"{'template':<22}{'ours ms':>10}{'bare ms':>10}{'ratio':>8}")
    ratios = []
    for template, data in SAMPLES.items():
        ours = timed(lambda t=template, d=data: renderer.render(t, d), rounds)
        theirs = timed(bare(renderer.html(template, data), font_dir), rounds)
        ratios.append(ours / theirs)
        print(f"{template:<22}{ours:>10.1f}{theirs:>10.1f}{ours / theirs:>8.2f}")
    print(f"median ratio {statistics.median(ratios):.2f} over {len(ratios)} templates, {rounds} rounds each")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20)
