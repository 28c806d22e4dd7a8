"""Hostile and huge inputs, made on the fly: the cases of the hostile-input suite.

Each case writes one file (or special file) into a folder and says what a correct run of
``policydiff ARGS`` does with it: ``ok`` (exit 0 or 3, a report) or ``error`` (exit 1 and one
line naming the file, with the words listed), within ``seconds`` (the issue's bound; tests
allow more on a loaded machine) and under the 1.5 GB memory ceiling. ``tests/test_hostile_input.py``
runs them all; ``run()`` is the ``make bench`` module that times each one.

Exports: Case, CASES, run(quick=False) -> dict.
"""

from __future__ import annotations

import io
import os
import tempfile
import time
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
POST = ROOT / "model_policy" / "post-sro.txt"


@dataclass(frozen=True)
class Case:
    """One hostile input: how to make it, the command, and what a correct run does."""

    name: str
    make: Callable[[Path], Path]
    expect: str  # "ok" or "error"
    seconds: float  # the bound a user may expect (the figure where it gives one)
    words: tuple[str, ...] = ()  # words the one-line error must contain
    args: tuple[str, ...] = ("audit", "{file}", "--format", "json")
    check: Callable[[str], bool] | None = field(default=None)  # on stdout, for "ok"


def _write(folder: Path, name: str, data: bytes | str) -> Path:
    path = folder / name
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


# ----------------------------------------------------------------------------- text files


def _minn_stat(folder: Path) -> Path:
    return _write(folder, "minn-stat.txt", "Minn. Stat. " * 8000)


def _items(folder: Path) -> Path:
    body = "\n".join(f"{i}. The SRO shall follow rule {i} of this policy." for i in range(1, 20001))
    return _write(folder, "items.txt", "POLICY 1\n\n" + body + "\n")


def _blank_items(folder: Path) -> Path:
    body = "\n\n".join(f"Item {i} shall apply to every school." for i in range(50000))
    return _write(folder, "blank-items.txt", body)


def _brackets(folder: Path) -> Path:
    return _write(folder, "brackets.md", "[" * 100_000 + "\n")


def _paren_depth(folder: Path) -> Path:
    return _write(folder, "paren-depth.txt", "(a) The SRO shall act.\n" * 1000)


def _dotted_depth(folder: Path) -> Path:
    lines = [".".join(["1"] * (d + 2)) + " The SRO shall act." for d in range(1200)]
    return _write(folder, "dotted-depth.txt", "\n".join(lines) + "\n")


def _long_dotted_label(folder: Path) -> Path:
    """A label-only line of 4,000 dotted parts heading 60 items (a fuzzed case: every tail of
    every ref was kept for cross-references, cubic in the depth: 11 s, now bounded)."""
    label = ".".join(["1"] * 4000) + "."
    items = "\n".join(f"({chr(97 + d % 26)}) Item {d} shall apply." for d in range(60))
    policy = (ROOT / "model_policy" / "post-sro.txt").read_text(encoding="utf-8")
    return _write(folder, "long-dotted-label.txt", f"{policy}\n\n{label}\n{items}\n")


def _big_labels(folder: Path) -> Path:
    body = "\n".join(f"{i}. The SRO shall follow rule {i}." for i in range(995, 1010))
    return _write(folder, "big-labels.txt", "POLICY 2\n\n" + body + "\n")


def _long_paragraph(folder: Path) -> Path:
    return _write(folder, "long-paragraph.txt", "The SRO shall act and " * 60_000 + "stop.\n")


def _whitespace_bomb(folder: Path) -> Path:
    return _write(folder, "whitespace.txt", "a" + " \n" * 500_000 + "b\n")


def _utf16_no_bom(folder: Path) -> Path:
    return _write(folder, "utf16.txt", POST.read_text(encoding="utf-8").encode("utf-16-le"))


def _one_bad_byte(folder: Path) -> Path:
    data = POST.read_bytes().replace(b"Minn. Stat.", b"Minn. Stat. \xa7", 1) + b"\xff\n"
    return _write(folder, "one-bad-byte.txt", data)


# ----------------------------------------------------------------------------- special files


