"""The shape of the package: no module over 600 lines, no import cycle between modules (at
import time: imports inside functions and under ``TYPE_CHECKING`` are the deliberate way to
break one), and no stage reading the environment (only the entry points named below)."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "analyzer"
MODULES = sorted(p for p in PACKAGE.rglob("*.py"))
# where an environment variable may be read: entry points and their settings, never a stage
ENV_READERS = {
    "baselines.py",  # POLICYDIFF_MODEL_DIR, read by the context at the entry point
    "demo.py",  # POLICYDIFF_CORPUS_DIR
    "docx_redline.py",  # SOURCE_DATE_EPOCH (reproducible revision dates)
    "pdf_render.py",  # POLICYDIFF_CHROMIUM
    "read_limits.py",  # the reading limits (named settings)
    "cli.py",
}


def _name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _top_level_imports(path: Path) -> set[str]:
    """Modules of the package imported when ``path`` is imported."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = _name(path) if path.name == "__init__.py" else _name(path).rpartition(".")[0]
    out: set[str] = set()
    for node in tree.body:  # module level only: not inside functions or TYPE_CHECKING blocks
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                module = ".".join([*base, node.module] if node.module else base)
            else:
                module = node.module or ""
            if module.startswith("analyzer"):
                out.add(module)
                out.update(f"{module}.{a.name}" for a in node.names)
        elif isinstance(node, ast.Import):
            out.update(a.name for a in node.names if a.name.startswith("analyzer"))
    return out


def test_no_module_over_600_lines() -> None:
    long = {
        str(p.relative_to(PACKAGE)): n
        for p in MODULES
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > 600
    }
    assert not long, long


def test_no_import_cycle_between_modules() -> None:
    names = {_name(p): p for p in MODULES}
    graph = {
        m: {i for i in _top_level_imports(p) if i in names and i != m} for m, p in names.items()
    }
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(m: str) -> None:
        state[m] = 1
        stack.append(m)
        for n in sorted(graph[m]):
            if state.get(n) == 1:
                cycle = stack[stack.index(n) :] + [n]
                raise AssertionError("import cycle: " + " -> ".join(cycle))
            if n not in state:
                visit(n)
        stack.pop()
        state[m] = 2

    for m in sorted(graph):
        if m not in state:
            visit(m)


def test_only_entry_points_read_the_environment() -> None:
    readers = {
        str(p.relative_to(PACKAGE))
        for p in MODULES
        if "os.environ" in (t := p.read_text(encoding="utf-8")) or "getenv(" in t
    }
    assert readers <= ENV_READERS | {f"serve/{n}" for n in ("app.py", "__main__.py")}, readers
