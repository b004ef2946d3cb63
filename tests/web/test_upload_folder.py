"""Uploads wait in a private folder, and what a killed server left there goes at the next start."""

from __future__ import annotations

import os
import signal
import socket
import stat
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from facespasm.diary.database import open_database
from facespasm.errors import InputError
from facespasm.web.upload_folder import (
    locked_upload_file,
    prepare_upload_folder,
    sweep_leftovers,
)
from tests.conftest import REPO
from tests.servers import free_port


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_folder_is_made_private(tmp_path):
    folder = prepare_upload_folder(tmp_path / "uploads")
    assert mode(folder) == 0o700


def test_an_existing_folder_of_ours_is_tightened(tmp_path):
    folder = tmp_path / "uploads"
    folder.mkdir(mode=0o777)
    folder.chmod(0o777)
    prepare_upload_folder(folder)
    assert mode(folder) == 0o700


def test_a_link_is_refused(tmp_path):
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "uploads").symlink_to(tmp_path / "elsewhere")
    with pytest.raises(InputError, match="not a folder of its own"):
        prepare_upload_folder(tmp_path / "uploads")


@pytest.mark.skipif(os.getuid() != 0, reason="only root can give a folder to another user")
def test_another_users_folder_is_refused(tmp_path):
    folder = tmp_path / "uploads"
    folder.mkdir()
    os.chown(folder, 65534, 65534)  # nobody's
    with pytest.raises(InputError, match="belongs to another user"):
        prepare_upload_folder(folder)


def test_files_are_private_and_locked_while_they_exist(tmp_path):
    folder = prepare_upload_folder(tmp_path / "uploads")
    descriptor, path = locked_upload_file(folder)
    try:
        assert mode(path) == 0o600
        assert sweep_leftovers(folder) == 0  # a living upload is left alone
        assert path.exists()
    finally:
        os.close(descriptor)
    assert sweep_leftovers(folder) == 1  # once nobody holds it, it is a leftover
    assert not path.exists()


def test_only_our_files_are_swept(tmp_path):
    folder = prepare_upload_folder(tmp_path / "uploads")
    other = folder / "notes.txt"
    other.write_text("not ours")
    assert sweep_leftovers(folder) == 0
    assert other.exists()


def _serve(tmp_path: Path, port: int) -> subprocess.Popen[bytes]:
    """`facespasm serve` as a person starts it, its temporary folder in `tmp_path`."""
    db = f"sqlite:///{tmp_path / 'diary.sqlite3'}"
    open_database(db, schema="upgrade").dispose()  # as `facespasm db upgrade --db` does
    env = {**os.environ, "TMPDIR": str(tmp_path), "FACESPASM_DATABASE_URL": db}
    command = [sys.executable, "-m", "facespasm", "serve", "--port", str(port), "--db", db]
    log = tmp_path / f"server-{port}.log"
    with log.open("ab") as out:
        process = subprocess.Popen(command, env=env, cwd=REPO, stdout=out, stderr=out)
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/health", timeout=1):
                return process
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                process.wait()
                pytest.fail(f"the server did not start:\n{log.read_text(errors='replace')}")
            time.sleep(0.1)


def _wait_for(condition, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail("timed out")
        time.sleep(0.05)


def test_a_video_left_by_a_killed_server_is_deleted_at_the_next_start(tmp_path):
    port = free_port()
    folder = tmp_path / f"facespasm-uploads-{os.getuid()}"
    first = _serve(tmp_path, port)
    try:
        assert mode(folder) == 0o700
        with socket.create_connection(("127.0.0.1", port)) as upload:
            head = (
                b'--b\r\nContent-Disposition: form-data; name="file"; filename="me.mp4"\r\n\r\n'
                b"\x00\x00\x00\x20ftypisom"
            )
            upload.sendall(
                b"POST /api/v1/analyze HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                b"Content-Type: multipart/form-data; boundary=b\r\n"
                b"Content-Length: 10000000\r\n\r\n" + head + bytes(256 * 1024)
            )
            _wait_for(lambda: any(path.stat().st_size > 0 for path in folder.iterdir()))
            first.send_signal(signal.SIGKILL)  # mid-upload: no `finally` runs
            first.wait(timeout=10)
        (leftover,) = folder.iterdir()
        assert mode(leftover) == 0o600
    finally:
        first.kill()
        first.wait()
    second = _serve(tmp_path, port)
    try:
        assert not leftover.exists()  # the next start deleted the person's video
    finally:
        second.terminate()
        second.wait(timeout=10)