def _fifo(folder: Path) -> Path:
    path = folder / "pipe.txt"
    os.mkfifo(path)
    return path


def _dev_zero(folder: Path) -> Path:
    return Path("/dev/zero")


def _nothing(folder: Path) -> Path:
    return folder


# ----------------------------------------------------------------------------- DOCX


_CT = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
    'package/2006/content-types"><Default Extension="rels" ContentType="application/'
    'vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType='
    '"application/xml"/><Override PartName="/word/document.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'
)
_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.'
    'org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats'
    '.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>'
    "</Relationships>"
)
_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _docx(parts: dict[str, bytes | Callable[[Any], None]]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", _CT)
        zf.writestr("_rels/.rels", _RELS)
        for name, data in parts.items():
            if callable(data):
                with zf.open(name, "w") as handle:
                    data(handle)
            else:
                zf.writestr(name, data)
    return buf.getvalue()


def _docx_zip_bomb(folder: Path) -> Path:
    def body(handle: Any) -> None:
        handle.write(
            f'<?xml version="1.0"?><w:document xmlns:w="{_W}"><w:body><w:p><w:r><w:t>'.encode()
        )
        chunk = b"A" * (1 << 20)
        for _ in range(400):  # 400 MB of text in one run, about 0.4 MB compressed
            handle.write(chunk)
        handle.write(b"</w:t></w:r></w:p></w:body></w:document>")

    return _write(folder, "bomb.docx", _docx({"word/document.xml": body}))


def _docx_tracked_insertion(folder: Path) -> Path:
    xml = (
        f'<?xml version="1.0"?><w:document xmlns:w="{_W}"><w:body>'
        "<w:p><w:r><w:t>I. PURPOSE</w:t></w:r></w:p>"
        '<w:p><w:r><w:t xml:space="preserve">The SRO shall </w:t></w:r>'
        '<w:ins w:id="1" w:author="a" w:date="2026-01-01T00:00:00Z"><w:r>'
        '<w:t xml:space="preserve">INSERTEDWORD </w:t></w:r></w:ins>'
        '<w:del w:id="2" w:author="a" w:date="2026-01-01T00:00:00Z"><w:r>'
        '<w:delText xml:space="preserve">DELETEDWORD </w:delText></w:r></w:del>'
        "<w:r><w:t>assess the condition of the student.</w:t></w:r></w:p>"
        "</w:body></w:document>"
    )
    return _write(folder, "tracked.docx", _docx({"word/document.xml": xml.encode()}))


# ----------------------------------------------------------------------------- PDF


def _pdf(content: bytes, *, compress: bool = True) -> bytes:
    """A one-page PDF whose content stream is ``content`` (deflated), xref included."""
    stream = zlib.compress(content, 9) if compress else content
    filt = b"/Filter /FlateDecode " if compress else b""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< "
        + filt
        + b"/Length "
        + str(len(stream)).encode()
        + b" >>\nstream\n"
        + stream
        + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objects, 1):
        offsets.append(out.tell())
        out.write(f"{i} 0 obj\n".encode() + body + b"\nendobj\n")
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    for off in offsets:
        out.write(f"{off:010d} 00000 n \n".encode())
    out.write(
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    )
    return out.getvalue()


def _pdf_flate_bomb(folder: Path) -> Path:
    content = b"BT /F1 12 Tf 72 720 Td (The SRO shall act.) Tj ET\n" + b" " * (1 << 30)
    return _write(folder, "flate-bomb.pdf", _pdf(content))


def _pdf_million_glyphs(folder: Path) -> Path:
    content = b"BT /F1 1 Tf 0 0 Td (" + b"x" * 1_000_000 + b") Tj ET"
    return _write(folder, "glyphs.pdf", _pdf(content))


def _pdf_rotated(folder: Path) -> Path:
    lines = [s for s in POST.read_text(encoding="utf-8").splitlines() if s.strip()][:60]
    ops = [b"BT /F1 9 Tf"]
    for i, line in enumerate(lines):
        safe = line[:110].encode("latin-1", "replace").replace(b"\\", b"").replace(b"(", b"[")
        safe = safe.replace(b")", b"]")
        # text rotated 90 degrees: each line a column running up the page
        ops.append(f"0 1 -1 0 {40 + i * 9} 40 Tm".encode() + b" (" + safe + b") Tj")
    ops.append(b"ET")
    return _write(folder, "rotated.pdf", _pdf(b"\n".join(ops)))


