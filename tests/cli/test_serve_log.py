"""`facespasm serve`: its log gains nothing from an analysed upload (no MediaPipe, nothing personal).

The real server in a subprocess, a real clip uploaded under a person's name, then the server's
stderr read whole once it has stopped.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

# What MediaPipe's native code prints when a process first runs its models (landmarks._NOISE).
CHATTER = (
    "XNNPACK",
    "absl::InitializeLog",
    "inference_feedback_manager",
    "landmark_projection_calculator",
)
SENT_AS = "Jane Doe 1984-02-29 left eye.mp4"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_until_up(url: str, server: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 30
    while True:
        try:
            if httpx.get(f"{url}/api/v1/health", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        if server.poll() is not None or time.monotonic() > deadline:
            raise AssertionError(f"the server did not start:\n{log.read_text(errors='replace')}")
        time.sleep(0.1)


def test_an_analysed_upload_leaves_nothing_in_the_servers_log(tmp_path: Path, shared: Path) -> None:
    clip = shared / "media" / "single_face.mp4"  # 2 seconds of one face
    env = {**os.environ, "XDG_DATA_HOME": str(tmp_path / "data")}  # its own default diary
    env.pop("FACESPASM_DATABASE_URL", None)
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    log = tmp_path / "server.log"
    with log.open("wb") as stderr:
        server = subprocess.Popen(
            [sys.executable, "-m", "facespasm", "serve", "--port", str(port)],
            stdout=subprocess.DEVNULL,
            stderr=stderr,
            env=env,
        )
    try:
        _wait_until_up(url, server, log)
        files = {"file": (SENT_AS, clip.read_bytes(), "video/mp4")}
        response = httpx.post(f"{url}/api/v1/analyze", files=files, timeout=120)
    finally:
        server.send_signal(signal.SIGINT)  # Ctrl-C, as a person stops it
        server.wait(timeout=30)

    assert response.status_code == 200, response.text
    result = response.json()
    assert result["video"]["source"] == SENT_AS  # the analysis ran, on the file sent
    assert server.returncode == 0
    said = log.read_text(errors="replace")
    assert not [noise for noise in CHATTER if noise in said], said
    # nothing personal: not the file's name, not a result
    assert "Jane" not in said and "1984" not in said, said
    assert json.dumps(result["summary"]) not in said
    assert said == "", said  # a quiet server says nothing while it works
