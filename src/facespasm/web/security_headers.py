"""Security headers on every response, so a web page elsewhere cannot use ours against a person.

The server runs on the person's own computer and holds their diary; any page they visit can
try to frame it, embed it or inject into it. Every response -- pages, API answers, errors,
static files -- carries:

- `Content-Security-Policy`: scripts, styles, connections, images and fonts from this origin
  only (images also `data:`, the favicon; media also `blob:`, the webcam preview), no plugins,
  no `<base>`, forms only to ourselves, and no framing (`frame-ancestors 'none'`). The pages
  and the report fragment have no inline script or style to allow, so nothing is relaxed; only
  `/redoc` allows the two `<style>` elements ReDoc writes, by their hashes, and its search
  worker (`docs.py`).
- `X-Frame-Options: DENY` for browsers that predate `frame-ancestors`.
- `X-Content-Type-Options: nosniff`: a JSON answer is never run as a script.
- `Referrer-Policy: same-origin`: no address of ours leaves with a link to another site. Not
  `no-referrer`: under it a browser sends `Origin: null` with a form's POST, which
  `same_origin.py` must refuse as foreign -- the clinic's sign-in and sharing forms.
- `Cross-Origin-Opener-Policy` and `Cross-Origin-Resource-Policy: same-origin`: another site's
  window cannot script ours, nor its page load our answers as images or scripts.
- `Permissions-Policy`: the camera for this origin only (the video page records), nothing else.
- `Cache-Control: no-store` on the API: a diary or an assessment is not kept in a cache.

Sources: OWASP Secure Headers Project and HTML Security Cheat Sheet; MDN on CSP Level 3.
"""

from __future__ import annotations

from collections.abc import Mapping

from starlette.types import ASGIApp, Message, Receive, Scope, Send


def content_security_policy(
    inline_styles: tuple[str, ...] = (), *, blob_workers: bool = False
) -> str:
    """The policy: this origin only, with what one page may need beyond it.

    Args:
        inline_styles: "sha256-..." hashes of the inline style elements a page needs (ReDoc's).
        blob_workers: whether the page may start a worker from a `blob:` its own script made
            (ReDoc's search index).
    """
    styles = " ".join(["'self'", *(f"'{digest}'" for digest in inline_styles)])
    workers = ["worker-src 'self' blob:"] if blob_workers else []
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            *workers,
            f"style-src {styles}",
            "img-src 'self' data:",
            "media-src 'self' blob:",
            "font-src 'self'",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


CONTENT_SECURITY_POLICY = content_security_policy()
HEADERS: tuple[tuple[bytes, bytes], ...] = tuple(
    (name.lower().encode("latin-1"), value.encode("latin-1"))
    for name, value in {
        "X-Frame-Options": "DENY",
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "same-origin",
        "Cross-Origin-Opener-Policy": "same-origin",
        "Cross-Origin-Resource-Policy": "same-origin",
        "Permissions-Policy": "camera=(self), microphone=(), geolocation=()",
    }.items()
)
_CSP = b"content-security-policy"
NO_STORE = (b"cache-control", b"no-store")
API_PREFIX = "/api/"


class SecurityHeaders:
    """ASGI middleware: the headers above on every HTTP response.

    Args:
        app: The application.
        policies: A page's own Content-Security-Policy, by path (ReDoc's inline styles).
    """

    def __init__(self, app: ASGIApp, policies: Mapping[str, str] | None = None) -> None:
        self.app = app
        self.policies = {
            path: (_CSP, policy.encode("latin-1")) for path, policy in (policies or {}).items()
        }
        self.default_policy = (_CSP, CONTENT_SECURITY_POLICY.encode("latin-1"))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on; add the headers to the response as it starts."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        extra = [self.policies.get(path, self.default_policy), *HEADERS]
        if path.startswith(API_PREFIX):
            extra.append(NO_STORE)

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                added = [(name, value) for name, value in extra if name not in present]
                message = {**message, "headers": [*message.get("headers", []), *added]}
            await send(message)

        await self.app(scope, receive, with_headers)
