"""Server settings, from arguments (the `serve` command), `FACESPASM_*` variables or defaults.

Decisions:
- pydantic-settings reads them, and every value is checked when the settings are made, so a
  bad port, limit or host name stops the server before it starts, with one line naming the
  value (an `InputError`, exit 2 from the command line), never a traceback.
- Binding beyond this computer is allowed -- a clinic needs it -- but `local_only` lets the
  server say so loudly on start.
- The server answers only to the host names in `allowed_hosts` (DNS rebinding: a web page on
  `evil.example` whose name is re-pointed at 127.0.0.1 sends `Host: evil.example`). By default
  these are the loopback names; a clinic lists its own (`FACESPASM_ALLOWED_HOSTS=clinic.example`),
  and the address the server is bound to, when it is a specific one, is always allowed.
- Clinic mode (`clinic`: accounts, sign-in, shares) refuses to start without a secret key of at
  least `MIN_SECRET_BYTES` (32) bytes in `FACESPASM_SECRET_KEY` -- it signs the sessions and the
  CSRF tokens, and rotating it signs everyone out -- and without a database named by `--db` or
  `FACESPASM_DATABASE_URL` (a clinic's, not the laptop's default file). The key is a
  `SecretStr`: it is never shown in a message, a log or a `repr`.
"""

from __future__ import annotations

import ipaddress
import re
from pathlib import Path
from typing import Annotated, Any

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from facespasm.errors import InputError

LOOPBACK = ("127.0.0.1", "localhost", "::1")
# Listening on every address: no one name to add to the allowed hosts.
WILDCARDS = ("0.0.0.0", "::", "")
MAX_UPLOAD_MB_LIMIT = 10_000
# The largest JSON body: an assessment with a 10,000-character description, every answer and a
# video's evidence is under 100 KiB even with every character escaped as \uXXXX.
DEFAULT_MAX_JSON_KB = 1024
MAX_JSON_KB_LIMIT = 100 * 1024
MIN_SECRET_BYTES = 32
MAX_WORKERS = 64
_DNS_LABEL = re.compile(r"[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?")


