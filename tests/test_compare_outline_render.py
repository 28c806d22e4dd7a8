"""Titles, preamble lines and headings (the compare JSON's ``outline`` rows) in the reports a
lawyer reads: text, HTML and Markdown show the changed ones where they stand, with a redline,
escaped; unchanged ones are left out (text, Markdown) or hidden like unchanged clauses (HTML)."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path
from typing import Any

import pytest

from analyzer.compare import compare_paths
from analyzer.compare_render import (
    outline_redline,
    reading_order,
    render_html,
    render_markdown,
    render_text,
)

BODY = """

1. Duties

1.1 The SRO shall report every incident to the principal within 10 days.

1.2 The SRO shall wear a uniform while on duty at a school.

2. {training}

2.1 The SRO shall complete forty hours of training each year.

3. {third}

3.1 {last}
"""
OLD = "Policy on School Officers" + BODY.format(
    training="Training",
    third="Records",
    last="The SRO shall keep a record of every arrest made at a school.",
)
NEW = "Policy on School Officers & <b>Staff</b>" + BODY.format(
    training="Training and <script>alert(1)</script> Certification",
    third="Complaints *urgent*",
    last="A parent may file a complaint with the chief of police at any time.",
)


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    d = tmp_path_factory.mktemp("outline")
    (d / "old.txt").write_text(OLD, encoding="utf-8")
    (d / "new.txt").write_text(NEW, encoding="utf-8")
    return compare_paths(Path(d / "old.txt"), Path(d / "new.txt"))


def test_fixture_has_every_kind_of_outline_row(data: dict[str, Any]) -> None:
    got = {(r["kind"], r["status"], r["old_text"], r["new_text"]) for r in data["outline"]}
    assert ("front", "edited", "Policy on School Officers",
            "Policy on School Officers & <b>Staff</b>") in got  # fmt: skip
    assert ("heading", "unchanged", "1. Duties", "1. Duties") in got
    assert ("heading", "deleted", "3. Records", None) in got
    assert ("heading", "inserted", None, "3. Complaints *urgent*") in got
    heading = next(r for r in data["outline"] if r["old_text"] == "2. Training")
    assert heading["old_location"]["line"] == 9 and heading["new_location"]["line"] == 9


def test_outline_redline_marks_only_the_changed_words() -> None:
    row = {"old_text": "1003.1 PURPOSE AND SCOPE", "new_text": "2 PURPOSE"}
    assert outline_redline(row) == [
        ["delete", "1003.1"], ["insert", " 2"], ["equal", " PURPOSE"], ["delete", " AND SCOPE"]
    ]  # fmt: skip
    assert outline_redline({"old_text": None, "new_text": "New"}) == [["insert", "New"]]
    assert outline_redline({"old_text": "Old", "new_text": None}) == [["delete", "Old"]]


def test_headings_stand_before_the_first_clause_printed_after_them(data: dict[str, Any]) -> None:
    order = [(kind, row["old_ref"], row["new_ref"]) for kind, row in reading_order(data)]
    assert order[0] == ("outline", "\u00a7front0", "\u00a7front0")  # the title first
    assert order.index(("outline", "2", "2")) == order.index(("clause", "2.1", "2.1")) - 1
    assert order.index(("outline", "3", None)) < order.index(("clause", "3.1", None))
    assert order.index(("outline", None, "3")) < order.index(("clause", None, "3.1"))
    assert len([k for k, *_ in order if k == "outline"]) == len(data["outline"])


def test_text_shows_changed_titles_and_headings_with_a_redline(data: dict[str, Any]) -> None:
    text = render_text(data)
    assert "Titles and headings: 1 unchanged, 2 edited, 1 inserted, 1 deleted, 0 moved" in text
    assert "  * title edited\n      Policy on School Officers {+& <b>Staff</b>+}" in text
    assert "  * heading 2 edited\n      2. Training {+and <script>alert(1)</script>" in text
    assert "  - heading 3 deleted\n      3. Records" in text
    assert "  + heading 3 inserted\n      3. Complaints *urgent*" in text
    assert "1. Duties" not in text  # unchanged: left out, like unchanged clauses
    assert text.index("heading 2 edited") < text.index("3.1 (l.")


def test_html_shows_changed_headings_escaped_and_hides_unchanged(data: dict[str, Any]) -> None:
    html = render_html(data)
    assert "<script>alert(1)</script>" not in html
    assert "<b>Staff</b>" not in html
    assert "<ins>and &lt;script&gt;alert(1)&lt;/script&gt; Certification</ins>" in html
    assert "<ins>&amp; &lt;b&gt;Staff&lt;/b&gt;</ins>" in html
    assert "<del>3. Records</del>" in html and "<ins>3. Complaints *urgent*</ins>" in html
    articles = re.findall(r'<article class="prov outline[^"]*"[^>]*>', html)
    assert len(articles) == 5
    unchanged = [a for a in articles if 'data-status="unchanged"' in a]
    assert len(unchanged) == 1 and unchanged[0].endswith(" hidden>")
    changed = [a for a in articles if a not in unchanged]
    assert all('data-substantive="true"' in a and " hidden" not in a for a in changed)
    side_by_side = html[html.index('id="side-by-side"') :]
    assert '<tr class="unchanged outline">' in side_by_side  # every heading in the whole view
    assert "<del>3. Records</del>" in side_by_side


def test_markdown_shows_changed_headings_escaped(data: dict[str, Any]) -> None:
    md = render_markdown(data)
    assert "Titles and headings: 1 unchanged, 2 edited, 1 inserted, 1 deleted, 0 moved." in md
    assert "### Heading 2: edited\n\nOld p. 1, line 9; new p. 1, line 9." in md
    assert "### Heading (new) 3: inserted" in md
    assert "strengthened.\n\nTitles and headings:" in md  # a paragraph of its own
    assert "### Front matter title: edited" in md and "### Heading 3: deleted" in md
    assert "<script>" not in md and "<b>Staff</b>" not in md
    assert "\\*urgent\\*" in md  # the document's markup shown, not applied
    assert "### Heading 1:" not in md


def test_docx_redline_shows_edited_headings_as_tracked_word_changes(
    data: dict[str, Any], tmp_path: Path
) -> None:
    from analyzer.docx_redline import accept_all, reject_all
    from analyzer.redline_plan import compare_docx

    (tmp_path / "old.txt").write_text(OLD, encoding="utf-8")
    (tmp_path / "new.txt").write_text(NEW, encoding="utf-8")
    _, blob = compare_docx(tmp_path / "old.txt", tmp_path / "new.txt")
    xml = zipfile.ZipFile(io.BytesIO(blob)).read("word/document.xml").decode("utf-8")
    heading = next(p for p in re.findall(r"<w:p[ >].*?</w:p>", xml) if "Certification" in p)
    assert '<w:t xml:space="preserve">2. Training</w:t></w:r><w:ins ' in heading  # kept, edited
    assert "&lt;script&gt;" in heading and "<script>" not in xml
    assert '<w:delText xml:space="preserve">3. Records</w:delText>' in xml
    assert "2. Training and <script>alert(1)</script> Certification" in accept_all(blob)
    assert "2. Training" in reject_all(blob) and "3. Records" in reject_all(blob)
