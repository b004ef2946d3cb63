"""Every body is bounded: a declared length over the limit is refused unread, a stream at the limit."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator

import anyio
import pytest

GIB = 1024**3


def asgi_post(app, path: str, headers: dict[str, str]) -> tuple[int, dict, int]:
    """POST to the app as a server would, with a body that must never be read.

    Returns:
        The status, the JSON answer, and how many times the app asked for the body.
    """
    asked = 0
    sent: list[dict] = []

    async def receive() -> dict:
        nonlocal asked
        asked += 1
        return {"type": "http.request", "body": b"x" * 65536, "more_body": True}

    async def send(message: dict) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": [(b"host", b"127.0.0.1:8000")]
        + [(name.encode(), value.encode()) for name, value in headers.items()],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
    }
    # In a thread of its own: the browser tests' session keeps an event loop in this one.
    runner = threading.Thread(target=anyio.run, args=(app, scope, receive, send))
    runner.start()
    runner.join()
    start = next(message for message in sent if message["type"] == "http.response.start")
    body = b"".join(message.get("body", b"") for message in sent[1:])
    return start["status"], json.loads(body), asked


@pytest.mark.parametrize(
    ("path", "content_type", "limit"),
    [
        ("/api/v1/assess", "application/json", "1 MB"),  # the JSON limit
        ("/api/v1/diary/import", "multipart/form-data; boundary=x", "50 MB"),  # the CSV limit
        ("/api/v1/analyze", "multipart/form-data; boundary=x", "500 MB"),  # the video limit
    ],
)
def test_a_declared_2_gib_body_is_refused_unread(client, path, content_type, limit):
    headers = {"content-type": content_type, "content-length": str(2 * GIB)}
    status, answer, asked = asgi_post(client.app, path, headers)
    assert status == 413
    assert f"larger than the limit of {limit}" in answer["error"]["message"]
    assert asked == 0  # not one byte of the body was read


def test_the_json_limit_holds_while_streaming(client):
    def body() -> Iterator[bytes]:  # a generator: sent chunked, with no length to trust
        yield b'{"text": "'
        for _ in range(40):
            yield b"x" * 65536
        yield b'"}'

    response = client.post(
        "/api/v1/read", content=body(), headers={"content-type": "application/json"}
    )
    assert response.status_code == 413
    assert response.json()["error"]["message"] == (
        "the request body is larger than the limit of 1 MB"
    )


def test_the_csv_limit_holds_while_streaming(client):
    boundary = "xyz"

    def body() -> Iterator[bytes]:
        yield (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="d.csv"\r\n'
            "Content-Type: text/csv\r\n\r\n"
        ).encode()
        for _ in range(52):
            yield b"2024-01-01,1,,,,,,\n" * 55_000  # 1 MiB of rows
        yield f"\r\n--{boundary}--\r\n".encode()

    response = client.post(
        "/api/v1/diary/import",
        content=body(),
        headers={"content-type": f"multipart/form-data; boundary={boundary}"},
    )
    assert response.status_code == 413
    assert "CSV file is larger than the limit of 50 MB" in response.json()["error"]["message"]


def test_the_json_limit_is_a_setting(make_client):
    client = make_client(max_json_kb=1)
    small = client.post("/api/v1/read", json={"text": "eye twitch"})
    assert small.status_code == 200
    large = client.post("/api/v1/read", json={"text": "eye twitch " * 200})
    assert large.status_code == 413
    assert "limit of 1 KB" in large.json()["error"]["message"]


def test_a_body_within_the_limit_is_served(client):
    text = "my left eye twitches " * 450  # 9,450 characters: under the reader's 10,000
    response = client.post("/api/v1/read", json={"text": text})
    assert response.status_code == 200
