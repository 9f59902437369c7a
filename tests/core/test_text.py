"""core.text: which typed characters are refused, and how output is kept on one line."""

import pytest

from rezerva.core.text import single_line, unsafe_text_reason


@pytest.mark.parametrize(
    ("_case", "value"),
    [
        ("plain", "Studio Lumen"),
        ("accents and emoji", "Zażółć gęślą jaźń 🧘"),
        ("right-to-left script", "שלום"),
        ("zero-width joiner in an emoji", "👩\u200d💻 Coding"),
    ],
)
def test_names_with_ordinary_unicode_are_accepted(_case, value):
    assert unsafe_text_reason(value) is None


@pytest.mark.parametrize(
    ("_case", "value", "reason"),
    [
        ("NUL", "a\x00b", "Remove the NUL character (U+0000); it cannot be stored."),
        ("newline", "Zed\n=1+1", "Keep it on one line."),
        ("carriage return", "Rival\r\nBcc: spy@evil.test", "Keep it on one line."),
        ("line separator", "a\u2028b", "Keep it on one line."),
        ("tab", "a\tb", "Remove the control character (U+0009)."),
        ("escape", "a\x1b[31mb", "Remove the control character (U+001B)."),
        ("delete", "a\x7fb", "Remove the control character (U+007F)."),
        ("right-to-left override", "invoice\u202egpj.exe",
         "Remove the invisible text-direction character (U+202E); it changes how the text reads."),
        ("left-to-right embedding", "\u202aa", "Remove the invisible text-direction character "
         "(U+202A); it changes how the text reads."),
        ("first strong isolate", "a\u2068b", "Remove the invisible text-direction character "
         "(U+2068); it changes how the text reads."),
        ("pop directional isolate", "a\u2069", "Remove the invisible text-direction character "
         "(U+2069); it changes how the text reads."),
        ("left-to-right mark", "a\u200eb", "Remove the invisible text-direction character "
         "(U+200E); it changes how the text reads."),
        ("right-to-left mark", "a\u200fb", "Remove the invisible text-direction character "
         "(U+200F); it changes how the text reads."),
        ("lone surrogate", "a\ud800b", "Remove the invalid character (U+D800)."),
    ],
)  # fmt: skip
def test_unsafe_characters_in_a_name_are_refused_with_a_reason(_case, value, reason):
    assert unsafe_text_reason(value) == reason


def test_multiline_text_may_hold_newlines_and_tabs_but_not_nul_or_overrides():
    assert unsafe_text_reason("Line 1\r\nLine 2\tindented", multiline=True) is None
    assert unsafe_text_reason("a\x00", multiline=True) == (
        "Remove the NUL character (U+0000); it cannot be stored."
    )
    assert unsafe_text_reason("a\u202e", multiline=True) is not None
    assert unsafe_text_reason("a\x07", multiline=True) == "Remove the control character (U+0007)."


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Rival\r\nBcc: spy@evil.test", "Rival Bcc: spy@evil.test"),
        ("  Studio \t Lumen \n", "Studio Lumen"),
        ("Zed\u2028=1+1", "Zed =1+1"),
        ("evil\u202etxt.exe", "eviltxt.exe"),
        ("a\x00b\x1bc", "abc"),
        ("Zażółć 🧘", "Zażółć 🧘"),
    ],
)
def test_single_line_keeps_output_on_one_clean_line(value, expected):
    assert single_line(value) == expected
