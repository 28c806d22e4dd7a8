"""The HTML pages of ``policydiff serve``: the queue, the upload form, the review page, the
letter and the login, server-rendered from ``analyzer/templates/serve`` (Jinja2, autoescape,
StrictUndefined). Forms post to page routes that call the same operations as the API.

Exports: Pages (its ``routes()``), environment().
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from ..render import anchor, describe_change, redline_html, verdict_label
from .letter import render_markdown, where_words
from .letter_files import render_docx, render_pdf
from .review import DecisionError
from .security import SESSION_COOKIE, SESSION_SECONDS
from .service import (
    Desk,
    NotFound,
    SubmitError,
    decide,
    letter_for,
    queue_rows,
    review_state,
    submit,
)

__all__ = ["Pages", "environment"]

REVIEWER_COOKIE = "pd_reviewer"
LABELS = {
    "pending": "Pending review",
    "needs-review": "Needs review",
    **{
        k: verdict_label(k)
        for k in ("identical", "substantially-similar", "not-substantially-similar")
    },
}
SORTS = {
    "newest": (lambda r: -r["id"]),
    "oldest": (lambda r: r["id"]),
    "agency": (lambda r: (r["agency"].lower(), -r["id"])),
    "open": (lambda r: (-(r["open"] or 0), -r["id"])),
    "verdict": (lambda r: (r["tool_verdict"] or "~", -r["id"])),
}
FILES = {
    "md": ("text/markdown; charset=utf-8", "md"),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx"),
    "pdf": ("application/pdf", "pdf"),
}


def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("analyzer", "templates/serve"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        label=lambda v: LABELS.get(str(v), str(v)),
        where=where_words,
        anchor=anchor,
        describe_change=describe_change,
        redline_html=redline_html,
    )
    return env


def _safe_next(target: str | None) -> str:
    if not target or not target.startswith("/") or target.startswith("//"):
        return "/"
    parts = urlsplit(target)
    return parts.path if not parts.netloc and not parts.scheme else "/"


def _sid(request: Request) -> int:
    raw = request.path_params["sid"]
    if not raw.isdigit() or len(raw) > 12:
        raise NotFound(raw)
    return int(raw)


class Pages:
    def __init__(self, desk: Desk) -> None:
        self.desk = desk
        self.env = environment()

    # ------------------------------------------------------------ helpers

    def render(self, request: Request, name: str, code: int = 200, **ctx: Any) -> Response:
        template = self.env.get_template(name)
        html = template.render(
            csrf=request.state.csrf,
            reviewer=request.cookies.get(REVIEWER_COOKIE, ""),
            login=self.desk.guard.required,
            **ctx,
        )
        return HTMLResponse(html, status_code=code)

    def problem(self, request: Request, status: int, message: str) -> Response:
        return self.render(request, "error.html", code=status, message=message, status=status)

    async def form(self, request: Request) -> FormData | None:
        form = await request.form(max_files=0, max_fields=20)
        cookie = request.state.csrf_cookie
        if not self.desk.guard.csrf_ok(cookie, str(form.get("csrf") or "")):
            return None
        return form

    def routes(self) -> list[Route]:
        return [
            Route("/", self.queue),
            Route("/static/serve.css", self.css),
            Route("/login", self.login, methods=["GET", "POST"]),
            Route("/logout", self.logout, methods=["POST"]),
            Route("/upload", self.upload, methods=["GET", "POST"]),
            Route("/submissions/{sid}", self.review),
            Route("/submissions/{sid}/decisions", self.decide, methods=["POST"]),
            Route("/submissions/{sid}/letter", self.letter, methods=["GET", "POST"]),
            Route("/submissions/{sid}/letter.{fmt}", self.letter_file),
        ]

    # ------------------------------------------------------------ pages

    async def css(self, request: Request) -> Response:
        source, _, _ = self.env.loader.get_source(self.env, "serve.css")  # type: ignore[union-attr]
        return Response(source, media_type="text/css")

    async def login(self, request: Request) -> Response:
        target = _safe_next(request.query_params.get("next"))
        if request.method == "GET":
            return self.render(request, "login.html", next=target, message="")
        form = await self.form(request)
        if form is None:
            return self.problem(request, 403, "The form expired; reload the page and try again.")
        if not self.desk.guard.check_token(str(form.get("token") or "")):
            return self.render(
                request,
                "login.html",
                code=403,
                next=target,
                message="That access token is not valid.",
            )
        response = RedirectResponse(_safe_next(str(form.get("next") or "/")), status_code=303)
        response.set_cookie(
            SESSION_COOKIE,
            self.desk.guard.new_session(),
            max_age=SESSION_SECONDS,
            httponly=True,
            samesite="strict",
        )
        self._remember(response, str(form.get("reviewer") or ""))
        return response

    async def logout(self, request: Request) -> Response:
        if await self.form(request) is None:
            return self.problem(request, 403, "The form expired; reload the page and try again.")
        response = RedirectResponse("/login", status_code=303)
        response.delete_cookie(SESSION_COOKIE)
        return response

    def _remember(self, response: Response, reviewer: str) -> None:
        name = " ".join(reviewer.split())[:100]
        if name:
            response.set_cookie(
                REVIEWER_COOKIE,
                re.sub(r"[^\w .@-]", "", name),
                max_age=365 * 86400,
                httponly=True,
                samesite="strict",
            )

    async def queue(self, request: Request) -> Response:
        params = request.query_params
        status = params.get("status", "")
        verdict = params.get("verdict", "")
        query = params.get("q", "").strip().lower()[:100]
        sort = params.get("sort", "newest")
        rows = queue_rows(self.desk)
        if status:
            rows = [r for r in rows if r["status"] == status]
        if verdict:
            rows = [r for r in rows if verdict in (r["tool_verdict"], r["reviewer_verdict"])]
        if query:
            rows = [
                r for r in rows if query in f"{r['agency']} {r['filename']} {r['title']}".lower()
            ]
        rows = sorted(rows, key=SORTS.get(sort, SORTS["newest"]))
        return self.render(
            request,
            "queue.html",
            rows=rows,
            status=status,
            verdict=verdict,
            q=query,
            sort=sort if sort in SORTS else "newest",
            sorts=list(SORTS),
            counts=self.desk.store.counts(),
        )

    async def upload(self, request: Request) -> Response:
        if request.method == "GET":
            return self.render(request, "upload.html", models=self.desk.models, message="")
        from .app import read_upload

        try:
            data, name, fields = await read_upload(request)
            if not self.desk.guard.csrf_ok(request.state.csrf_cookie, fields.get("csrf")):
                return self.problem(
                    request, 403, "The form expired; reload the page and try again."
                )
            result, _ = submit(
                self.desk,
                data,
                name,
                model=fields.get("model", "auto"),
                agency=fields.get("agency", ""),
            )
        except SubmitError as err:
            return self.render(
                request,
                "upload.html",
                code=err.status,
                models=self.desk.models,
                message=err.message,
            )
        again = "?duplicate=1" if "duplicate_of" in result else ""
        return RedirectResponse(f"/submissions/{result['id']}{again}", status_code=303)

    async def review(self, request: Request) -> Response:
        try:
            row = self.desk.store.submission(_sid(request))
        except NotFound:
            row = None
        if row is None:
            return self.problem(request, 404, "No such submission.")
        state = review_state(self.desk, row)
        requirements = [i for i in state["items"] if i["kind"] == "requirement"]
        findings = [i for i in state["items"] if i["kind"] == "provision"]
        compare = row.get("compare")
        changed = [c for c in (compare or {}).get("clauses", []) if c.get("status") != "unchanged"]
        carried = sum(1 for d in state["decisions"] if d.get("carried_from"))
        return self.render(
            request,
            "review.html",
            s=row,
            audit=row.get("audit") or {},
            verdict=state["verdict"],
            requirements=requirements,
            findings=findings,
            compare=compare,
            changed=changed[:200],
            carried=carried,
            duplicate=request.query_params.get("duplicate") == "1",
        )

    async def decide(self, request: Request) -> Response:
        try:
            sid = _sid(request)
        except NotFound:
            return self.problem(request, 404, "No such submission.")
        form = await self.form(request)
        if form is None:
            return self.problem(request, 403, "The form expired; reload the page and try again.")
        kind = str(form.get("kind") or "")
        key = "model_ref" if kind == "provision" else "requirement_id"
        payload = {
            key: str(form.get("target") or ""),
            "decision": form.get("decision"),
            "note": str(form.get("note") or ""),
        }
        reviewer = str(form.get("reviewer") or request.cookies.get(REVIEWER_COOKIE) or "reviewer")
        try:
            decide(self.desk, sid, payload, reviewer)
        except NotFound:
            return self.problem(request, 404, "No such submission.")
        except DecisionError as err:
            return self.problem(request, 400, str(err))
        target = f"/submissions/{sid}#{anchor(kind[:1] + '-' + str(form.get('target') or ''))}"
        response = RedirectResponse(target, status_code=303)
        self._remember(response, str(form.get("reviewer") or ""))
        return response

    async def letter(self, request: Request) -> Response:
        try:
            sid = _sid(request)
            if request.method == "POST":
                form = await self.form(request)
                if form is None:
                    return self.problem(request, 403, "The form expired; reload the page.")
                settings = {
                    k: " ".join(str(form.get(k) or "").split())[:300]
                    for k in ("addressee", "date", "deadline", "signer", "signer_title")
                }
                self.desk.store.set_letter_settings(sid, settings)
                return RedirectResponse(f"/submissions/{sid}/letter", status_code=303)
            letter, settings = letter_for(self.desk, sid)
        except NotFound:
            return self.problem(request, 404, "No such submission.")
        except DecisionError as err:
            return self.problem(request, 409, str(err))
        return self.render(request, "letter.html", sid=sid, letter=letter, settings=settings)

    async def letter_file(self, request: Request) -> Response:
        fmt = request.path_params["fmt"]
        if fmt not in FILES:
            return self.problem(request, 404, "Letters come as .md, .docx or .pdf.")
        try:
            sid = _sid(request)
            letter, _ = letter_for(self.desk, sid)
        except NotFound:
            return self.problem(request, 404, "No such submission.")
        except DecisionError as err:
            return self.problem(request, 409, str(err))
        media, suffix = FILES[fmt]
        body: str | bytes
        if fmt == "md":
            body = render_markdown(letter)
        else:
            body = render_docx(letter) if fmt == "docx" else render_pdf(letter)
        name = f"deficiency-letter-{sid}.{suffix}"
        headers = {"Content-Disposition": f'attachment; filename="{name}"'}
        return Response(body, media_type=media, headers=headers)
