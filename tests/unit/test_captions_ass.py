"""Caption grouping, escaping of hostile text, presets, safe areas and SRT/VTT/ASS output."""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace

import pytest

from reelgraph.errors import InvalidInput
from reelgraph.workers.engine import captions
from reelgraph.workers.engine.captions import (
    build_ass,
    escape_ass_text,
    group_lines,
    safe_margins,
    to_srt,
    to_vtt,
    write_captions,
)
from reelgraph.workers.engine.compile import ass_filter
from reelgraph.workers.engine.spec import Word as SpecWord

HOSTILE = [
    "{\\pos(0,0)}HACK",
    "\\N",
    "\\n",
    "\\h",
    "a\\",
    "'",
    ":",
    ";",
    "[",
    "]",
    ",",
    "}{",
    "line\nbreak",
    "tab\there",
    "bell\x07\x1b[31m",
    "sep\u2028x",
    "W" * 200,
]


def _words(text: str, step: float = 0.4, emphasis: tuple[str, ...] = ()) -> list[dict]:
    return [
        {
            "text": t,
            "start": 0.5 + i * step,
            "end": 0.5 + i * step + step * 0.8,
            "emphasis": t in emphasis,
        }
        for i, t in enumerate(text.split())
    ]


def _dialogue_texts(ass: str) -> list[str]:
    return [ln.split(",", 9)[9] for ln in ass.splitlines() if ln.startswith("Dialogue:")]


def _user_text_outside_tags(text: str) -> str:
    """Remove the override blocks we generated; what is left is the (escaped) user text."""
    return re.sub(r"\{[^{}]*\}", "", text)


@pytest.mark.parametrize("hostile", HOSTILE)
def test_escape_neutralises_override_tags_and_breaks(hostile: str) -> None:
    out = escape_ass_text(hostile)
    assert "{" not in out and "}" not in out
    assert not re.search(r"\\[Nnh{}]", out), out  # every backslash is followed by a joiner
    assert "\n" not in out and "\r" not in out
    assert all(ord(c) >= 32 for c in out)
    assert "\u2028" not in out


def test_escape_keeps_ordinary_text() -> None:
    assert escape_ass_text("Hello, world: it's 5;") == "Hello, world: it's 5;"


@pytest.mark.parametrize("style", captions.CAPTION_STYLES)
def test_hostile_words_never_become_override_tags(style: str) -> None:
    words = [{"text": t, "start": i * 0.5, "end": i * 0.5 + 0.4} for i, t in enumerate(HOSTILE)]
    ass = build_ass(words, style=style, width=1080, height=1920)
    for text in _dialogue_texts(ass):
        assert not any("pos" in tag for tag in re.findall(r"\{[^{}]*\}", text))
        user = _user_text_outside_tags(text)
        assert "{" not in user and "}" not in user
        # the only real line breaks are ours: at most one per event (two lines)
        assert text.count("\\N") <= 1
        assert "\n" not in text
    assert "HACK" in ass  # shown as text, not swallowed


def test_group_lines_breaks_on_sentences_and_pauses() -> None:
    words = _words("One two three. Four five six")
    words[5]["start"] += 2.0  # a long pause before "six"
    words[5]["end"] += 2.0
    groups = group_lines(words, max_chars=40, max_words=10, max_gap=0.6)
    assert [[w.text for w in g] for g in groups] == [
        ["One", "two", "three."],
        ["Four", "five"],
        ["six"],
    ]


def test_group_lines_respects_word_and_char_limits() -> None:
    words = _words("alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu")
    for g in group_lines(words, max_chars=12, max_words=4, max_gap=5):
        assert len(g) <= 4
        assert len(captions.split_lines(g, 12)) <= 2


def test_accepts_objects_and_spec_words() -> None:
    objs = [
        SimpleNamespace(text="hi", start=0.0, end=0.3, emphasis=False),
        SpecWord(text="there", start=0.3, end=0.6, emphasis=True),
    ]
    groups = group_lines(objs, 30, 5, 0.5)
    assert [w.text for w in groups[0]] == ["hi", "there"] and groups[0][1].emphasis


@pytest.mark.parametrize(("w", "h"), [(1080, 1920), (1920, 1080), (1080, 1080)])
def test_safe_margins_keep_captions_out_of_ui_zone(w: int, h: int) -> None:
    left, right, vertical = safe_margins(w, h)
    assert left > 0 and right > 0 and left + right < w // 2
    if h > w:
        assert vertical >= 0.2 * h  # clear of the bottom ~20% UI zone on shorts
    else:
        assert vertical < h / 3  # lower third