# ----------------------------------------------------------------------------- models


def _model(folder: Path, name: str, data: bytes) -> Path:
    return _write(folder, name, data)


def _policy(folder: Path) -> Path:
    return _write(folder, "policy.txt", POST.read_bytes())


def _model_case(name: str, data: Callable[[], bytes], words: tuple[str, ...]) -> Case:
    def make(folder: Path) -> Path:
        _model(folder, name, data())
        return _policy(folder)

    return Case(
        f"model-{name}",
        make,
        "error",
        5,
        words,
        args=("audit", "{file}", "--model", "{folder}/" + name),
    )


def _has(*needles: str) -> Callable[[str], bool]:
    return lambda out: all(n in out for n in needles)


CASES: tuple[Case, ...] = (
    Case("minn-stat-8000", _minn_stat, "ok", 2),
    Case("numbered-items-20000", _items, "ok", 10),
    Case("blank-separated-items-50000", _blank_items, "ok", 20),
    Case("brackets-100k", _brackets, "ok", 5),
    Case("paren-depth-1000", _paren_depth, "ok", 10),
    Case("dotted-depth-1200", _dotted_depth, "ok", 10),
    Case("dotted-label-4000-parts", _long_dotted_label, "ok", 5),
    Case(
        "labels-over-999",
        _big_labels,
        "ok",
        5,
        args=("segment", "{file}"),
        check=_has("1000 ", "1009 "),
    ),
    Case(
        "paragraph-1.3M-chars",
        _long_paragraph,
        "error",
        20,
        ("long-paragraph.txt", "E109", "POLICYDIFF_MAX_PARAGRAPH_CHARS"),
    ),
    Case("whitespace-bomb-1MB", _whitespace_bomb, "ok", 5),
    Case("utf16-without-bom", _utf16_no_bom, "ok", 5, check=_has('"post-sro"')),
    Case("one-invalid-byte", _one_bad_byte, "ok", 5, check=lambda out: "\u00c2\u00a7" not in out),
    Case("fifo", _fifo, "error", 5, ("pipe.txt",)),
    Case("dev-zero", _dev_zero, "error", 5, ("/dev/zero",)),
    Case("empty-path", _nothing, "error", 5, ("empty",), args=("audit", "")),
    Case("docx-zip-bomb", _docx_zip_bomb, "error", 5, ("bomb.docx",)),
    Case(
        "docx-tracked-insertion",
        _docx_tracked_insertion,
        "ok",
        5,
        args=("segment", "{file}"),
        check=lambda out: "INSERTEDWORD" in out and "DELETEDWORD" not in out,
    ),
    Case("pdf-flate-bomb", _pdf_flate_bomb, "error", 5, ("flate-bomb.pdf",)),
    Case("pdf-million-glyphs", _pdf_million_glyphs, "error", 5, ("glyphs.pdf",)),
    Case(
        "pdf-rotated-text",
        _pdf_rotated,
        "ok",
        5,
        args=("segment", "{file}", "--format", "json"),
        check=_has("The primary purpose of this policy", "should be carefully selected"),
    ),
    _model_case("binary.txt", lambda: os.urandom(3000), ("binary.txt",)),
    _model_case("empty.txt", lambda: b"", ("empty.txt",)),
    _model_case(
        "utf16.txt", lambda: POST.read_text(encoding="utf-8").encode("utf-16"), ("utf16.txt",)
    ),
    _model_case("model.pdf", lambda: _pdf(b"BT /F1 12 Tf 72 720 Td (x) Tj ET"), ("model.pdf",)),
)


def command(case: Case, folder: Path) -> list[str]:
    """The command line of ``case`` with its file made in ``folder``."""
    path = case.make(folder)
    return [a.replace("{file}", str(path)).replace("{folder}", str(folder)) for a in case.args]


