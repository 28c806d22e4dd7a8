"""The Starlette application of ``policydiff serve``: the JSON API and the HTML pages, both
over the operations in ``service``.

API: ``POST /api/submissions`` (multipart ``file``, ``model``, ``agency``), ``GET
/api/submissions`` and ``/api/submissions/{id}``, ``POST /api/submissions/{id}/decisions``,
``GET /api/health``. Pages: ``/`` (queue), ``/upload``, ``/submissions/{id}`` (review),
``/submissions/{id}/letter`` and ``letter.md|.docx|.pdf``, ``/login``.
With a token, the API needs ``Authorization: Bearer TOKEN`` (401 without, 403 wrong) and the
pages a login; every form carries a CSRF token; cross-origin writes are refused.

Exports: create_app(desk) -> Starlette.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import quote, urlsplit

from starlette.applications import Starlette
from starlette.datastructures import UploadFile
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from .pages import Pages
from .review import DecisionError
from .security import (
    CSRF_COOKIE,
    SESSION_COOKIE,
    TOO_LARGE,
    LimitBody,
    SecurityHeaders,
    too_large_message,
)
from .service import Desk, NotFound, SubmitError, decide, submission_view, submit

__all__ = ["create_app"]

Handler = Callable[[Request], Awaitable[Response]]


def _error(status: int, message: str, **headers: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status, headers=headers or None)


def _same_origin(request: Request) -> bool:
    """No Origin header (curl, same-origin GET) or one naming this host."""
    origin = request.headers.get("origin")
    if origin is None:
        return request.headers.get("sec-fetch-site", "same-origin") in ("same-origin", "none")
    if origin == "null":  # a privacy-preserving browser: trust its Sec-Fetch-Site only
        return request.headers.get("sec-fetch-site") == "same-origin"
    return urlsplit(origin).netloc == request.headers.get("host", "")


def _api(desk: Desk, handler: Handler) -> Handler:
    async def guarded(request: Request) -> Response:
        status = desk.guard.bearer(request.headers.get("authorization"))
        if status == 401:
            return _error(
                401,
                "authentication required: send Authorization: Bearer TOKEN",
                **{"WWW-Authenticate": "Bearer"},
            )
        if status == 403:
            return _error(403, "the token is not valid")
        if request.method == "POST" and not _same_origin(request):
            return _error(403, "cross-origin requests are refused")
        try:
            return await handler(request)
        except NotFound:
            return _error(404, "no such submission")
        except DecisionError as err:
            return _error(400, str(err))

    return guarded


def _submission_id(request: Request) -> int:
    raw = request.path_params["sid"]
    if not raw.isdigit() or len(raw) > 12:
        raise NotFound(raw)
    return int(raw)


async def read_upload(request: Request) -> tuple[bytes, str, dict[str, str]]:
    """The uploaded file's bytes and name and the other form fields; SubmitError if none."""
    try:
        form = await request.form(max_files=1, max_fields=20)
    except ClientDisconnect as err:
        if request.scope.get(TOO_LARGE):
            raise SubmitError(413, too_large_message(request.app.state.desk.max_upload)) from err
        raise
    except Exception as err:  # noqa: BLE001 - malformed multipart bodies
        raise SubmitError(400, "the request is not a valid multipart/form-data upload") from err
    upload = form.get("file")
    fields = {k: v for k, v in form.items() if isinstance(v, str)}
    if not isinstance(upload, UploadFile):
        raise SubmitError(400, "no file: send the policy in the multipart field 'file'")
    data = await upload.read()
    name = upload.filename or ""
    await form.close()
    return data, name, fields


def api_routes(desk: Desk) -> list[Route]:
    async def health(request: Request) -> Response:
        workers = desk.pool.status() if desk.pool else []
        return JSONResponse({"status": "ok", "workers": workers, "counts": desk.store.counts()})

    async def create(request: Request) -> Response:
        try:
            data, name, fields = await read_upload(request)
            result, created = submit(
                desk,
                data,
                name,
                model=fields.get("model", "auto"),
                agency=fields.get("agency", ""),
            )
        except SubmitError as err:
            return _error(err.status, err.message)
        return JSONResponse(result, status_code=201 if created else 200)

    async def listing(request: Request) -> Response:
        rows = desk.store.submissions()
        keys = ("id", "status", "agency", "filename", "model", "tool_verdict", "previous_id")
        return JSONResponse({"submissions": [{k: r[k] for k in keys} for r in rows]})

    async def show(request: Request) -> Response:
        return JSONResponse(submission_view(desk, _submission_id(request)))

    async def decisions(request: Request) -> Response:
        sid = _submission_id(request)
        try:
            payload = json.loads(await request.body())
        except ValueError:
            return _error(
                400, 'the body must be JSON: {"model_ref" or "requirement_id", "decision", "note"}'
            )
        if not isinstance(payload, dict):
            return _error(400, "the body must be a JSON object")
        reviewer = str(payload.get("reviewer") or "api")
        return JSONResponse(decide(desk, sid, payload, reviewer), status_code=201)

    return [
        Route("/api/health", _api(desk, health)),
        Route("/api/submissions", _api(desk, create), methods=["POST"]),
        Route("/api/submissions", _api(desk, listing), methods=["GET"]),
        Route("/api/submissions/{sid}", _api(desk, show)),
        Route("/api/submissions/{sid}/decisions", _api(desk, decisions), methods=["POST"]),
    ]


class PageGuard:
    """Login and CSRF for the pages (ASGI middleware over the page routes only)."""

    def __init__(self, app: Any, desk: Desk) -> None:
        self.app, self.desk = app, desk

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["path"].startswith("/api/"):
            await self.app(scope, receive, send)
            return
        request = Request(scope, receive)
        guard = self.desk.guard
        open_path = scope["path"] in ("/login", "/static/serve.css")
        bearer_ok = guard.required and guard.bearer(request.headers.get("authorization")) == 200
        if (
            not open_path
            and not bearer_ok
            and not guard.session_ok(request.cookies.get(SESSION_COOKIE))
        ):
            if scope["method"] in ("GET", "HEAD"):
                target = "/login?next=" + quote(scope["path"], safe="/")
                await RedirectResponse(target, status_code=303)(scope, receive, send)
            else:
                await _error(401, "log in first")(scope, receive, send)
            return
        if scope["method"] not in ("GET", "HEAD") and not _same_origin(request):
            await Response("cross-origin form posts are refused", 403)(scope, receive, send)
            return
        cookie = request.cookies.get(CSRF_COOKIE)
        fresh = None
        if not cookie:
            cookie = fresh = secrets.token_hex(16)
        scope.setdefault("state", {})["csrf"] = guard.csrf_token(cookie)
        scope["state"]["csrf_cookie"] = cookie

        async def with_cookie(message: Any) -> None:
            if fresh and message["type"] == "http.response.start":
                value = f"{CSRF_COOKIE}={fresh}; Path=/; HttpOnly; SameSite=Strict"
                message = {
                    **message,
                    "headers": [*message.get("headers", []), (b"set-cookie", value.encode())],
                }
            await send(message)

        await self.app(scope, receive, with_cookie)


def create_app(desk: Desk) -> Starlette:
    """The ASGI application over ``desk`` (its store, worker pool, guard and limits)."""
    pages = Pages(desk)
    app = Starlette(routes=[*api_routes(desk), *pages.routes()])
    app.state.desk = desk
    guarded = PageGuard(app, desk)
    limited = LimitBody(guarded, desk.max_upload + 64 * 1024)
    return SecurityHeaders(limited)  # type: ignore[return-value]
