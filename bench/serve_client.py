"""A real ``policydiff serve`` in a subprocess on 127.0.0.1 (an ephemeral port) and a small
stdlib HTTP client, for the serve tests and the serve benchmark.

Exports: Server, Reply, multipart(fields, files) -> (body, content_type).
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")


def multipart(fields: dict[str, str], files: dict[str, tuple[str, bytes]]) -> tuple[bytes, str]:
    boundary = "pd" + secrets.token_hex(12)
    out = bytearray()
    for name, value in fields.items():
        out += f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode()
        out += value.encode() + b"\r\n"
    for name, (filename, data) in files.items():
        out += (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
            f'filename="{filename}"\r\nContent-Type: application/octet-stream\r\n\r\n'
        ).encode()
        out += data + b"\r\n"
    out += f"--{boundary}--\r\n".encode()
    return bytes(out), f"multipart/form-data; boundary={boundary}"


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)


class Server:
    """``policydiff serve --port 0`` on ``data``; ``url`` once it listens."""

    def __init__(
        self,
        data: Path,
        *,
        token: str | None = None,
        workers: int = 2,
        max_upload_mb: float = 1,
        extra: tuple[str, ...] = (),
    ) -> None:
        self.data, self.token, self.workers = data, token, workers
        self.max_upload_mb, self.extra = max_upload_mb, extra
        self.proc: subprocess.Popen[str] | None = None
        self.url = ""
        self.log = data.parent / f"{data.name}-server.log"

    def start(self, timeout: float = 60) -> Server:
        env = dict(os.environ)
        if self.token:
            env["POLICYDIFF_TOKEN"] = self.token
        command = [
            sys.executable,
            "-m",
            "analyzer",
            "serve",
            "--port",
            "0",
            "--data",
            str(self.data),
            "--workers",
            str(self.workers),
            "--max-upload-mb",
            str(self.max_upload_mb),
            *self.extra,
        ]
        self._err = open(self.log, "a")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=self._err, text=True, cwd=ROOT, env=env
        )
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if "listening on" not in line:
            self.stop()
            raise RuntimeError(f"server did not start: {line!r} {self.log.read_text()}")
        self.url = line.split("listening on ", 1)[1].split()[0].rstrip("/")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            health = self.get("/api/health")
            if health.status == 200 and all(w["pid"] for w in health.json()["workers"]):
                return self
            time.sleep(0.1)
        raise RuntimeError("server did not answer /api/health")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc and self.proc.stdout:
            self.proc.stdout.close()
        if getattr(self, "_err", None):
            self._err.close()

    def restart(self) -> Server:
        self.stop()
        return self.start()

    # ------------------------------------------------------------ requests

    def request(
        self,
        method: str,
        path: str,
        *,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
        auth: bool = True,
    ) -> Reply:
        headers = dict(headers or {})
        if auth and self.token and "Authorization" not in headers:
            headers["Authorization"] = f"Bearer {self.token}"
        req = urllib.request.Request(self.url + path, data=body, method=method, headers=headers)
        try:
            with _OPENER.open(req, timeout=60) as resp:
                return Reply(
                    resp.status, {k.lower(): v for k, v in resp.headers.items()}, resp.read()
                )
        except urllib.error.HTTPError as err:
            return Reply(err.code, {k.lower(): v for k, v in err.headers.items()}, err.read())

    def get(self, path: str, **kw: Any) -> Reply:
        return self.request("GET", path, **kw)

    def post_json(self, path: str, payload: Any, **kw: Any) -> Reply:
        headers = {"Content-Type": "application/json", **kw.pop("headers", {})}
        return self.request("POST", path, body=json.dumps(payload).encode(), headers=headers, **kw)

    def upload(
        self, name: str, data: bytes, *, agency: str = "", model: str = "auto", **kw: Any
    ) -> Reply:
        body, ctype = multipart({"agency": agency, "model": model}, {"file": (name, data)})
        headers = {"Content-Type": ctype, **kw.pop("headers", {})}
        return self.request("POST", "/api/submissions", body=body, headers=headers, **kw)

    def wait(
        self,
        sid: int,
        timeout: float = 120,
        until: tuple[str, ...] = ("done", "failed"),
    ) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            data = self.get(f"/api/submissions/{sid}").json()
            if data["status"] in until:
                return data  # type: ignore[no-any-return]
            time.sleep(0.1)
        raise TimeoutError(f"submission {sid} still {data['status']}")
