"""`POST /api/v1/analyze`: uploads streamed to a temporary file, limited, sniffed, always deleted."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest


@pytest.fixture(scope="module")
def clip(shared: Path) -> bytes:
    """A real 2-second clip of one face that blinks once."""
    return (shared / "media" / "single_face.mp4").read_bytes()


def upload(client, content: bytes, name: str = "clip.mp4", **fields):
    return client.post("/api/v1/analyze", files={"file": (name, content)}, data=fields)


def test_a_real_clip_gives_its_events(client, clip, upload_dir):
    response = upload(client, clip)
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) >= {"video", "events", "summary", "evidence", "timing"}
    assert [event["kind"] for event in body["events"]].count("blink") == 1
    assert body["video"]["source"] == "clip.mp4"
    # What the page shows people, worded: no keys, no raw dicts.
    summary = dict(body["readable"]["summary"])
    assert summary["Blinks per minute"] == f"{body['summary']['blink_rate_per_min']:g}"
    assert all("_" not in what and "{" not in amount for what, amount in summary.items())
    # One blink in 2 s caught no twitch: the page says so rather than leave it to be guessed.
    assert body["readable"]["note"].startswith("The video caught no twitch")
    assert "saved_id" not in body
    assert list(upload_dir.iterdir()) == []  # the temporary file is gone after success


def test_the_result_is_kept_as_a_measurement_only_when_asked(client, clip):
    assert upload(client, clip).status_code == 200
    assert client.get("/api/v1/diary/measurements").json() == []
    response = upload(client, clip, save="true", timezone="Europe/Berlin")
    assert response.status_code == 200, response.text
    body = response.json()
    (measured,) = client.get("/api/v1/diary/measurements").json()
    assert measured["id"] == body["saved_id"]
    assert measured["timezone"] == "Europe/Berlin"
    assert measured["face_minutes"] == body["summary"]["face_minutes"]
    assert measured["blink_rate_per_min"] == body["summary"]["blink_rate_per_min"]
    assert measured["spasms_per_min_left"] == 0  # one blink, no spasm
    kept = client.get(f"/api/v1/diary/measurements/{measured['id']}/analysis").json()
    assert kept["events"] == body["events"]


def test_an_upload_over_the_limit_is_413(make_client, upload_dir):
    client = make_client(max_upload_mb=1)
    response = upload(client, b"\x00\x00\x00\x20ftypisom" + bytes(2 * 1024 * 1024))
    assert response.status_code == 413
    assert "larger than the limit of 1 MB" in response.json()["error"]["message"]
    assert list(upload_dir.iterdir()) == []


def test_the_limit_holds_while_streaming_without_a_length(make_client, upload_dir):
    client = make_client(max_upload_mb=1)
    boundary = "xyz"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.mp4"\r\n'
        "Content-Type: video/mp4\r\n\r\n"
    ).encode()

    def body() -> Iterator[bytes]:  # a generator: sent chunked, with no Content-Length to trust
        yield head + b"\x00\x00\x00\x20ftypisom"
        for _ in range(40):
            yield bytes(64 * 1024)
        yield f"\r\n--{boundary}--\r\n".encode()

    response = client.post(
        "/api/v1/analyze",
        content=body(),
        headers={"content-type": f"multipart/form-data; boundary={boundary}"},
    )
    assert response.status_code == 413
    assert list(upload_dir.iterdir()) == []


def test_a_text_file_named_mp4_is_415(client, upload_dir):
    response = upload(client, b"just some text, not a video at all\n" * 10, name="holiday.mp4")
    assert response.status_code == 415
    assert "judged from its content" in response.json()["error"]["message"]
    assert list(upload_dir.iterdir()) == []


def test_a_video_without_a_face_is_422_and_deleted(client, shared, upload_dir):
    response = upload(client, (shared / "media" / "no_face.mp4").read_bytes(), name="empty.mp4")
    assert response.status_code == 422
    message = response.json()["error"]["message"]
    assert "'empty.mp4'" in message  # the file the person sent...
    assert "facespasm-upload" not in message and str(upload_dir) not in message  # ...not ours
    assert list(upload_dir.iterdir()) == []  # the temporary file is gone after failure too


def test_a_broken_video_with_a_video_header_is_422(client, upload_dir):
    response = upload(client, b"\x00\x00\x00\x20ftypisom" + b"garbage" * 100)
    assert response.status_code == 422
    assert "facespasm-upload" not in response.json()["error"]["message"]
    assert list(upload_dir.iterdir()) == []


@pytest.mark.parametrize(
    ("request_kwargs", "status"),
    [
        ({"json": {"file": "clip.mp4"}}, 415),  # not a form upload
        ({"files": {"video": ("a.mp4", b"\x00\x00\x00\x20ftypisom")}}, 422),  # wrong field name
    ],
)
def test_requests_without_a_video_are_refused(client, request_kwargs, status):
    response = client.post("/api/v1/analyze", **request_kwargs)
    assert response.status_code == status
    assert response.json()["error"]["message"]


@pytest.mark.parametrize(
    ("fields", "mentions"),
    [
        ({"save": "yes"}, "form field 'save' must be true or false"),  # only what the schema says
        ({"keep_video": "1"}, "form field 'keep_video' must be true or false"),
        ({"sav": "true"}, "unknown form field 'sav'"),  # a typo is named, not ignored
        ({"save": "true", "timezone": "Mars/Olympus"}, "unknown time zone"),
    ],
)
def test_form_fields_are_exactly_the_documented_ones(client, clip, fields, mentions, upload_dir):
    response = upload(client, clip, **fields)
    assert response.status_code == 422
    assert mentions in response.json()["error"]["message"]
    assert list(upload_dir.iterdir()) == []


@pytest.mark.parametrize(
    ("head", "kind"),
    [
        (b"\x00\x00\x00\x20ftypisom", "mp4"),  # MP4
        (b"\x00\x00\x00\x14ftypqt  ", "mp4"),  # QuickTime MOV
        (b"\x1a\x45\xdf\xa3\x01\x00\x00\x00\x00\x00\x00\x1f", "webm"),  # WebM / Matroska
        (b"RIFF\x00\x10\x00\x00AVI ", "avi"),  # AVI
        (b"RIFF\x00\x10\x00\x00WAVE", None),  # a WAV sound, not a video
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\x0d", None),  # a picture
    ],
)
def test_video_kind_is_read_from_magic_bytes(head, kind):
    from facespasm.web.uploads import video_kind

    assert video_kind(head) == kind
