"""`facespasm serve`: its log gains nothing from an analysed upload (no MediaPipe, nothing personal).

The real server in a subprocess, a real clip uploaded under a person's name, then the server's
output read whole once it has stopped.
"""

from __future__ import annotations

import json
import os
import signal
from pathlib import Path

import httpx

from tests.servers import running_server

# What MediaPipe's native code prints when a process first runs its models (landmarks._NOISE).
CHATTER = (
    "XNNPACK",
    "absl::InitializeLog",
    "inference_feedback_manager",
    "landmark_projection_calculator",
)
SENT_AS = "Jane Doe 1984-02-29 left eye.mp4"


def test_an_analysed_upload_leaves_nothing_in_the_servers_log(tmp_path: Path, shared: Path) -> None:
    clip = shared / "media" / "single_face.mp4"  # 2 seconds of one face
    env = {**os.environ, "XDG_DATA_HOME": str(tmp_path / "data")}  # its own default diary
    env.pop("FACESPASM_DATABASE_URL", None)
    log = tmp_path / "server.log"
    with running_server([], env, log, stop=signal.SIGINT) as server:  # Ctrl-C, as a person
        files = {"file": (SENT_AS, clip.read_bytes(), "video/mp4")}
        response = httpx.post(f"{server.url}/api/v1/analyze", files=files, timeout=120)

    assert response.status_code == 200, response.text
    result = response.json()
    assert result["video"]["source"] == SENT_AS  # the analysis ran, on the file sent
    assert server.process.returncode == 0
    said = log.read_text(errors="replace")
    assert not [noise for noise in CHATTER if noise in said], said
    # nothing personal: not the file's name, not a result
    assert "Jane" not in said and "1984" not in said, said
    assert json.dumps(result["summary"]) not in said
    # a quiet server says where it runs and nothing more while it works
    banner, *rest = said.splitlines()
    assert banner.startswith("facespasm is running at http://127.0.0.1:"), said
    assert rest == ["Press Ctrl+C to stop."], said
