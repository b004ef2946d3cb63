"""Refuse a state-changing request sent by another site's page (cross-site request forgery).

Any page a person visits can make their browser POST to http://127.0.0.1:8000 -- a form that
replaces their diary with an import, an `/analyze?save=true` -- and the browser sends it, even
though the page may not read the answer. The browser also says where the request came from:
`Origin` on every cross-origin POST, PUT, PATCH and DELETE (and `Referer` when an older browser
leaves `Origin` out). So a request with one of those methods is refused with a 403 when its
`Origin` -- or, without one, its `Referer` -- is not this server's own scheme-less authority
(the `Host` it was sent to; `trusted_hosts.py` has already checked that one). `Origin: null`
(a sandboxed frame, a `file:` page) is foreign. A request with neither header is not from a
web page (the command line, a script, the tests) and is served; this server's own pages send
`Origin` (`Referrer-Policy: same-origin`: under `no-referrer` a form's POST says `Origin: null`).

Source: OWASP Cross-Site Request Forgery Prevention Cheat Sheet, "Verifying origin with
standard headers".
"""

from __future__ import annotations

from urllib.parse import urlsplit

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

from facespasm.web.errors import error_response

STATE_CHANGING = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_DEFAULT_PORTS = {"http": ":80", "https": ":443"}


def authority_of(url: str) -> str | None:
    """The `host[:port]` an origin or URL names, without its scheme's default port; None if none.

    Args:
        url: An `Origin` ("http://127.0.0.1:8000") or `Referer` value.
    """
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    if parts.scheme not in _DEFAULT_PORTS or not parts.netloc or "@" in parts.netloc:
        return None
    return _without_default_port(parts.netloc.lower(), _DEFAULT_PORTS[parts.scheme])


def _without_default_port(authority: str, default: str) -> str:
    return authority.removesuffix(default).rstrip(".")


def is_same_origin(source: str, host_header: str) -> bool:
    """Whether a request's `Origin`/`Referer` names the host it was sent to."""
    named = authority_of(source)
    if named is None:
        return False
    host = host_header.strip().lower()
    return named in {_without_default_port(host, default) for default in _DEFAULT_PORTS.values()}


class SameOrigin:
    """ASGI middleware: a 403 for a state-changing request whose origin is another site."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve the request unless a web page of another origin sent it."""
        if scope["type"] != "http" or scope["method"] not in STATE_CHANGING:
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        source = headers.get("origin") or headers.get("referer")
        if source is None or is_same_origin(source, headers.get("host", "")):
            await self.app(scope, receive, send)
            return
        message = (
            f"refused: this {scope['method']} came from a page of another site "
            f"({'Origin' if 'origin' in headers else 'Referer'}: {source[:100]}); "
            "use facespasm's own pages"
        )
        await error_response(message, 403)(scope, receive, send)
