"""The compare report a lawyer reads: changed clauses only by default, summary refs linked to
their clauses, a side-by-side view of the whole document, citation changes named in context."""

from __future__ import annotations

from pathlib import Path

import pytest

from analyzer.compare import compare_paths
from analyzer.compare_render import link_refs, readable, render_html, render_text

OLD = """Policy 1

1. Duties

1.1 The SRO shall report under paragraph (a) of section 2 within 10 days.

1.2 The SRO shall follow Minn. Stat. 626.8482, subd. 3.

1.3 The SRO shall wear a uniform.
"""
NEW = OLD.replace("paragraph (a)", "paragraph (1)").replace("subd. 3", "subd. 4")


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> dict:
    d = tmp_path_factory.mktemp("cmp")
    (d / "old.txt").write_text(OLD, encoding="utf-8")
    (d / "new.txt").write_text(NEW, encoding="utf-8")
    return compare_paths(Path(d / "old.txt"), Path(d / "new.txt"))


def test_citation_change_is_named_with_its_context(data) -> None:
    shown = readable(data)
    explanations = [c["explanation"] for r in shown["clauses"] for c in r["changes"]]
    named = "citation changed: \u201cparagraph (a)\u201d \u2192 \u201cparagraph (1)\u201d"
    assert named in explanations
    assert "citation changed: \u201csubd. 3\u201d \u2192 \u201csubd. 4\u201d" in explanations
    assert any("paragraph (a) \u2192 paragraph (1)" in s for s in shown["summary"])
    assert "paragraph (a) \u2192 paragraph (1)" in render_text(data)
    raw = [c["explanation"] for r in data["clauses"] for c in r["changes"]]
    assert not any("paragraph (a)" in e for e in raw)


def test_changed_clauses_only_by_default(data) -> None:
    html = render_html(data)
    assert '<body class="substantive-only">' in html
    assert 'id="only-substantive" checked' in html
    unchanged = [r for r in data["clauses"] if r["status"] == "unchanged"]
    assert unchanged
    assert html.count('data-status="unchanged"') == html.count(
        'data-substantive="false" data-moved="false" hidden'
    )


def test_summary_refs_link_to_their_clauses(data) -> None:
    html = render_html(data)
    assert '<a href="#old-' in html.split('id="summary"')[1].split("</section>")[0]


def test_link_refs_links_listed_refs_not_counts_or_parenthesised_text() -> None:
    targets = {"1": "new-p-1", "1.2": "old-p-1.2"}
    out = str(link_refs("It adds 1 clause: 1, 1.2 (see 1) with 1 clause.", targets))
    assert out.count('href="#new-p-1"') == 1 and 'href="#old-p-1.2"' in out
    assert "It adds 1 clause" in out and "(see 1)" in out
    assert "&lt;b&gt;" in str(link_refs("It deletes 1 clause: <b>.", targets))


def test_side_by_side_view_shows_every_clause_of_both_drafts(data) -> None:
    html = render_html(data)
    side = html.split('id="side-by-side"')[1]
    assert "The SRO shall wear a uniform." in side  # an unchanged clause
    assert "paragraph (<del>a</del>) of section 2" in side
    assert "paragraph (<ins>1</ins>) of section 2" in side
