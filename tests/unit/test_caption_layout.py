"""Caption layout math: platform safe zones in the .ass, moving a caption off a face, and the
face track moved onto the output frame and timeline."""

from __future__ import annotations

from dataclasses import asdict
from types import SimpleNamespace

import pytest

from reelgraph.workers.engine.caption_files import spec_caption_texts, spec_look
from reelgraph.workers.engine.caption_layout import (
    SAFE_ZONES,
    block_rect,
    choose_position,
    face_regions,
    place_events,
    resolve_zone,
)
from reelgraph.workers.engine.captions import Word
from reelgraph.workers.engine.captions_look import layout, look
from reelgraph.workers.engine.spec import Captions, RenderSpec

W, H = 1080, 1920


def _words(text: str, start: float = 0.0, step: float = 0.3) -> list[dict]:
    return [
        {"text": t, "start": start + i * step, "end": start + i * step + 0.25}
        for i, t in enumerate(text.split())
    ]


def _styles(ass: str) -> dict[str, list[str]]:
    rows = [ln.split(":", 1)[1].split(",") for ln in ass.splitlines() if ln.startswith("Style:")]
    return {r[0].strip(): r for r in rows}


def _dialogue_styles(ass: str) -> list[str]:
    return [ln.split(",")[3] for ln in ass.splitlines() if ln.startswith("Dialogue:")]


def _zone(name: str) -> tuple[float, float, float, float]:
    z = SAFE_ZONES[name]
    return (z.top, z.bottom, z.left, z.right)


def test_auto_zone_is_shorts_on_portrait_outputs_and_none_elsewhere() -> None:
    assert resolve_zone("auto", 1080, 1920) == SAFE_ZONES["shorts"]
    assert resolve_zone("auto", 1080, 1920, keep_source=True) == SAFE_ZONES["none"]
    assert resolve_zone("auto", 1920, 1080) == SAFE_ZONES["none"]
    assert resolve_zone("auto", 1080, 1080) == SAFE_ZONES["none"]
    assert resolve_zone("reels", 1920, 1080) == SAFE_ZONES["reels"]  # asked for: kept
    with pytest.raises(ValueError, match="tiktok"):
        resolve_zone("snapchat", W, H)


def test_every_zone_leaves_a_usable_frame() -> None:
    for name, z in SAFE_ZONES.items():
        assert 0 < z.top + z.bottom < 0.6, name
        assert 0 < z.left + z.right < 0.3, name
    # the platforms' bottoms differ the way their UIs do: Reels' CTA area is the tallest
    assert SAFE_ZONES["reels"].bottom > SAFE_ZONES["shorts"].bottom > SAFE_ZONES["tiktok"].bottom
    assert SAFE_ZONES["tiktok"].right > SAFE_ZONES["tiktok"].left  # the action column


@pytest.mark.parametrize("zone", ["tiktok", "reels", "shorts", "none"])
@pytest.mark.parametrize("position", ["top", "bottom"])
def test_ass_margins_keep_the_block_inside_the_zone(zone: str, position: str) -> None:
    p = look("clean", position=position, safe_area=_zone(zone))
    caps = Captions(
        words=_words("inside the safe zone"),
        style="clean",
        position=position,
        safe_area=asdict(SAFE_ZONES[zone]),
    )
    ass = spec_caption_texts(_spec(caps), ["ass"])["ass"]
    row = _styles(ass)["Default"]
    z = SAFE_ZONES[zone]
    align, left, right, margin_v = int(row[18]), int(row[19]), int(row[20]), int(row[21])
    assert align == {"top": 8, "bottom": 2}[position]
    assert (left, right) == (round(W * z.left), round(W * z.right))
    assert margin_v == round(H * (z.top if position == "top" else z.bottom))
    assert spec_look(caps) == p


def test_narrow_zone_means_shorter_lines_and_emoji_room_shorter_still() -> None:
    wide = layout(look("clean", safe_area=_zone("none")), W, H)[1]
    narrow = layout(look("clean", safe_area=_zone("tiktok")), W, H)[1]
    with_emoji = layout(look("clean", safe_area=_zone("tiktok"), emoji=True), W, H)[1]
    assert wide > narrow > with_emoji >= 6


def test_spec_without_safe_area_keeps_the_built_in_margins() -> None:
    legacy = look("clean")
    assert legacy.safe is None
    row = _styles(spec_caption_texts(_spec(Captions(words=_words("old spec"))), ["ass"])["ass"])
    assert row["Default"][21] == str(round(H * 0.24))  # the portrait margin of before


def _spec(caps: Captions) -> RenderSpec:
    return RenderSpec(
        duration=6, visuals=[{"kind": "card", "path": "x.png", "duration": 6}], captions=caps
    )


