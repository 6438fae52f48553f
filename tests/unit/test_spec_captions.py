"""Captions in the RenderSpec: validated look fields, and the overrides in the ASS/SRT/VTT files."""

from __future__ import annotations

import re

import pytest
from pydantic import ValidationError

from reelgraph.workers.engine.caption_files import spec_caption_texts, spec_look
from reelgraph.workers.engine.captions import build_ass, safe_margins
from reelgraph.workers.engine.captions_look import (
    CAPTION_STYLES,
    FAMILIES,
    PRESETS,
    REFERENCE_SIDE,
    look,
    rgb_hex,
)
from reelgraph.workers.engine.spec import Captions, RenderSpec

WORDS = [
    {"text": "Three", "start": 0.5, "end": 0.9},
    {"text": "hearts", "start": 0.9, "end": 1.3, "emphasis": True},
    {"text": "beat.", "start": 1.3, "end": 1.8},
]


def _spec(**captions: object) -> RenderSpec:
    return RenderSpec.model_validate(
        {
            "duration": 2.0,
            "output": {"width": 1080, "height": 1920},
            "visuals": [{"kind": "card", "path": "/m/c.png", "duration": 2.0}],
            "captions": {"words": WORDS, **captions},
        }
    )


def _style_line(ass: str) -> list[str]:
    return next(ln for ln in ass.splitlines() if ln.startswith("Style: Default,")).split(",")


def _errors(**captions: object) -> str:
    with pytest.raises(ValidationError) as err:
        _spec(**captions)
    return "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in err.value.errors())


def test_spec_styles_are_the_presets() -> None:
    styles = Captions.model_fields["style"].annotation.__args__  # type: ignore[union-attr]
    assert styles == CAPTION_STYLES


@pytest.mark.parametrize(
    ("value", "canonical", "rgb"),
    [
        ("yellow", "yellow", "FFFF00"),
        ("Yellow ", "yellow", "FFFF00"),
        ("#ff8000", "#FF8000", "FF8000"),
    ],
)
def test_colours_are_css_names_or_hex(value: str, canonical: str, rgb: str) -> None:
    assert _spec(color=value).captions.color == canonical  # type: ignore[union-attr]
    assert rgb_hex(value) == rgb


@pytest.mark.parametrize("bad", ["yelow", "#FFF", "#GG0000", "rgb(1,2,3)", ""])
def test_bad_colours_fail_with_a_clear_message(bad: str) -> None:
    msg = _errors(highlight_color=bad)
    assert "captions.highlight_color" in msg and "CSS colour name" in msg and "#RRGGBB" in msg


def test_fonts_are_bundled_families_in_any_case() -> None:
    assert _spec(font="bebas  NEUE").captions.font == "Bebas Neue"  # type: ignore[union-attr]
    msg = _errors(font="Comic Sans MS")
    assert "captions.font" in msg and "Anton, Bebas Neue, Montserrat" in msg


def test_other_look_fields_are_bounded() -> None:
    assert "captions.position" in _errors(position="left")
    assert "captions.size" in _errors(size=4)
    assert "captions.lines" in _errors(lines=9)
    assert "captions.style" in _errors(style="comic")
    assert "captions.ass_path" in _errors(ass_path="/m/cap.ass")  # gone in version 2


def test_an_older_spec_version_gets_one_clear_message() -> None:
    old = _spec().model_dump(mode="json") | {"version": 1}
    old["captions"]["ass_path"] = "cap.ass"
    with pytest.raises(ValidationError) as err:
        RenderSpec.model_validate(old)
    (e,) = err.value.errors()
    assert "version 1 is not supported" in e["msg"] and "version 2" in e["msg"]


def test_overrides_reach_the_ass_style_line() -> None:
    ass = spec_caption_texts(
        _spec(
            style="karaoke",
            font="Anton",
            size=100,
            color="yellow",
            highlight_color="#FF0000",
            outline_color="navy",
            outline_width=6,
            position="top",
        )
    )["ass"]
    st = _style_line(ass)
    assert st[1] == "Anton" and st[2] == "100"  # 100 px at 1080x1920
    assert st[3] == "&H0000FFFF" and st[4] == "&H000000FF"  # yellow text, red highlight (BGR)
    assert st[5] == "&H00800000" and st[16] == "6.0"  # navy outline, 6 px
    assert st[7] == "0"  # Anton has no bold face
    assert st[18] == "8" and st[21] == str(round(1920 * 0.12))  # top, inside the safe area
    texts = [ln for ln in ass.splitlines() if ln.startswith("Dialogue:")]
    assert all("\\1c&H0000FFFF" in t for t in texts[1:])  # words in the text colour
    assert sum(t.count("\\1c&H000000FF") for t in texts) == len(texts)  # one spoken word each


def test_defaults_leave_the_preset_alone_and_sizes_scale_with_the_frame() -> None:
    for style in CAPTION_STYLES:
        assert spec_look(_spec(style=style).captions) == PRESETS[style]  # type: ignore[arg-type]
    p = look("clean", size=72)
    assert round(p.size * REFERENCE_SIDE) == 72
    square = build_ass(WORDS, style=p, width=1080, height=1080)
    assert _style_line(square)[2] == str(round(72 * 1080 / REFERENCE_SIDE))
    assert _style_line(square)[18] == "2"
    assert _style_line(square)[21] == str(safe_margins(1080, 1080)[2])


def test_middle_position_lines_and_animation() -> None:
    ass = build_ass(WORDS, style=look("pop", position="middle"), width=1920, height=1080)
    assert _style_line(ass)[18] == "5"
    one_line = build_ass(WORDS * 4, style=look("karaoke", lines=1), width=1080, height=1920)
    assert not [ln for ln in one_line.splitlines() if "\\N" in ln]
    still = build_ass(WORDS, style=look("karaoke", animation="none"), width=1080, height=1920)
    assert len([ln for ln in still.splitlines() if ln.startswith("Dialogue:")]) == 1


def test_font_override_brings_its_metrics() -> None:
    p = look("pop", font="montserrat")
    assert (p.family, p.char_w, p.bold) == ("Montserrat", FAMILIES["Montserrat"].char_w, True)


def _word_colours(dialogue: str) -> dict[str, str]:
    return dict((w, c) for c, w in re.findall(r"\{\\1c(&H[0-9A-F]{8})[^}]*\}(\w+)", dialogue))


def test_pop_highlight_colours_the_popping_word_but_keeps_emphasis() -> None:
    ass = build_ass(WORDS, style=look("pop", highlight_color="lime"), width=1080, height=1920)
    first, second, third = (ln for ln in ass.splitlines() if ln.startswith("Dialogue:"))
    lime, white, emphasis = "&H0000FF00", "&H00FFFFFF", "&H0000D4FF"
    assert _word_colours(first) == {"THREE": lime, "HEARTS": emphasis}  # HEARTS still hidden
    assert _word_colours(second) == {"THREE": white, "HEARTS": emphasis}  # emphasis kept
    assert _word_colours(third) == {"BEAT": lime}


def test_sidecars_share_the_ass_events() -> None:
    texts = spec_caption_texts(_spec(style="karaoke", lines=1, size=120))
    assert set(texts) == {"ass", "srt", "vtt"}
    cues = re.findall(r"(\d\d:\d\d:\d\d),(\d{3}) -->", texts["srt"])
    assert len(cues) == texts["vtt"].count("-->") >= 1
    assert spec_caption_texts(_spec(words=[])) == {}
