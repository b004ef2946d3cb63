"""Every response carries the security headers: pages, API answers, files, errors of every kind."""

from __future__ import annotations

import pytest

EXPECTED = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "same-origin",
    "cross-origin-opener-policy": "same-origin",
    "cross-origin-resource-policy": "same-origin",
}


@pytest.mark.parametrize(
    ("method", "path", "kwargs", "status"),
    [
        ("GET", "/", {}, 200),  # a page
        ("GET", "/interview", {}, 200),
        ("GET", "/api/v1/health", {}, 200),  # an API answer
        ("GET", "/static/common.js", {}, 200),  # a static file
        ("GET", "/docs", {}, 200),  # the API documentation
        ("GET", "/docs/assets/swagger-ui.css", {}, 200),  # its viewer's files
        ("GET", "/openapi.json", {}, 200),
        ("GET", "/api/v1/nowhere", {}, 404),  # an unknown route
        ("POST", "/api/v1/assess", {"json": {"answers": {"age": -3}}}, 422),  # bad input
        ("POST", "/api/v1/read", {"content": b"x", "headers": {"content-type": "text/plain"}}, 415),
        ("PUT", "/api/v1/health", {}, 405),  # a method the path does not take
        ("GET", "/api/v1/health", {"headers": {"host": "evil.example"}}, 400),  # a foreign host
    ],
)
def test_every_response_has_the_headers(client, method, path, kwargs, status):
    response = client.request(method, path, **kwargs)
    assert response.status_code == status
    for name, value in EXPECTED.items():
        assert response.headers[name] == value, name
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]


def test_the_content_security_policy_allows_only_this_origin(client):
    policy = client.get("/").headers["content-security-policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    for name in ("default-src", "script-src", "style-src", "connect-src", "font-src"):
        assert directives[name] == "'self'", name  # no inline code, no other site
    assert directives["img-src"] == "'self' data:"  # the favicon is a data: URL
    assert directives["media-src"] == "'self' blob:"  # the webcam preview
    assert directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe" not in policy and "http" not in policy and "*" not in policy


def test_api_answers_are_not_cached_pages_may_be(client):
    assert client.get("/api/v1/health").headers["cache-control"] == "no-store"
    assert "cache-control" not in client.get("/static/common.js").headers


def test_the_camera_is_for_this_origin_only(client):
    policy = client.get("/video").headers["permissions-policy"]
    assert "camera=(self)" in policy and "microphone=()" in policy