def _region(start: float, end: float, x: float, y: float, w: float, h: float) -> SimpleNamespace:
    return SimpleNamespace(start=start, end=end, x=x, y=y, w=w, h=h)


def test_choose_position_moves_only_for_a_face_in_the_block_while_it_shows() -> None:
    p = look("clean", safe_area=_zone("none"))
    lines = [[Word("hello", 0, 1), Word("there", 1, 2)]]
    rects = {pos: block_rect(p, pos, lines, 100, W, H) for pos in ("top", "middle", "bottom")}
    assert rects["top"][1] < rects["middle"][1] < rects["bottom"][1]
    low_face = _region(0.0, 2.0, 0.3, 0.75, 0.4, 0.25)
    assert choose_position("bottom", rects, [low_face], 0.5, 1.5) == "top"
    assert choose_position("bottom", rects, [low_face], 2.5, 3.5) == "bottom"  # face gone by then
    high_face = _region(0.0, 2.0, 0.3, 0.0, 0.4, 0.3)
    assert choose_position("bottom", rects, [high_face], 0.5, 1.5) == "bottom"
    assert choose_position("top", rects, [high_face], 0.5, 1.5) == "bottom"
    # faces top and bottom: the middle overlaps neither
    assert choose_position("bottom", rects, [low_face, high_face], 0.5, 1.5) == "middle"
    side_face = _region(0.0, 2.0, 0.0, 0.7, 0.12, 0.3)  # beside a short centred line
    assert choose_position("bottom", rects, [side_face], 0.5, 1.5) == "bottom"


def test_the_ass_moves_the_caption_shown_over_a_face_and_no_other() -> None:
    words = _words("first caption here.", 0.0) + _words("second caption there.", 3.0)
    face = {"start": 0.0, "end": 2.0, "x": 0.25, "y": 0.7, "w": 0.5, "h": 0.28}
    caps = Captions(words=words, style="clean", avoid=[face], safe_area=SAFE_ZONES["none"].__dict__)
    ass = spec_caption_texts(_spec(caps), ["ass"])["ass"]
    styles = _styles(ass)
    assert set(styles) == {"Default", "Top"}
    assert styles["Top"][18] == "8" and styles["Default"][18] == "2"
    assert _dialogue_styles(ass) == ["Top", "Default"]
    plain = spec_caption_texts(_spec(caps.model_copy(update={"avoid": []})), ["ass"])["ass"]
    assert set(_styles(plain)) == {"Default"}  # no face, no extra style
    placed = place_events(words, spec_look(caps), W, H, caps.avoid)
    assert [e.position for e in placed] == ["top", "bottom"]


def test_face_regions_follow_the_reframe_crop_and_the_cuts() -> None:
    samples = [
        {"t": 0.0, "faces": [[0.70, 0.40, 0.10, 0.20]]},
        {"t": 1.0, "faces": []},
        {"t": 2.0, "faces": [[0.70, 0.40, 0.10, 0.20]]},  # inside the cut: gone
        {"t": 4.0, "faces": [[0.70, 0.40, 0.10, 0.20]]},
    ]
    track = [(0.0, 0.75, 0.5), (10.0, 0.75, 0.5)]  # the crop follows the face at x=0.75
    regions = face_regions(
        samples, source=(1920, 1080), out=(1080, 1920), track=track, cuts=[(1.5, 3.0)], pad=0.0
    )
    assert len(regions) == 2
    first, last = regions
    assert first["start"] == 0.0 and first["end"] == pytest.approx(0.5)
    assert last["start"] == pytest.approx(2.0) and last["end"] == pytest.approx(3.0)  # 1.5 s cut
    crop_w = (1080 / 1920) / (1920 / 1080)
    x0 = 0.75 - crop_w / 2
    assert first["x"] == pytest.approx((0.70 - x0) / crop_w, abs=1e-3)
    assert first["w"] == pytest.approx(0.10 / crop_w, abs=1e-3)
    assert first["y"] == pytest.approx(0.40) and first["h"] == pytest.approx(0.20)
    # without a reframe (same shape) the face keeps its place, padded by 15 %
    same = face_regions(samples[:1], source=(1080, 1920), out=(540, 960))
    assert same[0]["x"] == pytest.approx(0.685) and same[0]["w"] == pytest.approx(0.13)


def test_face_regions_merge_a_still_face_into_one_region() -> None:
    samples = [{"t": float(t), "faces": [[0.4, 0.6, 0.2, 0.2]]} for t in range(10)]
    regions = face_regions(samples, source=(1080, 1920), out=(1080, 1920))
    assert len(regions) == 1 and regions[0]["end"] == pytest.approx(9.5)
