"""The tracked-changes DOCX: accept-all gives NEW, reject-all gives OLD, for any edit script;
moves are a deletion and an insertion linked by comments; the file is deterministic."""

from __future__ import annotations

import io
import random
import re
import zipfile

from docx import Document
from hypothesis import given, settings
from hypothesis import strategies as st

from analyzer.docx_redline import (
    AUTHOR,
    Para,
    Redline,
    accept_all,
    layout,
    reject_all,
    revision_date,
    write_docx,
)

WORDS = (
    "the SRO shall may not school district (a) 1. policy & <b> officer's "
    "\u201cquoted\u201d 5 days ; , \u00e9t\u00e9"
).split()


def _xml(data: bytes, part: str = "word/document.xml") -> str:
    return zipfile.ZipFile(io.BytesIO(data)).read(part).decode("utf-8")


def _sentence(rng: random.Random) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 9)))


def _edit_script(seed: int) -> Redline:
    """A random OLD document and a NEW one made from it by deletions, insertions, word edits
    and moves, with the pairing the edits imply."""
    rng = random.Random(seed)
    old = [Para(f"{k + 1}. {_sentence(rng)}", rng.randint(0, 2)) for k in range(rng.randint(0, 9))]
    new: list[tuple[int | None, Para]] = []
    for i, para in enumerate(old):
        op = rng.random()
        if op < 0.15:
            continue  # deleted
        if op < 0.45:
            words = para.text.split()
            words[rng.randrange(len(words))] = rng.choice(WORDS)
            para = Para(" ".join(words), para.level)
        new.append((i, para))
        if rng.random() < 0.2:
            new.append((None, Para(_sentence(rng), rng.randint(0, 2), rng.random() < 0.3)))
    for _ in range(rng.randint(0, 2)):  # moves
        if len(new) > 1:
            new.insert(rng.randrange(len(new)), new.pop(rng.randrange(len(new))))
    pairs = tuple((i, j) for j, (i, _) in enumerate(new) if i is not None)
    return Redline(tuple(old), tuple(p for _, p in new), pairs)


@settings(max_examples=60, deadline=None)
@given(st.integers(min_value=0, max_value=2**32 - 1))
def test_accept_all_gives_new_and_reject_all_gives_old_for_any_edit_script(seed: int) -> None:
    redline = _edit_script(seed)
    data = write_docx(redline)
    assert accept_all(data) == [p.text for p in redline.new]
    assert reject_all(data) == [p.text for p in redline.old]
    xml = _xml(data)
    ids = re.findall(r'<w:(?:ins|del) w:id="(\d+)"', xml)
    assert len(ids) == len(set(ids))  # unique revision ids
    assert all(a == AUTHOR for a in re.findall(r'<w:(?:ins|del) [^>]*w:author="([^"]*)"', xml))


def test_removed_paragraph_has_a_deleted_paragraph_mark() -> None:
    redline = Redline((Para("Keep me."), Para("Drop me.")), (Para("Keep me."),), ((0, 0),))
    xml = _xml(write_docx(redline))
    dropped = [p for p in xml.split("<w:p>") if "Drop me." in p][0]
    assert re.search(r"<w:pPr>.*<w:rPr><w:del ", dropped)
    assert "<w:delText" in dropped


def test_added_paragraph_has_an_inserted_paragraph_mark() -> None:
    redline = Redline((Para("Keep me."),), (Para("Keep me."), Para("New.")), ((0, 0),))
    xml = _xml(write_docx(redline))
    added = [p for p in xml.split("<w:p>") if "New." in p][0]
    assert re.search(r"<w:pPr>.*<w:rPr><w:ins ", added)


def test_moved_paragraph_is_a_deletion_and_an_insertion_not_move_markup() -> None:
    old = (Para("A first."), Para("B second."), Para("C third."))
    new = (Para("B second."), Para("C third."), Para("A first."))
    steps = layout(Redline(old, new, ((0, 2), (1, 0), (2, 1))))
    kinds = [(s.kind, s.moved) for s in steps]
    assert kinds == [("delete", True), ("equal", False), ("equal", False), ("insert", True)]
    xml = _xml(write_docx(Redline(old, new, ((0, 2), (1, 0), (2, 1)))))
    assert "w:moveFrom" not in xml and "w:moveTo" not in xml


def test_word_edits_inside_a_kept_paragraph_are_runs_not_whole_paragraphs() -> None:
    redline = Redline((Para("The SRO shall report."),), (Para("The SRO may report."),), ((0, 0),))
    xml = _xml(write_docx(redline))
    assert re.search(r"<w:del [^>]*><w:r><w:delText[^>]*>shall </w:delText>", xml)
    assert re.search(r"<w:ins [^>]*><w:r><w:t[^>]*>may </w:t>", xml)
    assert "The SRO " in xml and '<w:pPr><w:spacing w:after="120"/></w:pPr>' in xml


def test_comments_are_written_with_author_and_the_revision_date() -> None:
    redline = Redline(
        (Para("Shall report."),), (Para("May report."),), ((0, 0),),
        new_notes={0: ("[modality, weaker] obligation weaker: shall \u2192 may",)},
    )  # fmt: skip
    data = write_docx(redline, date="2026-02-03")
    comments = _xml(data, "word/comments.xml")
    assert "obligation weaker" in comments and f'w:author="{AUTHOR}"' in comments
    assert 'w:date="2026-02-03T00:00:00Z"' in comments
    assert 'w:date="2026-02-03T00:00:00Z"' in _xml(data)
    assert "commentReference" in _xml(data)
    assert len(Document(io.BytesIO(data)).paragraphs) >= 1


def test_same_input_gives_the_same_bytes(monkeypatch) -> None:
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    redline = _edit_script(7)
    assert write_docx(redline) == write_docx(redline)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    assert revision_date() == "2026-01-01T00:00:00Z"


def test_document_text_with_markup_and_control_characters_is_escaped() -> None:
    hostile = 'A <w:p>&amp; "x" \x07bell </w:t>'
    data = write_docx(Redline((), (Para(hostile),), ()))
    assert accept_all(data) == [hostile.replace("\x07", "")]
    Document(io.BytesIO(data))  # well-formed
