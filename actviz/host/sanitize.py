"""Plugin-controlled text made safe for a terminal.

A plugin names its functions, labels, exception messages and entry points;
printed raw, an ESC could recolour or erase the line, ``\\r`` could overwrite
an "ok: ... no problems" line and an OSC 52 sequence could write the
clipboard. :func:`clean` shows every control character as a visible escape
(``\\x1b``, ``\\r``, ``\\u202e``) instead.
"""

from __future__ import annotations

import unicodedata

#: invisible characters that reorder or hide text (bidi overrides, isolates, marks)
_BIDI = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _unsafe(ch: str) -> bool:
    return ch in _BIDI or unicodedata.category(ch) in ("Cc", "Zl", "Zp")


def _escape(ch: str) -> str:
    if ch in _NAMED:
        return _NAMED[ch]
    code = ord(ch)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def clean(text: object, multiline: bool = False) -> str:
    """``str(text)`` with every control character escaped visibly.

    ``multiline`` keeps ``\\n`` (for tracebacks); everything else, ``\\r``
    and ``\\t`` included, is escaped.
    """
    try:
        text = text if isinstance(text, str) else str(text)
    except BaseException:  # noqa: BLE001 - a plugin's object may break str()
        return "<unprintable>"
    if text.isascii() and text.isprintable():
        return text
    return "".join(_escape(ch) if _unsafe(ch) and not (multiline and ch == "\n") else ch for ch in text)
