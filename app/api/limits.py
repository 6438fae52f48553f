"""A cap on request bodies, checked before anything parses them (413 in the JSON error shape).

Every body but the streamed upload's is read whole by FastAPI before validation, so it is read
here first, up to ``Settings.max_json_body_bytes``: a declared ``Content-Length`` past the cap is
refused without reading, and a chunked body is counted as it arrives and refused at the cap.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from reelgraph.app.api.errors import error_response
from reelgraph.settings import get_settings

#: Methods whose bodies no route reads.
BODILESS = frozenset({"GET", "HEAD", "OPTIONS"})


class BodySizeLimit:
    """ASGI middleware: buffer the body up to the cap, then hand it on unchanged."""

    def __init__(self, app: ASGIApp, exempt_paths: frozenset[str] = frozenset()) -> None:
        self.app = app
        self.exempt_paths = exempt_paths

    def _applies(self, scope: Scope) -> bool:
        if scope["type"] != "http" or scope["method"] in BODILESS:
            return False
        path = scope["path"]
        root = scope.get("root_path", "")
        if root and path.startswith(root):
            path = path[len(root) :]
        return path not in self.exempt_paths

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not self._applies(scope):
            await self.app(scope, receive, send)
            return
        limit = get_settings().max_json_body_bytes
        if _declared_length(scope) > limit:
            await _too_large(limit)(scope, receive, send)
            return
        first = await _read_body(receive, limit)
        if first is None:
            await _too_large(limit)(scope, receive, send)
            return
        await self.app(scope, _replay(first, receive), send)


def content_length(value: str | bytes | None) -> int:
    """A Content-Length header's value; 0 when absent or not a number (the server refuses
    those), and a number past any limit when it has more digits than any real body."""
    if not value or not value.isdigit():
        return 0
    return int(value) if len(value) <= 18 else 10**18


def _declared_length(scope: Scope) -> int:
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            return content_length(value)
    return 0


async def _read_body(receive: Receive, limit: int) -> Message | None:
    """The whole body as one message, or None once it passes ``limit`` bytes."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return message  # the client left: let the app see the disconnect
        body = message.get("body", b"")
        size += len(body)
        if size > limit:
            return None
        chunks.append(body)
        if not message.get("more_body", False):
            return {"type": "http.request", "body": b"".join(chunks), "more_body": False}


def _replay(first: Message, receive: Receive) -> Receive:
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return first
        return await receive()

    return replay


def _too_large(limit: int) -> ASGIApp:
    return error_response(
        413,
        "too_large",
        f"The request body is larger than {limit} bytes; "
        "send media with POST /v1/uploads and refer to it by its asset id.",
    )
