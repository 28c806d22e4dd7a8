"""Security for the reviewer's desk: bearer tokens and login sessions, CSRF tokens, the
upload limit, content sniffing, safe display names and the standard response headers.

Exports: Guard (tokens, sessions, CSRF), sniff(data) -> kind | None, display_name(name),
LimitBody (ASGI middleware: 413 over the limit), SecurityHeaders (ASGI middleware), CSP.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import json
import os
import secrets
import time
import unicodedata
import zipfile
from pathlib import Path
from typing import Any

__all__ = [
    "TOO_LARGE",
    "too_large_message",
    "Guard",
    "sniff",
    "display_name",
    "LimitBody",
    "SecurityHeaders",
    "CSP",
]

CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)
HEADERS = (
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
    (b"cache-control", b"no-store"),
)
TOO_LARGE = "policydiff.too_large"
SESSION_COOKIE = "pd_session"
CSRF_COOKIE = "pd_csrf"
SESSION_SECONDS = 12 * 3600
DRAIN_FACTOR = 4


class Guard:
    """The server secret (kept in ``DATA/secret``, mode 0600, so sessions and CSRF tokens
    survive a restart) and the optional access token."""

    def __init__(self, data: Path, token: str | None) -> None:
        path = data / "secret"
        if not path.exists():
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as out:
                out.write(secrets.token_hex(32))
        self._secret = path.read_text().strip().encode()
        self._token = token.encode() if token else None

    @property
    def required(self) -> bool:
        return self._token is not None

    def _sign(self, value: str) -> str:
        key = self._secret + (self._token or b"")
        return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()

    def check_token(self, offered: str) -> bool:
        return self._token is not None and hmac.compare_digest(offered.encode(), self._token)

    def bearer(self, header: str | None) -> int:
        """200 if the Authorization header carries the token (or none is needed), 401 when
        it is absent or malformed, 403 when it is wrong."""
        if self._token is None:
            return 200
        if not header or not header.startswith("Bearer "):
            return 401
        return 200 if self.check_token(header[7:].strip()) else 403

    def new_session(self) -> str:
        value = f"{int(time.time())}.{secrets.token_hex(16)}"
        return f"{value}.{self._sign('session:' + value)}"

    def session_ok(self, cookie: str | None) -> bool:
        if self._token is None:
            return True
        if not cookie or cookie.count(".") != 2:
            return False
        stamp, nonce, mac = cookie.split(".")
        if not hmac.compare_digest(mac, self._sign(f"session:{stamp}.{nonce}")):
            return False
        return stamp.isdigit() and time.time() - int(stamp) < SESSION_SECONDS

    def csrf_token(self, cookie: str) -> str:
        return self._sign("csrf:" + cookie)

    def csrf_ok(self, cookie: str | None, offered: str | None) -> bool:
        if not cookie or not offered:
            return False
        return hmac.compare_digest(self.csrf_token(cookie), offered)


def sniff(data: bytes) -> str | None:
    """The upload's type by its content: pdf, docx, text, or None (anything else)."""
    if data[:1024].lstrip().startswith(b"%PDF-") or b"%PDF-" in data[:1024]:
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                return "docx" if "word/document.xml" in archive.namelist() else None
        except (zipfile.BadZipFile, OSError, EOFError, ValueError):
            return None
    sample = data[:65536]
    if sample.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "text"
    if b"\x00" in sample:
        return None
    controls = sum(1 for b in sample if b == 127 or (b < 32 and b not in b"\t\n\r\f"))
    return None if controls > 0.05 * max(1, len(sample)) else "text"


def display_name(name: str | None) -> str:
    """A filename safe to show and to name in messages: the last path component, control
    and format characters removed, at most 120 characters; never used as a path."""
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(c for c in base if unicodedata.category(c)[0] != "C").strip()
    base = base.lstrip(".") or "upload"
    return base[:120]


class LimitBody:
    """ASGI middleware: a request body over ``limit`` bytes gets 413, whether it announces
    its length or streams it."""

    def __init__(self, app: Any, limit: int) -> None:
        self.app, self.limit = app, limit

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for key, value in scope.get("headers", []):
            if key == b"content-length" and value.isdigit() and int(value) > self.limit:
                if int(value) <= DRAIN_FACTOR * self.limit:  # read it, so clients see the 413
                    while (await receive()).get("more_body"):
                        pass
                await _too_large(send, self.limit, scope["path"].startswith("/api/"))
                return
        seen = 0

        async def counted() -> Any:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    scope[TOO_LARGE] = True
                    return {"type": "http.disconnect"}
            return message

        await self.app(scope, counted, send)


def too_large_message(limit: int) -> str:
    return (
        f"the upload is larger than the limit of {limit / 1_000_000:g} MB; "
        "split the file or ask the administrator to raise --max-upload-mb"
    )


async def _too_large(send: Any, limit: int, api: bool) -> None:
    message = too_large_message(limit)
    if api:
        body, ctype = json.dumps({"error": message}).encode(), b"application/json"
    else:
        body = f"<!doctype html><title>Too large</title><p>{message}</p>".encode()
        ctype = b"text/html; charset=utf-8"
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", ctype),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
                *HEADERS,
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class SecurityHeaders:
    """ASGI middleware: CSP, nosniff, frame and referrer policies on every response."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Any) -> None:
            if message["type"] == "http.response.start":
                names = {k.lower() for k, _ in message.get("headers", [])}
                extra = [(k, v) for k, v in HEADERS if k not in names]
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        await self.app(scope, receive, with_headers)
