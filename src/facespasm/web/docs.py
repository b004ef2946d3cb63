"""`/docs` (Swagger UI) and `/redoc` (ReDoc): the API's documentation, served by this server.

FastAPI's own pages load Swagger UI and ReDoc from a CDN and fonts from Google, so offline they
are blank, and they run inline scripts a strict Content-Security-Policy forbids. These pages
take both viewers from an installed package, `fastapi-offline` (which ships
`swagger-ui-bundle.js`, `swagger-ui.css` and `redoc.standalone.js`), served under
`/docs/assets`, and start them from a script of our own in `/static` that reads the OpenAPI
address from a `data-` attribute: nothing is fetched from the internet and nothing inline runs.
Swagger UI's online validator badge is turned off (it would send the schema to swagger.io).

ReDoc cannot run without inline `<style>` elements: its styled-components write their rules
into an empty `<style>` (through the CSS object model, which the CSP does not govern, but the
element must be allowed), and it adds perfect-scrollbar's stylesheet as one. `/redoc` alone
allows exactly those two by their SHA-256 (`REDOC_STYLES`) -- no `'unsafe-inline'`, no other
origin -- and the worker its search runs in, which its own script makes from a `blob:`. The
hashes belong to the pinned `fastapi-offline` release; the browser test fails on any refused
style if a new one writes others. ReDoc's attribution in the menu always asks for a logo from
cdn.redoc.ly: the CSP refuses it, so nothing is fetched, and the link shows its text alone.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from facespasm.web.security_headers import content_security_policy

ASSETS_URL = "/docs/assets"
REDOC_STYLES = (
    "sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=",  # the empty <style> of styled-components
    "sha256-QMIg+bpjm3JdElJ388KYke01izlUW0UoNOeKjpMxdgc=",  # perfect-scrollbar's stylesheet
)
REDOC_POLICY = content_security_policy(inline_styles=REDOC_STYLES, blob_workers=True)
TEMPLATES = Jinja2Templates(directory=Path(__file__).parent / "templates")

router = APIRouter(include_in_schema=False)


def viewer_assets() -> Path:
    """The folder of the installed Swagger UI and ReDoc files."""
    import fastapi_offline

    return Path(fastapi_offline.__file__).parent / "static"


def install(app: FastAPI) -> None:
    """Serve the documentation pages and the viewers' files."""
    app.mount(ASSETS_URL, StaticFiles(directory=viewer_assets()), name="docs-assets")
    app.include_router(router)


@router.get("/docs", response_class=HTMLResponse)
def swagger_ui(request: Request) -> HTMLResponse:
    """The API in Swagger UI: every operation, with a form to try it."""
    return _page(request, "docs_swagger.html", "API documentation")


@router.get("/redoc", response_class=HTMLResponse)
def redoc(request: Request) -> HTMLResponse:
    """The API in ReDoc: one readable page."""
    return _page(request, "docs_redoc.html", "API reference")


def _page(request: Request, name: str, title: str) -> HTMLResponse:
    context = {"title": title, "openapi_url": request.app.openapi_url, "assets": ASSETS_URL}
    return TEMPLATES.TemplateResponse(request, name, context)