def run(
    quick: bool = False, names: tuple[str, ...] | None = None, repeat: int = 1
) -> dict[str, Any]:
    """``make bench`` module: every case (or those ``names``) ``repeat`` times, timed,
    under the memory ceiling. The package's bytecode is written first, as an installed
    tool has it (``engine_speed._compile_package``)."""
    from bench.engine_speed import _compile_package
    from bench.fence import run_cli

    _compile_package()
    rows = []
    for case in [c for c in CASES if names is None or c.name in names] * repeat:
        with tempfile.TemporaryDirectory() as tmp:
            args = command(case, Path(tmp))
            start, cpu0 = time.perf_counter(), _children_cpu()
            try:
                result = run_cli(args, timeout=max(60, case.seconds * 10))
                code, err = result.code, result.err.strip().splitlines()
                out_ok = case.check is None or case.check(result.stdout.decode("utf-8", "replace"))
            except Exception as exc:  # noqa: BLE001 - a hang is a result to report
                code, err, out_ok = -1, [f"{type(exc).__name__}"], False
            seconds = time.perf_counter() - start
            cpu = _children_cpu() - cpu0
        if case.expect == "ok":
            passed = code in (0, 3) and out_ok
        else:
            passed = code == 1 and len(err) == 1 and "Traceback" not in " ".join(err)
        rows.append(
            {
                "case": case.name,
                "expect": case.expect,
                "code": code,
                "seconds": round(seconds, 2),
                "cpu": round(cpu, 2),
                "bound": case.seconds,
                "passed": passed,
                "message": err[-1][:160] if err else "",
            }
        )
    failed = [r for r in rows if not r["passed"]]
    slowest = max(rows, key=lambda r: r["seconds"])
    lines = [
        "**Hostile input** (`bench/hostile_cases.py`: each case through `python -m analyzer` "
        "under a 1.5 GB address-space limit; wall and CPU seconds include start-up)",
        "",
        "| case | expected | exit | seconds | CPU seconds | bound | result |",
        "|---|---|---:|---:|---:|---:|---|",
    ]
    for r in rows:
        verdict = "pass" if r["passed"] else "FAIL"
        lines.append(
            f"| {r['case']} | {r['expect']} | {r['code']} | {r['seconds']} | {r['cpu']} | "
            f"{r['bound']} | {verdict} |"
        )
    lines.append(
        f"\n{len(rows)} cases, {len(failed)} failed; slowest {slowest['case']} "
        f"({slowest['seconds']} s)."
    )
    return {"rows": rows, "failed": len(failed), "markdown": "\n".join(lines)}


def _children_cpu() -> float:
    import resource

    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


TIMED = ("minn-stat-8000", "numbered-items-20000", "blank-separated-items-50000")


def engine_times(names: tuple[str, ...] = TIMED) -> dict[str, Any]:
    """The engine alone on the time-bound cases: ``analyzer.api.audit_path`` in this process
    after a warm-up (no interpreter, spaCy or model start-up), wall and CPU seconds."""
    from analyzer.api import audit_path, audit_text

    audit_text("The school resource officer shall act.\n\nThe SRO may not search.")
    rows = []
    for case in CASES:
        if case.name not in names:
            continue
        with tempfile.TemporaryDirectory() as tmp:
            path = case.make(Path(tmp))
            start, cpu = time.perf_counter(), time.process_time()
            audit_path(path)
            rows.append(
                {
                    "case": case.name,
                    "seconds": round(time.perf_counter() - start, 2),
                    "cpu": round(time.process_time() - cpu, 2),
                    "bound": case.seconds,
                }
            )
    lines = [
        "| case | engine seconds | engine CPU seconds | bound (with start-up) |",
        "|---|---:|---:|---:|",
        *(f"| {r['case']} | {r['seconds']} | {r['cpu']} | {r['bound']} |" for r in rows),
    ]
    return {"rows": rows, "markdown": "\n".join(lines)}


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engine", action="store_true", help="the engine alone, in-process")
    parser.add_argument("--case", action="append", help="only this case (repeatable)")
    parser.add_argument("--repeat", type=int, default=1, help="run each case N times")
    options = parser.parse_args()
    if options.engine:
        print(engine_times()["markdown"])
    else:
        names = tuple(options.case) if options.case else None
        print(run(names=names, repeat=options.repeat)["markdown"])
