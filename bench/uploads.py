"""Bounded resources under hostile uploads, for bench/RESULTS.md (issue 11).

Starts `facespasm serve` as a person does (its temporary folder in a scratch folder) and
measures, against it:

- the time to refuse a 2 GiB upload to `/diary/import` and to `/analyze`: declared with a
  `Content-Length` (refused before a byte is read) and streamed chunked without one (refused
  when it passes the route's limit), with how much the client got to send;
- the server's resident memory (VmRSS, sampled every 10 ms) under 8 parallel uploads of 48 MiB:
  CSV imports (45,000 days, every value padded, so the whole file is read and imported) and
  video uploads (an MP4 header and zeros: streamed to the private upload folder, then refused).

Run by hand: `.venv/bin/python bench/uploads.py`.
"""

from __future__ import annotations

import datetime as dt
import http.client
import os
import platform
import select
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

from facespasm.diary.records import CSV_COLUMNS

GIB = 1024**3
MIB = 1024**2
CHUNK = MIB
REPEATS = 5
BOUNDARY = "facespasm-bench"
MP4_HEAD = b"\x00\x00\x00\x20ftypisom"
REPO = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def serve(folder: Path) -> tuple[subprocess.Popen[bytes], int]:
    port = free_port()
    db = f"sqlite:///{folder / 'diary.sqlite3'}"
    env = {**os.environ, "TMPDIR": str(folder), "FACESPASM_DATABASE_URL": db}
    log = (folder / "server.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "facespasm", "serve", "--port", str(port), "--db", db],
        env=env,
        cwd=REPO,
        stdout=log,
        stderr=log,
    )
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/health", timeout=1):
                return process, port
        except OSError:
            if time.monotonic() > deadline:
                raise SystemExit("the server did not start") from None
            time.sleep(0.1)


def memory_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def part_head(name: str, filename: str, content_type: str) -> bytes:
    return (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"'
        f"\r\nContent-Type: {content_type}\r\n\r\n"
    ).encode()


def refuse(port: int, path: str, head: bytes, *, chunked: bool) -> tuple[int, float, int]:
    """Send 2 GiB to `path` until the server answers; its status, seconds, bytes sent."""
    headers = [
        f"POST {path} HTTP/1.1",
        "Host: 127.0.0.1",
        f"Content-Type: multipart/form-data; boundary={BOUNDARY}",
        "Transfer-Encoding: chunked" if chunked else f"Content-Length: {2 * GIB}",
    ]
    body_left = 2 * GIB - len(head)
    zeros = bytes(CHUNK)
    frame = f"{CHUNK:x}\r\n".encode() + zeros + b"\r\n" if chunked else zeros
    first = (f"{len(head):x}\r\n".encode() + head + b"\r\n") if chunked else head
    with socket.create_connection(("127.0.0.1", port)) as connection:
        started = time.perf_counter()
        connection.sendall(("\r\n".join(headers) + "\r\n\r\n").encode())
        pending, sent = first, 0
        while True:
            readable, writable, _ = select.select([connection], [connection], [], 30)
            if readable:
                answer = connection.recv(65536)
                elapsed = time.perf_counter() - started
                return int(answer.split()[1]), elapsed, sent
            if writable and body_left > 0:
                if not pending:
                    pending = frame
                    body_left -= CHUNK
                try:
                    count = connection.send(pending)
                except OSError:
                    continue  # the server closed its side; its answer is waiting
                pending = pending[count:]
                sent += count


def csv_48_mib() -> bytes:
    """45,000 valid days in 48 MiB: every number written with enough zeros to fill it."""
    header = (",".join(CSV_COLUMNS) + "\n").encode()
    days = 45_000
    padding = (48 * MIB - len(header)) // days - len("1900-01-01,1,7.,2,0,4,6,0\n")
    start = dt.date(1901, 1, 1)
    rows = [
        f"{start + dt.timedelta(days=n)},1,7.{'0' * padding},2,0,4,6,0\n".encode()
        for n in range(days)
    ]
    return header + b"".join(rows)


def post(port: int, path: str, body: bytes, results: list[int]) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    connection.request(
        "POST",
        path,
        body=body,
        headers={"Content-Type": f"multipart/form-data; boundary={BOUNDARY}"},
    )
    results.append(connection.getresponse().status)
    connection.close()


def parallel(pid: int, port: int, path: str, body: bytes, count: int = 8) -> dict[str, object]:
    """`count` parallel uploads of `body`: memory before, at the peak, after; statuses; time."""
    before = memory_kib(pid)
    peak, done = before, threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, memory_kib(pid))
            time.sleep(0.01)

    sampler = threading.Thread(target=sample)
    sampler.start()
    results: list[int] = []
    started = time.perf_counter()
    threads = [
        threading.Thread(target=post, args=(port, path, body, results)) for _ in range(count)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    done.set()
    sampler.join()
    return {
        "before_mib": before / 1024,
        "peak_mib": peak / 1024,
        "after_mib": memory_kib(pid) / 1024,
        "statuses": sorted(results),
        "seconds": elapsed,
    }


def multipart(head: bytes, content: bytes) -> bytes:
    return head + content + f"\r\n--{BOUNDARY}--\r\n".encode()


def machine() -> str:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.machine(),
    )
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / GIB
    return f"{cpu}, {os.cpu_count()} cores, {memory:.0f} GiB, Python {platform.python_version()}"


def main() -> None:
    print(f"machine: {machine()}")
    print(f"(refusals: the median of {REPEATS} runs)")
    with tempfile.TemporaryDirectory(prefix="facespasm-bench-") as scratch:
        folder = Path(scratch)
        process, port = serve(folder)
        try:
            csv_head = part_head("file", "days.csv", "text/csv")
            video_head = part_head("file", "clip.mp4", "video/mp4") + MP4_HEAD
            print("\n| a 2 GiB upload to | sent as | answer | time to refuse | sent before |")
            print("|---|---|---|---|---|")
            for path, head in (("/api/v1/diary/import", csv_head), ("/api/v1/analyze", video_head)):
                for chunked in (False, True):
                    runs = [refuse(port, path, head, chunked=chunked) for _ in range(REPEATS)]
                    status, seconds, sent = sorted(runs, key=lambda run: run[1])[REPEATS // 2]
                    how = "chunked, no length" if chunked else "Content-Length: 2 GiB"
                    print(
                        f"| `{path}` | {how} | {status} | {seconds * 1000:.0f} ms | "
                        f"{sent / MIB:.1f} MiB |"
                    )
            print(
                "\n| 8 parallel 48 MiB uploads to | answers | RSS before | peak RSS | after |",
                end="",
            )
            print(" wall |")
            print("|---|---|---|---|---|---|")
            for path, body in (
                ("/api/v1/diary/import", multipart(csv_head, csv_48_mib())),
                ("/api/v1/analyze", multipart(video_head, bytes(48 * MIB))),
            ):
                figures = parallel(process.pid, port, path, body)
                print(
                    f"| `{path}` | {figures['statuses']} | {figures['before_mib']:.0f} MiB | "
                    f"{figures['peak_mib']:.0f} MiB | {figures['after_mib']:.0f} MiB | "
                    f"{figures['seconds']:.1f} s |"
                )
            left = list((folder / f"facespasm-uploads-{os.getuid()}").iterdir())
            print(f"\nfiles left in the upload folder: {len(left)}")
        finally:
            process.terminate()
            process.wait(timeout=30)


if __name__ == "__main__":
    main()
