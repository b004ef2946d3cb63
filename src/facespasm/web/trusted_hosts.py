"""Answer only to our own host names: a defence against DNS rebinding.

A page on `evil.example` can re-point its name at 127.0.0.1 after it has loaded; the browser
then lets its scripts read from "evil.example:8000", which is this server, with the person's
diary behind it. What gives it away is the `Host` header, which still says `evil.example`. So a
request is served only when its host is one of `Settings.trusted_hosts` (the loopback names by
default, with any port) and is otherwise refused with a 400 in the API's error shape, before
anything else runs. A request without a `Host` header (HTTP/1.0) is refused too.
"""

from __future__ import annotations

from collections.abc import Iterable

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

from facespasm.web.errors import error_response


def host_name(host_header: str) -> str:
    """The name in a `Host` header, without its port, lower case: "[::1]:8000" -> "::1"."""
    host = host_header.strip().lower()
    if host.startswith("["):
        return host[1 : host.find("]")] if "]" in host else host
    if host.count(":") == 1:
        host = host.rsplit(":", 1)[0]
    return host.rstrip(".")


def is_trusted(name: str, trusted: Iterable[str]) -> bool:
    """Whether `name` is one of `trusted` ("*.example.org" allows its subdomains)."""
    for allowed in trusted:
        if name == allowed or (allowed.startswith("*.") and name.endswith(allowed[1:])):
            return True
    return False


class TrustedHosts:
    """ASGI middleware: a 400 for a request naming a host that is not ours."""

    def __init__(self, app: ASGIApp, trusted: Iterable[str]) -> None:
        self.app = app
        self.trusted = tuple(trusted)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve the request if its `Host` is trusted; refuse it otherwise."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        name = host_name(Headers(scope=scope).get("host", ""))
        if name and is_trusted(name, self.trusted):
            await self.app(scope, receive, send)
            return
        shown = f"the host name '{name}'" if name else "a request without a host name"
        message = (
            f"this server does not answer to {shown}; open it as "
            f"{' or '.join(n for n in self.trusted if not n.startswith('*'))} "
            "(a clinic lists its names in FACESPASM_ALLOWED_HOSTS)"
        )
        await error_response(message, 400)(scope, receive, send)
