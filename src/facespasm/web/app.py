"""`create_app()`: the one FastAPI application -- JSON API under /api/v1, pages at /.

Routes hold no clinical logic: they parse, call the same core the command line calls
(`assess`, `analyze_video`, the diary store and statistics), and present the result. Static
files and templates ship inside the package, so the pages work offline with nothing fetched
from the internet.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from facespasm.web.settings import Settings

HERE = Path(__file__).parent


def create_app(settings: Settings | None = None) -> FastAPI:
    """The application, configured by `settings` (defaults: localhost, the user's diary)."""
    from facespasm import __version__
    from facespasm.web import api, errors, pages
    from facespasm.web.deps import close_engine

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        close_engine(app)

    settings = settings or Settings()
    app = FastAPI(
        title="facespasm",
        version=__version__,
        description="Why is my face twitching? Assessment, video measurement and a diary.",
        docs_url="/docs",
        lifespan=lifespan,
    )
    app.state.settings = settings
    errors.install(app)
    app.include_router(api.router, prefix="/api/v1")
    app.include_router(pages.router)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    return app
