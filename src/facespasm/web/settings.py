"""Server settings, from arguments (the `serve` command) or defaults; refused when unsafe.

Decisions: values are checked when the settings are made, so a bad port or upload limit stops
the server before it starts, with one line naming the value (an `InputError`, exit 2 from the
command line). Binding beyond this computer is allowed -- a clinic needs it -- but the
`local_only` property lets the server say so loudly on start.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from facespasm.errors import InputError

LOOPBACK = ("127.0.0.1", "localhost", "::1")
MAX_UPLOAD_MB_LIMIT = 10_000


@dataclass(frozen=True, slots=True)
class Settings:
    """How the server runs.

    Attributes:
        host: where to listen; loopback by default, so nothing leaves this machine.
        port: the port.
        database_url: the diary's database (None: $FACESPASM_DATABASE_URL or the default file).
        max_upload_mb: the largest video accepted, in MiB.
        keep_videos: keep uploaded videos (otherwise only derived results are stored).
        upload_dir: where uploads are written while they are analysed (None: the system's
            temporary folder); each is deleted when its request ends.
        video_dir: where kept videos go (None: `videos` in the user's data folder).
    """

    host: str = "127.0.0.1"
    port: int = 8000
    database_url: str | None = None
    max_upload_mb: int = 500
    keep_videos: bool = False
    upload_dir: Path | None = None
    video_dir: Path | None = None

    def __post_init__(self) -> None:
        if not self.host.strip():
            raise InputError("host must not be empty (e.g. 127.0.0.1)")
        if isinstance(self.port, bool) or not 0 < self.port < 65536:
            raise InputError(f"port must be between 1 and 65535, not {self.port}")
        limit, given = MAX_UPLOAD_MB_LIMIT, self.max_upload_mb
        if isinstance(given, bool) or not 1 <= given <= limit:
            raise InputError(f"max upload must be between 1 and {limit} MB, not {given}")
        if self.upload_dir is not None and not Path(self.upload_dir).is_dir():
            raise InputError(f"upload folder {self.upload_dir} does not exist")

    @property
    def local_only(self) -> bool:
        """Whether the server listens only on this machine."""
        return self.host in LOOPBACK

    @property
    def max_upload_bytes(self) -> int:
        """The upload limit in bytes."""
        return self.max_upload_mb * 1024 * 1024

    def kept_videos_folder(self) -> Path:
        """Where kept videos are stored (created if missing)."""
        if self.video_dir is not None:
            folder = Path(self.video_dir)
        else:
            from platformdirs import user_data_dir

            folder = Path(user_data_dir("facespasm", appauthor=False)) / "videos"
        folder.mkdir(parents=True, exist_ok=True)
        return folder
