"""FastAPI dependencies: the settings and the diary's database engine, typed for injection.

The engine is opened once per application, on first use (so the health endpoint and the
pages that need no diary never touch the database), kept in `app.state`, and disposed when
the application shuts down. Routes take `EngineDep` / `SettingsDep` parameters, so a test
points the whole app at its own SQLite file through `Settings(database_url=...)`.
"""

from __future__ import annotations

import threading
from typing import Annotated

from fastapi import Depends, FastAPI, Request
from sqlalchemy import Engine

from facespasm.web.settings import Settings

_OPENING = threading.Lock()


def settings(request: Request) -> Settings:
    """The application's settings."""
    configured: Settings = request.app.state.settings
    return configured


def app_engine(app: FastAPI) -> Engine:
    """The application's diary engine, opened (and migrated) the first time it is needed.

    Raises:
        InputError: the database cannot be opened.
    """
    engine: Engine | None = getattr(app.state, "engine", None)
    if engine is not None:
        return engine
    with _OPENING:
        engine = getattr(app.state, "engine", None)
        if engine is None:
            from facespasm.diary.database import database_url, open_database

            engine = open_database(database_url(app.state.settings.database_url))
            app.state.engine = engine
    return engine


def engine(request: Request) -> Engine:
    """The diary's engine, for injection into routes."""
    return app_engine(request.app)


def close_engine(app: FastAPI) -> None:
    """Dispose of the application's engine, if it was opened."""
    opened: Engine | None = getattr(app.state, "engine", None)
    if opened is not None:
        opened.dispose()
        app.state.engine = None


SettingsDep = Annotated[Settings, Depends(settings)]
EngineDep = Annotated[Engine, Depends(engine)]
