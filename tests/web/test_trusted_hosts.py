"""The server answers only to its own names: a page re-pointing its name at us gets a 400."""

from __future__ import annotations

import pytest

from facespasm.web.trusted_hosts import host_name, is_trusted


@pytest.mark.parametrize(
    ("host", "status"),
    [
        ("127.0.0.1:8000", 200),  # loopback, any port
        ("127.0.0.1", 200),
        ("localhost:1234", 200),
        ("LOCALHOST.", 200),  # case and a trailing dot change nothing
        ("[::1]:8000", 200),  # IPv6 loopback, bracketed with a port
        ("evil.example", 400),  # DNS rebinding: a foreign name pointed at 127.0.0.1
        ("evil.example:8000", 400),
        ("localhost.evil.example", 400),  # a loopback name as a subdomain is still foreign
        ("127.0.0.1.nip.io", 400),
        ("0.0.0.0:8000", 400),  # not a name this server was told to answer to
        ("", 400),  # no host at all
    ],
)
def test_only_loopback_names_by_default(client, host, status):
    response = client.get("/api/v1/health", headers={"host": host})
    assert response.status_code == status
    if status == 400:
        assert "does not answer to" in response.json()["error"]["message"]


def test_the_diary_is_out_of_reach_of_a_rebound_name(client):
    """The issue's attack: a page on evil.example, re-pointed at 127.0.0.1, reads the diary."""
    for path in ("/api/v1/diary/days", "/api/v1/diary/export", "/diary", "/openapi.json"):
        response = client.get(path, headers={"host": "evil.example:8000"})
        assert response.status_code == 400, path
        assert response.headers["content-type"] == "application/json"


@pytest.mark.parametrize(
    ("settings", "host", "status"),
    [
        ({"allowed_hosts": ("clinic.example",)}, "clinic.example", 200),  # a clinic's own name
        ({"allowed_hosts": ("clinic.example",)}, "localhost", 400),  # replaces the defaults
        ({"allowed_hosts": ("*.clinic.example",)}, "ward3.clinic.example", 200),  # subdomains
        ({"allowed_hosts": ("*.clinic.example",)}, "clinic.example.evil", 400),
        ({"host": "192.168.1.20"}, "192.168.1.20:8000", 200),  # the address it is bound to
        ({"host": "0.0.0.0"}, "192.168.1.20:8000", 400),  # every address: names must be listed
    ],
)
def test_configured_names(make_client, settings, host, status):
    client = make_client(**settings)
    assert client.get("/api/v1/health", headers={"host": host}).status_code == status


def test_names_come_from_the_environment(monkeypatch):
    from facespasm.web.settings import Settings

    monkeypatch.setenv("FACESPASM_ALLOWED_HOSTS", "clinic.example, *.ward.example")
    assert Settings().allowed_hosts == ("clinic.example", "*.ward.example")


@pytest.mark.parametrize(
    ("header", "name"),
    [
        ("127.0.0.1:8000", "127.0.0.1"),
        ("[::1]:8000", "::1"),
        ("[::1]", "::1"),
        ("::1", "::1"),  # unbracketed IPv6: the colons are not a port
        ("Example.ORG.", "example.org"),
    ],
)
def test_host_name_without_port(header, name):
    assert host_name(header) == name


def test_wildcards_match_subdomains_only():
    assert is_trusted("a.b.example", ["*.example"])
    assert not is_trusted("example", ["*.example"])
    assert not is_trusted("badexample", ["*.example"])