class Settings(BaseSettings):
    """How the server runs.

    Attributes:
        host: where to listen; loopback by default, so nothing leaves this machine.
        port: the port.
        database_url: the diary's database (None: $FACESPASM_DATABASE_URL or the default file).
        max_upload_mb: the largest video accepted, in MiB.
        max_json_kb: the largest JSON request body, in KiB (413 beyond it).
        keep_videos: keep uploaded videos (otherwise only derived results are stored).
        upload_dir: the private folder uploads are written to while they are analysed (None:
            `facespasm-uploads-<uid>` in the system's temporary folder); made 0700.
        video_dir: where kept videos go (None: `videos` in the user's data folder).
        allowed_hosts: the host names the server answers to (empty: the loopback names);
            `*.example.org` allows that domain's subdomains. `FACESPASM_ALLOWED_HOSTS` takes
            them separated by commas.
        clinic: clinic mode: accounts and sign-in, each patient's own diary, shares, audit.
        secret_key: signs sessions and CSRF tokens (`FACESPASM_SECRET_KEY`, >= 32 bytes);
            required in clinic mode.
        session_idle_minutes: a session unused this long ends (automatic logoff).
        session_hours: a session ends this long after sign-in, used or not.
        workers: how many server processes `serve` runs.
    """

    model_config = SettingsConfigDict(env_prefix="FACESPASM_", frozen=True, extra="forbid")

    host: str = "127.0.0.1"
    port: int = 8000
    database_url: str | None = None
    max_upload_mb: int = 500
    max_json_kb: int = DEFAULT_MAX_JSON_KB
    keep_videos: bool = False
    upload_dir: Path | None = None
    video_dir: Path | None = None
    allowed_hosts: Annotated[tuple[str, ...], NoDecode] = Field(default=())
    clinic: bool = False
    secret_key: SecretStr | None = None
    session_idle_minutes: int = Field(default=15, ge=1, le=24 * 60)
    session_hours: int = Field(default=12, ge=1, le=7 * 24)
    workers: int = Field(default=1, ge=1, le=MAX_WORKERS)

    def __init__(self, **values: Any) -> None:
        """Read and check the settings.

        Raises:
            InputError: a value is out of range or malformed (one line naming it).
        """
        try:
            super().__init__(**values)
        except ValidationError as error:
            raise InputError(_one_line(error)) from None

    @field_validator("host")
    @classmethod
    def _host(cls, host: str) -> str:
        if not host.strip():
            raise ValueError("host must not be empty (e.g. 127.0.0.1)")
        return host

    @field_validator("port", mode="before")
    @classmethod
    def _port(cls, port: object) -> object:
        if isinstance(port, bool) or (isinstance(port, int) and not 0 < port < 65536):
            raise ValueError(f"port must be between 1 and 65535, not {port}")
        return port

    @field_validator("max_upload_mb", mode="before")
    @classmethod
    def _max_upload(cls, given: object) -> object:
        if isinstance(given, bool) or (
            isinstance(given, int) and not 1 <= given <= MAX_UPLOAD_MB_LIMIT
        ):
            raise ValueError(
                f"max upload must be between 1 and {MAX_UPLOAD_MB_LIMIT} MB, not {given}"
            )
        return given

    @field_validator("max_json_kb", mode="before")
    @classmethod
    def _max_json(cls, given: object) -> object:
        if isinstance(given, bool) or (
            isinstance(given, int) and not 1 <= given <= MAX_JSON_KB_LIMIT
        ):
            raise ValueError(
                f"max JSON body must be between 1 and {MAX_JSON_KB_LIMIT} KB, not {given}"
            )
        return given

    @field_validator("upload_dir")
    @classmethod
    def _upload_dir(cls, folder: Path | None) -> Path | None:
        if folder is not None and not folder.is_dir():
            raise ValueError(f"upload folder {folder} does not exist")
        return folder

    @field_validator("allowed_hosts", mode="before")
    @classmethod
    def _allowed_hosts(cls, hosts: object) -> object:
        if isinstance(hosts, str):
            hosts = [name.strip() for name in hosts.split(",") if name.strip()]
        if isinstance(hosts, list | tuple):
            for name in hosts:
                if not isinstance(name, str) or not _is_host_name(name):
                    raise ValueError(f"'{name}' is not a host name (e.g. clinic.example)")
            return tuple(name.lower() for name in hosts)
        return hosts

    @model_validator(mode="after")
    def _clinic(self) -> Settings:
        if not self.clinic:
            return self
        key = self.secret_key.get_secret_value() if self.secret_key is not None else ""
        if len(key.encode()) < MIN_SECRET_BYTES:
            raise ValueError(
                f"clinic mode needs FACESPASM_SECRET_KEY of at least {MIN_SECRET_BYTES} bytes "
                "(e.g. from `python -c 'import secrets; print(secrets.token_urlsafe(32))'`)"
            )
        if not self.database_url:
            raise ValueError(
                "clinic mode needs the clinic's database: --db URL or FACESPASM_DATABASE_URL "
                "(PostgreSQL, migrated with `facespasm db upgrade`)"
            )
        return self

    @property
    def secret(self) -> bytes:
        """The secret key's bytes (clinic mode; empty otherwise)."""
        return self.secret_key.get_secret_value().encode() if self.secret_key else b""

    @property
    def local_only(self) -> bool:
        """Whether the server listens only on this machine."""
        return self.host in LOOPBACK

    @property
    def max_upload_bytes(self) -> int:
        """The upload limit in bytes."""
        return self.max_upload_mb * 1024 * 1024

    @property
    def max_json_bytes(self) -> int:
        """The JSON body limit in bytes."""
        return self.max_json_kb * 1024

    @property
    def trusted_hosts(self) -> tuple[str, ...]:
        """The host names requests may name: the allowed ones and a specific bound address."""
        names = self.allowed_hosts or LOOPBACK
        bound = self.host.strip().lower()
        return names if bound in WILDCARDS or bound in names else (*names, bound)

    def kept_videos_folder(self) -> Path:
        """Where kept videos are stored (created if missing)."""
        if self.video_dir is not None:
            folder = Path(self.video_dir)
        else:
            from platformdirs import user_data_dir

            folder = Path(user_data_dir("facespasm", appauthor=False)) / "videos"
        folder.mkdir(parents=True, exist_ok=True)
        return folder


def _is_host_name(name: str) -> bool:
    """An IP address, or a DNS name (optionally `*.`-prefixed), without a port or a scheme."""
    try:
        ipaddress.ip_address(name)
    except ValueError:
        labels = name.removeprefix("*.").rstrip(".").split(".")
        return all(_DNS_LABEL.fullmatch(label) for label in labels)
    return True


def _one_line(error: ValidationError) -> str:
    """The first problem, as a person reads it: the validator's own sentence, or field: why."""
    first = error.errors(include_url=False)[0]
    if first["type"] == "value_error":
        return str(first["ctx"]["error"])
    where = ".".join(str(part) for part in first["loc"])
    return f"{where}: {first['msg']}" if where else str(first["msg"])
