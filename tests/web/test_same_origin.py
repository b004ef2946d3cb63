"""A page of another site cannot change anything: state-changing requests from it get a 403."""

from __future__ import annotations

import pytest

from facespasm.web.same_origin import authority_of, is_same_origin

CSV = b"date,episodes,sleep_hours,caffeine_drinks,alcohol_drinks,stress_0_10,screen_hours,nicotine\n2024-03-01,9,5,4,0,7,9,0\n"
ASSESS = {"answers": {"age": 40}}


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({}, 200),  # no Origin, no Referer: not a web page (the command line, a script)
        ({"origin": "http://127.0.0.1"}, 200),  # our own page
        ({"origin": "http://127.0.0.1:80"}, 200),  # the same origin, default port spelled out
        ({"referer": "http://127.0.0.1/interview"}, 200),  # an older browser: Referer only
        ({"origin": "http://evil.example"}, 403),  # another site
        ({"origin": "http://127.0.0.1:9999"}, 403),  # another port is another origin
        ({"origin": "https://127.0.0.1.evil.example"}, 403),
        ({"origin": "http://localhost"}, 403),  # another name of this machine is another origin
        ({"origin": "null"}, 403),  # a sandboxed frame or a file: page
        ({"referer": "http://evil.example/attack.html"}, 403),  # without Origin, the Referer
        ({"origin": "http://evil.example", "referer": "http://127.0.0.1/"}, 403),  # Origin decides
    ],
)
def test_a_post_is_judged_by_its_origin(client, headers, status):
    response = client.post("/api/v1/assess", json=ASSESS, headers=headers)
    assert response.status_code == status
    if status == 403:
        assert "another site" in response.json()["error"]["message"]


@pytest.mark.parametrize("method", ["PUT", "PATCH", "DELETE", "POST"])
def test_every_state_changing_method_is_checked(client, method):
    response = client.request(
        method, "/api/v1/diary/days/2024-03-01", json={}, headers={"origin": "http://evil.example"}
    )
    assert response.status_code == 403


def test_reading_is_not_refused(client):
    """A GET changes nothing, and another site cannot read the answer anyway (no CORS)."""
    response = client.get("/api/v1/health", headers={"origin": "http://evil.example"})
    assert response.status_code == 200
    assert "access-control-allow-origin" not in response.headers


def test_a_cross_site_import_replaces_no_day(client):
    """The issue's attack: a foreign page's multipart form replacing diary days."""
    files = {"file": ("days.csv", CSV, "text/csv")}
    refused = client.post(
        "/api/v1/diary/import", files=files, headers={"origin": "http://evil.example"}
    )
    assert refused.status_code == 403
    assert client.get("/api/v1/diary/days").json() == []
    accepted = client.post(
        "/api/v1/diary/import", files=files, headers={"origin": "http://127.0.0.1"}
    )
    assert accepted.status_code == 200, accepted.text
    assert [day["date"] for day in client.get("/api/v1/diary/days").json()] == ["2024-03-01"]


def test_a_cross_site_analysis_is_not_saved(client, upload_dir):
    response = client.post(
        "/api/v1/analyze",
        files={"file": ("a.mp4", b"\x00\x00\x00\x20ftypisom" + bytes(1000))},
        data={"save": "true"},
        headers={"origin": "http://evil.example"},
    )
    assert response.status_code == 403
    assert list(upload_dir.iterdir()) == []  # refused before a byte was written


@pytest.mark.parametrize(
    ("source", "authority"),
    [
        ("http://127.0.0.1:8000", "127.0.0.1:8000"),
        ("https://clinic.example", "clinic.example"),
        ("https://clinic.example:443/page?x=1", "clinic.example"),
        ("null", None),
        ("file:///home/me/attack.html", None),
        ("http://user@evil.example@127.0.0.1/", None),  # credentials to confuse a parser
    ],
)
def test_authority_of(source, authority):
    assert authority_of(source) == authority


def test_behind_a_tls_proxy_the_origin_matches_the_host():
    assert is_same_origin("https://clinic.example", "clinic.example")
    assert not is_same_origin("https://clinic.example", "clinic.example:8443")
