"""`facespasm serve`: the web app and JSON API (uvicorn; one process, or `--workers N`).

It listens on 127.0.0.1 by default, so nothing is reachable from another machine, and says so
when it starts; binding to another address works but, without `--clinic`, is announced with a
warning (the diary has no login). Bad settings and an unusable database are refused before the
server starts, with one line and exit 2, like every other command.

`--clinic` runs a clinic's server: accounts, sign-in, each patient's own diary (`web/auth.py`).
It refuses to start without `FACESPASM_SECRET_KEY` (at least 32 bytes; never printed) and
without the clinic's database (`--db` or `FACESPASM_DATABASE_URL`), and warns on SQLite
(PostgreSQL is expected: several workers, row security). `--workers N` runs N processes, each
making the app from `FACESPASM_*` variables (`create_app_from_environment`): the options are
handed on as variables, and the key stays in the environment, never in a command line.

The server's log (stderr) is its operator's: MediaPipe's native start-up chatter, which comes
when a process first analyses an upload, is dropped from it for as long as the server runs
(`quiet_native_logs`, as `facespasm analyze` does; worker processes inherit the filter, and
errors still pass). Requests are not logged (no access log): a log holds no file names, no
results, nothing about a person.
"""

from __future__ import annotations

import gc
import os
import socket
from typing import Annotated

import typer

from facespasm.errors import InputError


def serve_command(
    host: Annotated[
        str, typer.Option(help="Address to listen on; 127.0.0.1 keeps it to this computer.")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            help="Database URL (SQLAlchemy); default: $FACESPASM_DATABASE_URL or a local file.",
        ),
    ] = None,
    max_upload_mb: Annotated[
        int, typer.Option(help="Largest video accepted for analysis, in MB.")
    ] = 500,
    keep_videos: Annotated[
        bool,
        typer.Option(
            "--keep-videos/--no-keep-videos",
            help="Allow keeping uploaded videos when asked (otherwise only results are stored).",
        ),
    ] = False,
    clinic: Annotated[
        bool,
        typer.Option(
            "--clinic",
            help="A clinic's server: accounts and sign-in; needs FACESPASM_SECRET_KEY and --db.",
        ),
    ] = False,
    workers: Annotated[int, typer.Option(help="How many server processes to run.")] = 1,
) -> None:
    """Start the web app and JSON API (open the address it prints in a browser)."""
    import uvicorn

    from facespasm.knowledge import load_knowledge
    from facespasm.video.landmarks import quiet_native_logs
    from facespasm.web.app import create_app
    from facespasm.web.deps import app_engine
    from facespasm.web.settings import Settings

    options = {
        "host": host,
        "port": port,
        "max_upload_mb": max_upload_mb,
        "keep_videos": keep_videos,
        "clinic": clinic,
        "workers": workers,
    }
    if db is not None:
        options["database_url"] = db
    settings = Settings(**options)
    _check_port_free(settings.host, settings.port)
    app = create_app(settings)
    engine = app_engine(app)  # a database that cannot be opened stops us here, not later
    if settings.clinic:
        from facespasm.diary.row_security import row_security_problems

        for problem in row_security_problems(engine):
            typer.echo(f"WARNING: row security: {problem} (see docs/clinic.md)", err=True)
    shown = f"[{host}]" if ":" in host else host
    address = f"http://{shown}:{port}/"
    if settings.clinic and (settings.database_url or "").startswith("sqlite"):
        typer.echo(
            "WARNING: a clinic's server on SQLite; PostgreSQL is expected (several workers, "
            "row security, backups).",
            err=True,
        )
    if settings.local_only:
        typer.echo(f"facespasm is running at {address} (only this computer can reach it)")
    elif settings.clinic:
        typer.echo(
            f"facespasm (clinic) is running at {address}; it answers only to the host names "
            f"{', '.join(settings.trusted_hosts)} (FACESPASM_ALLOWED_HOSTS). Serve it behind "
            "TLS (a reverse proxy).",
            err=True,
        )
    else:
        typer.echo(
            f"facespasm is running at {address}\n"
            f"WARNING: listening on {host}, so other computers on the network can reach it; "
            "the diary has no login. Use --host 127.0.0.1 to keep it to this computer.\n"
            f"It answers only to the host names {', '.join(settings.trusted_hosts)}; set "
            "FACESPASM_ALLOWED_HOSTS to the names other computers use to reach it.",
            err=True,
        )
    typer.echo("Press Ctrl+C to stop.")
    load_knowledge()  # read before the first request rather than during it
    # Everything loaded so far lives as long as the server; frozen, the garbage collector stops
    # re-scanning it on every full collection (bench/RESULTS.md, issue 5).
    gc.freeze()
    with quiet_native_logs():
        if settings.workers == 1:
            uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False, workers=1)
            return
        engine.dispose()
        for name, value in options.items():
            os.environ[f"FACESPASM_{name.upper()}"] = (
                str(value).lower() if isinstance(value, bool) else str(value)
            )
        uvicorn.run(
            "facespasm.web.app:create_app_from_environment",
            factory=True,
            host=host,
            port=port,
            log_level="warning",
            access_log=False,
            workers=settings.workers,
        )


def _check_port_free(host: str, port: int) -> None:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as error:
            raise InputError(
                f"cannot listen on {host}:{port}: {error.strerror or error} "
                "(is facespasm already running? try another --port)"
            ) from None
