"""Fillers, a stutter and a retake cut from real speech by the caption flow, in one render.

The source is deterministic piper speech of a known text (with a music bed under it) on a plain
video. Piper's own alignment gives the true word times, so the cuts are checked against the
words really said, and the rendered result is transcribed again to hear what is left.
"""

from __future__ import annotations

import json
import math
import subprocess
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from tests import conftest_redis as _fx
from tests.conftest import ffprobe_json
from tests.conftest_redis import wait_job_done
from tests.fixtures_speech import build_speech, normalise, word_error_rate

pytestmark = pytest.mark.integration

api = _fx.api
platform = _fx.platform
redis_url = _fx.redis_url
start_worker = _fx.start_worker

TEXT = (
    "So, um, I, I think the best way to learn is... Sorry. The best way to learn is to speak "
    "every day. And I think I can do it."
)
CLEAN = "So I think the best way to learn is to speak every day. And I think I can do it."
#: Indexes of the reference words that must go: "um,", the first "I,", the first take, "Sorry."
GONE = {1, 2, *range(5, 12)}
FPS = 30
W, H = 180, 320


def _video(wav: Path, seconds: float, out: Path) -> Path:
    """A plain 320x180 video of ``seconds`` with ``wav`` (padded) as its sound, in AAC."""
    argv = ["ffmpeg", "-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi"]
    argv += ["-i", f"color=c=0x203040:s=320x180:r={FPS}", "-i", str(wav)]
    argv += ["-filter_complex", f"[1:a]apad=whole_dur={seconds}[a]", "-map", "0:v", "-map", "[a]"]
    argv += ["-t", str(seconds), "-c:v", "libx264", "-preset", "ultrafast"]
    argv += ["-c:a", "aac", "-ar", "48000", str(out)]
    subprocess.run(argv, check=True, capture_output=True, timeout=120)
    return out


def _source(folder: Path, music_db: float | None, tail_s: float) -> tuple[Any, Path]:
    """The speech on a video, followed by ``tail_s`` of silence (whole frames)."""
    speech = build_speech(text=TEXT, name="disfluent", music_db=music_db)
    assert [w["text"] for w in speech.words][1:4] == ["um,", "I,", "I"]
    seconds = math.ceil((speech.duration + tail_s) * FPS) / FPS
    return speech, _video(speech.wav, seconds, folder / "talk.mp4")


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, Path]:
    """The speech with a music bed 15 dB under it, to its end."""
    return _source(tmp_path_factory.mktemp("disfluent"), -15.0, 0.0)


@pytest.fixture(scope="module")
def dry_source(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, Path]:
    """The speech alone, then 0.3 s of digital silence, where whisper invents words."""
    return _source(tmp_path_factory.mktemp("disfluent-dry"), None, 0.3)


def _covered(start: float, end: float, cuts: list[dict[str, float]]) -> float:
    """The share of [start, end] that the cuts remove."""
    inside = sum(max(0.0, min(end, c["end"]) - max(start, c["start"])) for c in cuts)
    return inside / max(end - start, 1e-6)


def _said(words: list[dict[str, Any]]) -> str:
    return " ".join(normalise(" ".join(str(w["text"]) for w in words)))


def test_whisper_keeps_the_filler_only_with_the_disfluent_prompt(source) -> None:
    from reelgraph.prompts import load
    from reelgraph.workers.engine.asr import transcribe

    _, video = source
    prompt = load("asr_disfluent").text.strip()
    plain = transcribe(str(video))
    prompted = transcribe(str(video), prompt=prompt)
    assert not prompted["cache_hit"]  # its own entry, not the plain transcript's
    assert "um" not in _said(plain["words"]).split()  # whisper drops it by itself
    assert {"umm", "um"} & set(_said(prompted["words"]).split())
    assert _said(prompted["words"]).startswith("so umm i i think")
    assert transcribe(str(video), prompt=prompt)["cache_hit"]


OPTIONS = {
    "remove_fillers": True,
    "remove_retakes": True,
    "remove_silence": True,
    "min_silence": 0.3,
    "silence_padding": 0.1,
    "aspect": "9:16",
    "width": W,
    "height": H,
    "zoom": True,
}


def _check_words(words: list[dict[str, Any]]) -> None:
    """No filler, no "sorry", one take, and "I think I can" intact."""
    from reelgraph.workers.engine.disfluency import is_filler

    said = _said(words)
    assert not any(is_filler(w["text"]) for w in words) and "sorry" not in said
    assert said.count("the best way to learn is") == 1 and said.startswith("so i think")
    assert said.endswith("and i think i can do it"), said  # "I think I can" is no stutter
    assert word_error_rate(CLEAN, said) <= 0.1, said


