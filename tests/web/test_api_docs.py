"""/docs and /redoc come from the server itself: nothing fetched from the internet, nothing inline."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest


class _References(HTMLParser):
    """Every URL a page loads (src, href) and whether it has inline script or style."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.inline: list[str] = []
        self._tag: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        named = dict(attrs)
        self.urls += [value for name, value in attrs if name in ("src", "href") and value]
        if "style" in named or any(name.startswith("on") for name in named):
            self.inline.append(tag)
        self._tag = tag if tag in ("script", "style") and "src" not in named else None

    def handle_data(self, data: str) -> None:
        if self._tag and data.strip():
            self.inline.append(self._tag)


def references(html: str) -> _References:
    parser = _References()
    parser.feed(html)
    return parser


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_the_docs_load_only_from_this_server(client, page):
    response = client.get(page)
    assert response.status_code == 200
    found = references(response.text)
    assert found.urls, "the page loads its viewer"
    for url in found.urls:
        own = url.startswith("/") and not url.startswith("//")
        assert own or url.startswith(("http://127.0.0.1/", "data:")), url
        if not url.startswith("data:"):
            assert client.get(url).status_code == 200, url  # and the server has it
    assert found.inline == []  # the CSP allows no inline script or style
    assert not re.search(r"cdn|jsdelivr|unpkg|googleapis|gstatic", response.text)


def test_swagger_ui_is_told_where_the_schema_is_and_to_send_it_nowhere(client):
    html = client.get("/docs").text
    assert 'data-openapi-url="/openapi.json"' in html
    script = client.get("/static/docs-swagger.js").text
    assert "validatorUrl: null" in script  # the online validator would send the schema out


def test_the_viewers_are_the_installed_package(client):
    bundle = client.get("/docs/assets/swagger-ui-bundle.js")
    assert bundle.status_code == 200
    assert len(bundle.content) > 500_000  # the whole viewer, not a loader of a remote one
    assert client.get("/docs/assets/redoc.standalone.js").status_code == 200
