"""Make untrusted text safe to show: on a terminal, in one-line messages, in UTF-8 files.

A document (or a file name) may hold terminal escape sequences (ANSI colours, OSC window
titles), other control characters, newlines that would split a one-line error, and, for file
names read from a POSIX file system, undecodable bytes carried as lone surrogates
(``os.fsdecode``) that no UTF-8 writer accepts.

Exports:
    display_name(name)   -- a file name as one printable line: surrogates as ``\\xNN``, control
                            characters (newlines included) as ``\\n``, ``\\x1b`` ...
    terminal(text)       -- text for a terminal: control characters removed except newline
                            and tab; surrogates as ``\\xNN``
    utf8_safe(text)      -- text that encodes as UTF-8: lone surrogates as ``\\xNN``
    json_safe(json_text) -- JSON text that encodes as UTF-8: a lone surrogate inside a string
                            becomes the characters ``\\xNN`` (an escaped backslash, then xNN)
"""

from __future__ import annotations

import re

__all__ = ["display_name", "terminal", "utf8_safe", "json_safe"]

# C0 controls but tab, newline and CRLF (CSV line ends), DEL, and the C1 range (a lone
# U+009B is a CSI on some terminals); U+2028/2029 break lines in some viewers.
_TERMINAL_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029]|\r(?!\n)")
_NAME_CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_SURROGATES = re.compile(r"[\ud800-\udfff]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _surrogate(match: re.Match[str]) -> str:
    code = ord(match.group())
    if 0xDC80 <= code <= 0xDCFF:  # an undecodable byte carried by os.fsdecode
        return f"\\x{code - 0xDC00:02x}"
    return f"\\u{code:04x}"


def utf8_safe(text: str) -> str:
    """``text`` with every lone surrogate spelled out, so it always encodes as UTF-8."""
    return _SURROGATES.sub(_surrogate, text) if _SURROGATES.search(text) else text


def display_name(name: str) -> str:
    """A file name as one printable line."""
    name = utf8_safe(name)
    return _NAME_CONTROLS.sub(lambda m: _NAMED.get(m.group()) or _code(ord(m.group())), name)


def _code(code: int) -> str:
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def terminal(text: str) -> str:
    """Text safe to print on a terminal: no escape sequences, no other control characters."""
    return _TERMINAL_CONTROLS.sub("", utf8_safe(text))


def json_safe(json_text: str) -> str:
    """JSON text (from ``json.dumps(..., ensure_ascii=False)``) that always encodes as UTF-8."""
    if not _SURROGATES.search(json_text):
        return json_text
    return _SURROGATES.sub(lambda m: "\\" + _surrogate(m), json_text)
