"""`create_app()`: the one FastAPI application -- JSON API under /api/v1, pages at /.

Routes hold no clinical logic: they parse, call the same core the command line calls
(`assess`, `analyze_video`, the diary store and statistics), and present the result. Static
files, templates and the API documentation's viewers ship inside the installed packages, so the
pages work offline with nothing fetched from the internet.

Around the routes, from the outside in, every request meets: the security headers
(`security_headers.py`), the catch-all for unexpected failures (`incidents.py`), the trusted
host check (`trusted_hosts.py`), the cross-site check (`same_origin.py`), the media-type check
(`request_types.py`) and the body size limit (`body_limits.py`) -- each answering in the API's
one error shape.

A clinic server (`Settings.clinic`) adds accounts (`auth.py`): the sign-in routes, shares,
patients and the audit log; every other API route then needs an account (401) and every page
sends the browser to `/login` first. The laptop's app (the default) has none of it.
`create_app_from_environment` is the factory `serve --workers N` gives uvicorn: each worker
reads the same settings from `FACESPASM_*` variables (the secret key never in a command line).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import Depends, FastAPI, Request
from fastapi.responses import RedirectResponse
from fastapi.staticfiles import StaticFiles

from facespasm.web.settings import Settings

HERE = Path(__file__).parent
API_PREFIX = "/api/v1"


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def create_app(
    settings: Settings | None = None, *, clock: Callable[[], dt.datetime] = _utc_now
) -> FastAPI:
    """The application, configured by `settings` (defaults: localhost, the user's diary).

    Making it prepares the private upload folder, deleting what a killed server left there.
    `clock` tells the time to the sessions and the audit log (tests give their own).

    Raises:
        InputError: the upload folder cannot be made private.
    """
    from facespasm import __version__
    from facespasm.diary.csv_io import MAX_BYTES as MAX_CSV_BYTES
    from facespasm.web import (
        api,
        api_auth,
        auth,
        docs,
        errors,
        openapi,
        pages,
        pages_auth,
        pages_clinician,
        pages_kept,
        pages_ratings,
        pages_treatments,
    )
    from facespasm.web.body_limits import BodyLimits, Upload
    from facespasm.web.deps import close_engine
    from facespasm.web.incidents import Incidents
    from facespasm.web.request_types import RequestTypes
    from facespasm.web.same_origin import SameOrigin
    from facespasm.web.security_headers import SecurityHeaders
    from facespasm.web.trusted_hosts import TrustedHosts
    from facespasm.web.upload_folder import prepare_upload_folder

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        close_engine(app)

    settings = settings or Settings()
    app = FastAPI(
        title="facespasm",
        version=__version__,
        description="Why is my face twitching? Assessment, video measurement and a diary.",
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.clock = clock
    app.state.upload_folder = prepare_upload_folder(settings.upload_dir)
    errors.install(app)
    signed_in = [Depends(auth.require_account)] if settings.clinic else []
    page_signed_in = [Depends(auth.require_page_account)] if settings.clinic else []
    if settings.clinic:
        app.include_router(api_auth.router, prefix=API_PREFIX)
    app.include_router(api.router, prefix=API_PREFIX, dependencies=signed_in)
    if settings.clinic:
        app.include_router(api.clinic, prefix=API_PREFIX, dependencies=signed_in)
    app.include_router(api.public, prefix=API_PREFIX)
    for page_router in (pages.router, pages_ratings.router, pages_treatments.router):
        app.include_router(page_router, dependencies=page_signed_in)
    app.include_router(pages_kept.router, dependencies=page_signed_in)
    if settings.clinic:
        app.include_router(pages_auth.router)
        app.include_router(pages_clinician.router, dependencies=page_signed_in)

        @app.exception_handler(auth.SignInNeeded)
        async def sign_in_first(request: Request, needed: auth.SignInNeeded) -> RedirectResponse:
            return RedirectResponse(auth.login_path(needed.next_path), status_code=303)

    docs.install(app)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    openapi.install(app)
    uploads = {
        f"{API_PREFIX}/analyze": Upload(settings.max_upload_bytes, "video"),
        f"{API_PREFIX}/diary/import": Upload(MAX_CSV_BYTES, "CSV file"),
    }
    # Added innermost first: each wraps those added before it.
    app.add_middleware(BodyLimits, default=settings.max_json_bytes, uploads=uploads)
    forms = (
        frozenset({"/login", "/logout", "/sharing", "/sharing/stop"})
        if settings.clinic
        else frozenset()
    )
    app.add_middleware(RequestTypes, api=app, forms=forms)
    app.add_middleware(SameOrigin)
    app.add_middleware(TrustedHosts, trusted=settings.trusted_hosts)
    app.add_middleware(Incidents)
    app.add_middleware(SecurityHeaders, policies={"/redoc": docs.REDOC_POLICY})
    return app


def create_app_from_environment() -> FastAPI:
    """The application with settings from `FACESPASM_*` variables (uvicorn's factory for workers).

    Raises:
        InputError: the settings are refused.
    """
    return create_app(Settings())
