"""The deficiency letter, built from a reviewer's decisions, as one plain dict, and its
Markdown rendering (DOCX and PDF are in ``letter_files``).

Every sentence of the letter comes from ``model_policy/letters/deficiency.json`` (data, not
code). A letter lists each requirement the reviewer holds unmet (accepted as missing, weakened
or needing review, or a met requirement the reviewer dismissed) with its statute citation, the
quoted text with page and line (the nearest text when the policy has no match, or "not found"),
the correction requested and the reviewer's note; then the accepted findings no listed
requirement covers; a response deadline; a signature block.

Exports: letter_text() -> dict, build_letter(submission, items, settings) -> dict,
render_markdown(letter) -> str, default_settings(submission) -> dict, where_words(location).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..baselines import model_dir
from ..render import md, where
from .review import deficient

__all__ = ["letter_text", "build_letter", "render_markdown", "default_settings", "where_words"]

_BUNDLED = Path(__file__).resolve().parent.parent.parent / "model_policy" / "letters"
Row = Mapping[str, Any]


@lru_cache(maxsize=4)
def _load(path: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(Path(path).read_text(encoding="utf-8"))
    return data


def letter_text() -> dict[str, Any]:
    """The letter's wording (``model_policy/letters/deficiency.json``)."""
    for folder in (model_dir() / "letters", _BUNDLED):
        path = folder / "deficiency.json"
        if path.exists():
            return _load(str(path))
    raise FileNotFoundError("model_policy/letters/deficiency.json is missing; reinstall policydiff")


def where_words(location: Row | None) -> str:
    """'page 1, line 25', 'page 1, lines 154-156' or 'page 2, line 40 to page 3, line 2'."""
    return where(location, prose=True)


def _date(value: float | str | None) -> str:
    if isinstance(value, int | float):
        return dt.datetime.fromtimestamp(value, dt.UTC).strftime("%B %-d, %Y")
    return str(value or "")


def default_settings(submission: Row, today: dt.date | None = None) -> dict[str, str]:
    text = letter_text()
    today = today or dt.datetime.now(dt.UTC).date()
    agency = submission.get("agency") or "the law enforcement agency"
    return {
        "addressee": text["addressee"].format(agency=agency),
        "date": today.isoformat(),
        "deadline": (today + dt.timedelta(days=int(text["deadline_days"]))).isoformat(),
        "signer": text["signer"],
        "signer_title": text["signer_title"],
    }


def _iso_words(value: str) -> str:
    try:
        return dt.date.fromisoformat(value).strftime("%B %-d, %Y")
    except ValueError:
        return value


def _entry(item: Row, text: Row, statute: str) -> dict[str, Any]:
    status = item["tool_status"] if item["tool_status"] != "met" else "met"
    if item["kind"] == "provision" and status not in text["corrections"]:
        status = "modified"
    citation = item.get("citation") or statute
    labels = text["labels"]
    model_text = " ".join(str(item.get("model_text") or "").split())
    if item.get("quote"):
        quote_label = labels["nearest"] if item.get("quote_is_nearest") else labels["quote"]
        quote = " ".join(str(item["quote"]).split())
        where = where_words(item.get("location"))
    else:
        quote_label, quote, where = labels["quote"], labels["not_found"], ""
    title = item["title"] if item["kind"] == "requirement" else f"Model provision {item['target']}"
    if item["kind"] == "provision" and item["title"] != item["target"]:
        title = f"{title} ({item['title']})"
    return {
        "kind": item["kind"],
        "target": item["target"],
        "title": title,
        "citation": citation,
        "finding": text["status_phrases"].get(status, status),
        "model_text": model_text,
        "quote_label": quote_label,
        "quote": quote,
        "found": bool(item.get("quote")),
        "where": where,
        "correction": text["corrections"][status].format(
            citation=citation, model_text=model_text or item["target"]
        ),
        "note": ((item.get("decision") or {}).get("note") or "").strip(),
    }


def build_letter(submission: Row, all_items: Sequence[Row], settings: Row) -> dict[str, Any]:
    """The letter as a dict of plain text (the same for Markdown, DOCX and PDF)."""
    text = letter_text()
    audit = submission.get("audit") or {}
    model = audit.get("model") or {}
    statute = model.get("statute") or "Minn. Stat. 626.8482"
    held = [i for i in all_items if deficient(i)]
    requirements = [i for i in held if i["kind"] == "requirement"]
    covered = {ref for i in requirements for ref in i.get("provisions") or []}
    provisions = [i for i in held if i["kind"] == "provision" and i["target"] not in covered]
    title = (audit.get("document") or {}).get("title") or submission.get("filename", "")
    fields = {
        "agency": submission.get("agency") or "the law enforcement agency",
        "title": title,
        "filename": submission.get("filename", ""),
        "received": _date(submission.get("created_at")),
        "statute": statute,
        "model_title": model.get("title") or "model policy",
    }
    sections = []
    if requirements:
        sections.append(
            {
                "heading": text["requirement_heading"],
                "entries": [_entry(i, text, statute) for i in requirements],
            }
        )
    if provisions:
        sections.append(
            {
                "heading": text["provision_heading"],
                "entries": [_entry(i, text, statute) for i in provisions],
            }
        )
    opening = text["opening"] if sections else text["opening_none"]
    return {
        "submission": submission.get("id"),
        "sender": text["sender"],
        "sender_address": list(text["sender_address"]),
        "date": _iso_words(str(settings.get("date", ""))),
        "addressee": str(settings.get("addressee", "")),
        "agency": fields["agency"],
        "subject": text["subject"].format(**fields),
        "salutation": text["salutation"],
        "opening": opening.format(**fields),
        "labels": dict(text["labels"]),
        "sections": sections,
        "deadline": text["deadline"].format(deadline=_iso_words(str(settings.get("deadline")))),
        "closing": text["closing"],
        "signoff": text["signoff"],
        "signer": str(settings.get("signer", "")),
        "signer_title": str(settings.get("signer_title", "")),
    }


def render_markdown(letter: Row) -> str:
    """The letter as Markdown; every piece of document or reviewer text escaped."""
    labels = letter["labels"]
    out = [md(letter["sender"]), *(md(line) for line in letter["sender_address"]), ""]
    out += [md(letter["date"]), "", md(letter["addressee"]), ""]
    out += [f"**Re: {md(letter['subject'])}**", "", md(letter["salutation"]), ""]
    out += [md(letter["opening"]), ""]
    for section in letter["sections"]:
        out += [f"## {md(section['heading'])}", ""]
        for n, e in enumerate(section["entries"], 1):
            out += [f"### {n}. {md(e['title'])}", ""]
            out.append(f"- **{md(labels['citation'])}:** {md(e['citation'])}")
            out.append(f"- **{md(labels['finding'])}:** {md(e['finding'])}")
            if e["model_text"]:
                out.append(f"- **{md(labels['model_text'])}:** “{md(e['model_text'])}”")
            quote = f"“{md(e['quote'])}”" if e["found"] else md(e["quote"])
            where = f" ({md(e['where'])})" if e["where"] else ""
            out.append(f"- **{md(e['quote_label'])}:** {quote}{where}")
            out.append(f"- **{md(labels['correction'])}:** {md(e['correction'])}")
            if e["note"]:
                out.append(f"- **{md(labels['note'])}:** {md(e['note'])}")
            out.append("")
    out += [md(letter["deadline"]), "", md(letter["closing"]), "", md(letter["signoff"]), ""]
    out += [md(letter["signer"]) + "  ", md(letter["signer_title"]), ""]
    return "\n".join(out)
