"""A 95 s input transcribed in 30 s chunks (2 s overlap) matches one pass at every seam.

Whisper decodes each chunk with a different left context, so an occasional word comes out
spelled or heard differently ("maps" / "mats") whatever the merge does. What the merge controls,
and what is asserted, is that around each seam no word is lost or doubled: the word count there
matches the reference script as well as the one-pass count does, the chunked words differ from
the one-pass words by at most two edits, and no word appears twice back to back.
"""

from __future__ import annotations

import difflib
import itertools
import re

import pytest

from common.settings import get_settings
from tests.fixtures_speech import LONG_TEXT, build_speech, normalise
from workers import asr
from workers.audio import extract_audio

pytestmark = [pytest.mark.integration, pytest.mark.slow]

ZONE_S = 1.5  # words whose centre is this close to a seam's midpoint
MAX_EDITS = 2


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("REELGRAPH_HOME", str(tmp_path / "home"))
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


def _centre(w: dict) -> float:
    return (w["start"] + w["end"]) / 2


def _near(words: list[dict], t: float, radius: float) -> list[dict]:
    return [w for w in words if abs(_centre(w) - t) <= radius]


def _stem(text: str) -> str:
    """Spelling-tolerant key: "cameras" and "camera's", "arrive" and "arrived" compare equal."""
    return re.sub(r"[^a-z0-9]", "", text.lower())[:5]


def _edits(a: list[str], b: list[str]) -> int:
    ops = difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes()
    return sum(max(i2 - i1, j2 - j1) for tag, i1, i2, j1, j2 in ops if tag != "equal")


def test_chunked_matches_one_pass_at_the_seams(tmp_path_factory, home) -> None:
    fx = build_speech(tmp_path_factory.getbasetemp() / "speech_long", LONG_TEXT, -15.0, "long")
    assert 90 < fx.duration < 105
    wav = extract_audio(fx.wav)
    one = asr.transcribe_chunk(wav, 0.0, fx.duration, "tiny.en", None)["words"]
    chunked = asr.transcribe(str(fx.wav))["words"]
    plan = asr.plan_chunks(fx.duration)
    assert len(plan) == 4
    for (_, end), (start, _) in itertools.pairwise(plan):
        seam = (start + end) / 2
        ref_z = [_stem(w["text"]) for w in _near(fx.words, seam, ZONE_S)]
        one_z = [_stem(w["text"]) for w in _near(one, seam, ZONE_S)]
        ch_z = [_stem(w["text"]) for w in _near(chunked, seam, ZONE_S)]
        edits = _edits(one_z, ch_z)
        print(f"seam {seam:.0f}s ref={ref_z} one={one_z} chunked={ch_z} edits={edits}")
        assert abs(len(ch_z) - len(ref_z)) <= 1 + abs(len(one_z) - len(ref_z)), "lost/doubled"
        assert edits <= MAX_EDITS
        doubled = [x for x, y in itertools.pairwise(ch_z) if x == y]
        assert all(x in [p for p, q in itertools.pairwise(ref_z) if p == q] for x in doubled)
    n_ref = len(normalise(fx.text))
    n_chunked = len(normalise(" ".join(w["text"] for w in chunked)))
    assert abs(n_chunked - n_ref) <= 0.05 * n_ref