@pytest.mark.parametrize("style", captions.CAPTION_STYLES)
@pytest.mark.parametrize(("w", "h"), [(1080, 1920), (1920, 1080), (1080, 1080)])
def test_build_ass_header_and_events(style: str, w: int, h: int) -> None:
    ass = build_ass(
        _words("The quick brown fox jumps.", emphasis=("fox",)), style=style, width=w, height=h
    )
    assert f"PlayResX: {w}" in ass and f"PlayResY: {h}" in ass
    style_line = next(ln for ln in ass.splitlines() if ln.startswith("Style: Default,"))
    assert style_line.split(",")[1] in ("Anton", "Montserrat", "Bebas Neue")
    assert style_line.split(",")[-2] == str(safe_margins(w, h)[2])
    dialogues = [ln for ln in ass.splitlines() if ln.startswith("Dialogue:")]
    assert dialogues and dialogues[0].split(",")[1] == "0:00:00.50"
    emph = captions.PRESETS[style].emphasis
    assert f"&H00{emph[4:6]}{emph[2:4]}{emph[0:2]}" in ass  # emphasis colour used


def test_karaoke_highlights_one_word_per_event_and_pop_hides_future_words() -> None:
    words = _words("one two three")
    k = _dialogue_texts(build_ass(words, style="karaoke", width=1080, height=1920))
    active = captions.PRESETS["karaoke"].active
    active_tag = f"\\1c&H00{active[4:6]}{active[2:4]}{active[0:2]}"
    assert len(k) == 3 and all(t.count(active_tag) == 1 for t in k)
    p = _dialogue_texts(build_ass(words, style="pop", width=1080, height=1920))
    assert p[0].count("\\alpha&HFF&") == 2 and p[2].count("\\alpha&HFF&") == 0
    assert all("\\t(0,120," in t for t in p)


def test_very_long_word_is_shrunk_and_shortened() -> None:
    ass = build_ass(
        [{"text": "W" * 200, "start": 0, "end": 1}], style="karaoke", width=1080, height=1920
    )
    text = _dialogue_texts(ass)[0]
    scale = re.match(r"\{\\fscx(\d+)\\fscy\1\}", text)
    assert scale and int(scale.group(1)) <= 40
    assert "…" in text and "W" * 200 not in text


def test_unknown_style_is_a_clear_error() -> None:
    with pytest.raises(InvalidInput, match="karaoke"):
        build_ass(_words("hi"), style="comic-sans", width=1080, height=1920)


def test_srt_and_vtt_share_events_and_escape() -> None:
    words = _words("Is 3 < 5 & 7 > 2 --> yes? {\\b1}no")
    srt, vtt = to_srt(words), to_vtt(words)
    assert vtt.startswith("WEBVTT\n")
    cues_srt = re.findall(r"(\d\d:\d\d:\d\d,\d{3}) --> (\d\d:\d\d:\d\d,\d{3})", srt)
    cues_vtt = re.findall(r"(\d\d:\d\d:\d\d\.\d{3}) --> (\d\d:\d\d:\d\d\.\d{3})", vtt)
    assert len(cues_srt) == len(cues_vtt) >= 2
    assert [(a.replace(",", "."), b.replace(",", ".")) for a, b in cues_srt] == cues_vtt
    body = vtt.split("\n", 2)[2]
    assert "&lt;" in body and "&amp;" in body and "&gt;" in body
    assert body.count("-->") == len(cues_vtt)  # user "-->" cannot fake a cue timing line
    assert "{" not in srt and "<" not in srt


def test_write_captions_writes_three_files_atomically(tmp_path: Path) -> None:
    paths = write_captions(
        _words("Hello there. General Kenobi"), tmp_path / "o", style="pop", width=1080, height=1080
    )
    assert set(paths) == {"ass", "srt", "vtt"}
    assert sorted(p.name for p in (tmp_path / "o").iterdir()) == [
        "captions.ass",
        "captions.srt",
        "captions.vtt",
    ]
    assert "KENOBI" in Path(paths["ass"]).read_text()  # pop preset is upper case


def test_ass_filter_escapes_hostile_paths() -> None:
    arg = ass_filter("/tmp/a'b:c,d[e];f\\g.ass", "/fonts dir")
    assert arg.startswith("ass=filename=")
    assert re.search(r"(?<!\\)[,;\[\]]", arg) is None  # every graph metachar is escaped
    assert ":fontsdir=/fonts dir" in arg
    assert arg == ass_filter("/tmp/a'b:c,d[e];f\\g.ass", "/fonts dir")
