"""Checks and clean-ups for people-typed text that ends up in emails, calendars and pages.

`unsafe_text_reason` says why a value must be refused (control characters, NUL, invisible
text-direction overrides that make "gpj.exe" read as "exe.jpg"); forms and API schemas call it
on names. `single_line` is for output that must stay one line whatever was stored: an email
subject or display name, a calendar SUMMARY, a business name being saved.
"""

import unicodedata

NUL = "\x00"
NUL_REASON = "Remove the NUL character (U+0000); it cannot be stored."
# Bidirectional embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069) and the
# left-to-right / right-to-left marks (U+200E, U+200F): invisible, and they reorder what follows.
BIDI_CONTROLS = frozenset(
    [
        *(chr(c) for c in range(0x202A, 0x202F)),
        *(chr(c) for c in range(0x2066, 0x206A)),
        "\u200e",
        "\u200f",
    ]
)
# Allowed in multi-line text (a message body, a description), never in a single-line name.
MULTILINE_ALLOWED = frozenset("\n\r\t")
# Line and paragraph separators break a line as a newline does.
_LINE_BREAKS = frozenset("\u2028\u2029\x85")


def _codepoint(char: str) -> str:
    return f"U+{ord(char):04X}"


def unsafe_text_reason(value: str, *, multiline: bool = False) -> str | None:
    """Why `value` must be refused, or None when it is fine.

    Refused everywhere: NUL, other control characters (Unicode category Cc), unpaired
    surrogates and bidirectional controls. Single-line values (the default: names and titles)
    also refuse tabs, newlines and line separators; `multiline=True` allows newline, CR and tab.
    """
    for char in value:
        if char == NUL:
            return NUL_REASON
        if char in BIDI_CONTROLS:
            return (
                f"Remove the invisible text-direction character ({_codepoint(char)}); "
                "it changes how the text reads."
            )
        category = unicodedata.category(char)
        if category == "Cs":
            return f"Remove the invalid character ({_codepoint(char)})."
        if multiline and char in MULTILINE_ALLOWED:
            continue
        if char in _LINE_BREAKS or char in "\n\r":
            return "Keep it on one line."
        if category == "Cc":
            return f"Remove the control character ({_codepoint(char)})."
    return None


def single_line(value: str) -> str:
    """`value` as one clean line: whitespace runs (newlines included) become one space, control
    and bidirectional characters are dropped, and the ends are trimmed."""
    kept = "".join(
        " " if char.isspace() else char
        for char in value
        if char.isspace() or (unicodedata.category(char) != "Cc" and char not in BIDI_CONTROLS)
    )
    return " ".join(kept.split())