def test_fillers_stutter_and_retake_are_cut_from_sound_picture_and_captions(
    source, tmp_path: Path
) -> None:
    from reelgraph.graph.caption import run_caption
    from reelgraph.prompts import load
    from reelgraph.workers.engine.asr import transcribe
    from reelgraph.workers.engine.disfluency import is_filler

    speech, video = source
    broll = tmp_path / "broll"
    broll.mkdir()
    Image.new("RGB", (64, 36), (0, 200, 0)).save(broll / "learn.png")
    opts = {**OPTIONS, "broll_dir": str(broll)}
    res = run_caption({"source": str(video)}, opts, out_dir=tmp_path / "a")
    art, report = res["artifacts"], res["report"]

    # what is left to read: captions and transcript
    _check_words(json.loads(Path(art["transcript.json"]).read_text())["words"])
    srt = " ".join(normalise(Path(art["captions.srt"]).read_text()))
    assert " um " not in f" {srt} " and "sorry" not in srt and srt.count("best way") == 1

    # what the report says was cut, and where the cuts are against the words really said
    kinds = {w["kind"] for w in report["removed_words"]}
    assert kinds == {"filler", "stutter", "retake"}, report["removed_words"]
    assert (report["edits"]["fillers"], report["edits"]["stutters"]) == (1, 1)
    assert report["edits"]["retakes"] == 1
    spec = json.loads(Path(art["spec.json"]).read_text())
    for i, w in enumerate(speech.words):
        share = _covered(w["start"], w["end"], spec["cuts"])
        if i in GONE:
            assert share >= 0.75, (w, share, spec["cuts"])
        else:
            assert share <= 0.25, (w, share, spec["cuts"])
    gone_s = sum(c["end"] - c["start"] for c in spec["cuts"])
    assert report["duration_out"] == pytest.approx(report["duration_in"] - gone_s, abs=1 / FPS)

    # sound and picture: one render, the same length within a frame
    streams = ffprobe_json(art["video.mp4"])["streams"]
    v = next(s for s in streams if s["codec_type"] == "video")
    a = next(s for s in streams if s["codec_type"] == "audio")
    assert abs(float(v["duration"]) - float(a["duration"])) <= 1 / FPS + 0.024  # one AAC frame
    assert int(v["nb_frames"]) == pytest.approx(spec["duration"] * FPS, abs=1)
    assert spec["visuals"][0]["motion"]["periodic_zoom"] > 0

    # captions and b-roll on the cut timeline: "learn" of the kept take, moved earlier
    learn = [w for w in spec["captions"]["words"] if normalise(w["text"]) == ["learn"]]
    (overlay,) = spec["overlays"]
    assert len(learn) == 1 and overlay["start"] == pytest.approx(learn[0]["start"], abs=0.01)
    kept_learn = speech.words[16]
    assert kept_learn["text"] == "learn"
    assert overlay["start"] < kept_learn["start"] - 1.0  # the retake and more came out before it

    # what is left to hear: the rendered sound, transcribed with the disfluent prompt
    heard = transcribe(art["video.mp4"], prompt=load("asr_disfluent").text.strip())
    again = _said(heard["words"])
    assert not any(is_filler(w["text"]) for w in heard["words"]), again
    assert "sorry" not in again and again.count("best way to learn") == 1, again

    # another caption look reuses the prompted transcript and the cut list
    second = run_caption(
        {"source": str(video)}, {**opts, "caption_style": "pop"}, out_dir=tmp_path / "b"
    )
    cache = second["report"]["cache"]
    assert cache["transcribe"] == "hit" and cache["disfluency"] == "hit"
    spec2 = json.loads(Path(second["artifacts"]["spec.json"]).read_text())
    assert spec2["cuts"] == spec["cuts"]


def test_words_whisper_writes_after_the_speech_are_not_captioned(
    dry_source, tmp_path: Path
) -> None:
    """With the disfluent prompt, tiny.en writes "So, I think that's the best way to learn."
    over the silence after the last word (a segment it finds likely speechless itself)."""
    from reelgraph.graph.caption import run_caption
    from reelgraph.prompts import load
    from reelgraph.workers.engine.asr import NO_SPEECH_PROMPTED, load_model
    from reelgraph.workers.engine.audio import extract_audio

    speech, video = dry_source
    segments, _ = load_model("tiny.en").transcribe(
        extract_audio(str(video)),
        language="en",
        word_timestamps=True,
        vad_filter=True,
        beam_size=5,
        initial_prompt=load("asr_disfluent").text.strip(),
    )
    tail = [s for s in segments if s.start >= speech.words[-1]["end"] - 0.1]
    assert tail and all(s.no_speech_prob > NO_SPEECH_PROMPTED for s in tail)  # the premise
    res = run_caption({"source": str(video)}, OPTIONS, out_dir=tmp_path)
    _check_words(json.loads(Path(res["artifacts"]["transcript.json"]).read_text())["words"])
    assert {w["kind"] for w in res["report"]["removed_words"]} == {"filler", "stutter", "retake"}


def test_the_switches_work_through_the_api_and_a_worker(api, start_worker, source) -> None:
    """The same cuts when the job runs on a real RQ worker (transcript and cut list as jobs)."""
    start_worker()
    _, video = source
    up = api.post("/v1/uploads", files={"file": ("talk.mp4", video.read_bytes(), "video/mp4")})
    assert up.status_code == 201, up.text
    body = {
        "kind": "caption",
        "input": {"video": up.json()["id"]},
        "options": {"remove_fillers": True, "remove_retakes": True},
    }
    r = api.post("/v1/jobs", json=body)
    assert r.status_code == 202, r.text
    job_id = r.json()["id"]
    view = wait_job_done(api, job_id)
    assert view["status"] == "succeeded", view
    report = api.get(f"/v1/jobs/{job_id}/result").json()["report"]
    assert {w["kind"] for w in report["removed_words"]} == {"filler", "stutter", "retake"}
    transcript = api.get(f"/v1/jobs/{job_id}/artifacts/transcript.json").json()
    _check_words(transcript["words"])
