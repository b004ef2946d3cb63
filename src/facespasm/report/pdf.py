"""The doctor's PDF: the case report's HTML document (`document.py`) laid out by WeasyPrint.

Decisions:
- **WeasyPrint**, not typst: it lays out the same HTML and CSS as the web page and the `--html`
  document, so the PDF cannot say something the page does not; Debian's Pango and fonts suffice
  (no TeX, no binary to ship). Its cost, 0.3-0.65 s a report warm on a 2-core machine
  (bench/report.py, bench/RESULTS.md), is near the issue's 300 ms for answers alone and above
  it with a diary or a video: most of it is WeasyPrint's own layout and drawing of the text.
- **Nothing is fetched.** The document is self-contained; the URL fetcher refuses every URL but
  `data:`, so a link or image in text a person typed can never make the renderer read a file or
  reach the network.
- **Fonts**: Liberation Sans (Debian's fonts-liberation), with DejaVu Sans (fonts-dejavu-core)
  for the few signs Liberation lacks; both are found through fontconfig, nothing is embedded
  from elsewhere.
- **Accessible**: written as PDF/UA-1 (tagged, with its language and title); the tagging costs
  about 30 ms of a report's ~120 ms of writing (bench/RESULTS.md, issue 13), worth it.
- **Warm work is done once**: the stylesheet is parsed once (`stylesheet`, not inline in the
  HTML WeasyPrint reads) and each thread keeps its fonts (`font_config`); a fresh fontconfig
  and Pango font map and the stylesheet parsed for each PDF cost a sixth (answers) to a third
  (diary) of its time. The PDF's bytes are the same either way.
- **Two pages at most**: a case with much to say (several likely causes, a long list of sources)
  is laid out again, denser, until its summary ends on page 1 and it fits two pages.
- WeasyPrint is imported inside `render_pdf`: it costs about half a second to import, and only
  the PDF needs it, so the terminal, the FHIR export and the web pages start without it.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from facespasm.report.document import DENSITIES, STYLESHEET, SUMMARY_END, render_document

if TYPE_CHECKING:
    import weasyprint
    from weasyprint.text.fonts import FontConfiguration

    from facespasm.report.case_report import CaseReport

# Only inline data may be read while laying out the document (WeasyPrint's scheme names).
ALLOWED_SCHEMES = ("data",)
MAX_PAGES = 2
# A tagged PDF (structure, reading order, language) that screen readers can read: PDF/UA-1.
PDF_VARIANT = "pdf/ua-1"
# Each thread's fonts (fontconfig's configuration, Pango's font map): loading them was a good
# part of every PDF's time. Pango's font map is not thread-safe, hence one per thread.
_FONTS = threading.local()


def url_fetcher() -> Callable[[str], Any]:
    """WeasyPrint's fetcher, refusing every URL but `data:` (it raises ValueError)."""
    import weasyprint

    fetcher: Callable[[str], Any] = weasyprint.URLFetcher(
        allowed_protocols=ALLOWED_SCHEMES, timeout=1
    )
    return fetcher


@functools.cache
def stylesheet() -> weasyprint.CSS:
    """The document's stylesheet (`document.STYLESHEET`), parsed once.

    Inline in each document, parsing it and compiling its selectors was a fifth of every PDF.
    """
    import weasyprint

    return weasyprint.CSS(string=STYLESHEET.read_text(encoding="utf-8"))


def font_config() -> FontConfiguration:
    """This thread's WeasyPrint font configuration, made on its first PDF and kept."""
    config: FontConfiguration | None = getattr(_FONTS, "config", None)
    if config is None:
        from weasyprint.text.fonts import FontConfiguration

        config = _FONTS.config = FontConfiguration()
    return config


def render_pdf(report: CaseReport) -> bytes:
    """The case report as a PDF: page 1 the summary, page 2 (at most) details and sources.

    A case with much to say is set denser (`document.DENSITIES`) until its summary ends on
    page 1 and the whole fits two pages; the densest setting is used if nothing fits.
    """
    import weasyprint

    tried = 0
    while True:
        html = render_document(report, density=DENSITIES[tried], inline_style=False)
        document = weasyprint.HTML(string=html, url_fetcher=url_fetcher()).render(
            stylesheets=[stylesheet()], font_config=font_config()
        )
        pages = len(document.pages)
        if tried == len(DENSITIES) - 1 or (
            pages <= MAX_PAGES and SUMMARY_END in document.pages[0].anchors
        ):
            return bytes(document.write_pdf(pdf_variant=PDF_VARIANT))
        # A page or more too long: the next density would not be enough; go to the densest.
        tried = len(DENSITIES) - 1 if pages > MAX_PAGES + 1 else tried + 1
