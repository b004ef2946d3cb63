"""FastAPI dependencies: the settings, the database engine and the person's diary, typed.

The engine is opened once per application, on first use (so the health endpoint and the
pages that need no diary never touch the database), kept in `app.state`, and disposed when
the application shuts down; a database named in the settings must be at the schema this
facespasm needs (`facespasm db upgrade`), the default file is migrated on first use
(`database.open_configured`). Routes take `DiaryDep` / `SettingsDep` parameters, so a test
points the whole app at its own SQLite file through `Settings(database_url=...)`.

`DiaryDep` is the diary of the person the request is for -- the template's `CurrentUser`: the
local app has one person and no login, so it is theirs; in clinic mode (`Settings.clinic`) it is
the signed-in patient's own diary, or, under `/api/v1/patients/{patient_id}/...`, the diary of
the patient who shares with the signed-in clinician (`web/auth.py` chooses; no route changes).
"""

from __future__ import annotations

import threading
from typing import Annotated

from fastapi import Depends, FastAPI, Request
from sqlalchemy import Engine

from facespasm.diary.store import Diary
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
            from facespasm.diary.database import open_configured

            engine = open_configured(app.state.settings.database_url)
            app.state.engine = engine
    return engine


def person_diary(app: FastAPI) -> Diary:
    """The diary of the person the app serves (the local app: its one person).

    Raises:
        InputError: the database cannot be opened.
    """
    return Diary(app_engine(app))


def engine(request: Request) -> Engine:
    """The application's engine, for injection into routes that work below the diary."""
    return app_engine(request.app)


def diary_of(request: Request) -> Diary:
    """The diary of the person this request is for (clinic mode: see `web/auth.py`).

    Raises:
        InputError: the database cannot be opened.
        HTTPException: clinic mode, and no one signed in (401) or not a patient (403).
        NotFoundError: clinic mode, and no patient shares with the caller (404).
    """
    if not request.app.state.settings.clinic:
        return person_diary(request.app)
    from facespasm.web.auth import clinic_diary

    return clinic_diary(request)


def diary(request: Request) -> Diary:
    """The diary of the person this request is for, for injection into routes."""
    return diary_of(request)


def close_engine(app: FastAPI) -> None:
    """Dispose of the application's engine, if it was opened."""
    opened: Engine | None = getattr(app.state, "engine", None)
    if opened is not None:
        opened.dispose()
        app.state.engine = None


SettingsDep = Annotated[Settings, Depends(settings)]
EngineDep = Annotated[Engine, Depends(engine)]
DiaryDep = Annotated[Diary, Depends(diary)]
