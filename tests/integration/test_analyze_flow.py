"""analyze: metadata, the spoken words and the burned-in text, with times, as JSON."""

from __future__ import annotations

import difflib
import json
import os
import re
import shutil
from pathlib import Path

import pytest

from tests.fixtures_video import (  # noqa: F401  (pytest fixtures)
    BURNED_TEXT,
    TALK_TEXT,
    bad_src,
    talk_src,
    video_dir,
)

pytestmark = pytest.mark.integration


def _norm(text: str) -> str:
    return re.sub(r"[^a-z0-9 ]", "", text.lower()).strip()


def test_analyze_returns_speech_and_burned_text(talk_src: Path, tmp_path: Path) -> None:
    from reelgraph.graph.analyze import run_analyze

    res = run_analyze({"source": str(talk_src)}, {"every_n_frames": 30}, out_dir=tmp_path)
    doc = res["analysis"]
    assert doc["metadata"]["width"] == 320 and doc["metadata"]["has_audio"] is True
    spoken = {_norm(w["text"]) for w in doc["transcript"]["words"]}
    expected = {_norm(w) for w in TALK_TEXT.split()}
    assert len(spoken & expected) >= 0.7 * len(expected), spoken
    words = doc["transcript"]["words"]
    assert all(w["end"] >= w["start"] for w in words)
    assert words[-1]["end"] <= doc["metadata"]["duration"] + 0.05
    texts = doc["on_screen_text"]
    burned = [t for t in texts if _norm(t["text"]) == _norm(BURNED_TEXT)]
    assert len(burned) == 1, texts  # one item, deduplicated across every sampled frame
    assert burned[0]["start"] == 0.0
    assert burned[0]["end"] == pytest.approx(doc["metadata"]["duration"], abs=0.05)
    assert burned[0]["confidence"] > 0.8
    saved = json.loads(Path(res["artifacts"]["analysis.json"]).read_text())
    assert saved["on_screen_text"] == texts


def test_analyze_cli_json_and_no_audio(
    bad_src: dict[str, Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from reelgraph.app.cli import main

    out = tmp_path / "a.json"
    assert main(["analyze", str(bad_src["no_audio"]), "-o", str(out), "--every", "60", "-q"]) == 0
    doc = json.loads(out.read_text())
    assert doc["transcript"]["words"] == []
    assert any("no audio" in w for w in doc["warnings"])
    assert any(_norm(t["text"]) == _norm(BURNED_TEXT) for t in doc["on_screen_text"])
    capsys.readouterr()
    assert main(["analyze", str(bad_src["no_audio"]), "--every", "60"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["metadata"]["has_audio"] is False
    assert main(["analyze", str(bad_src["no_audio"]), "--every", "0"]) == 1


def _postgres_url() -> str | None:
    """A reachable Postgres for the checkpointer test (REELGRAPH_TEST_POSTGRES_URL or local)."""
    url = os.environ.get(
        "REELGRAPH_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
    )
    try:
        import psycopg

        with psycopg.connect(url, connect_timeout=2) as conn:
            conn.execute("select 1")
        return url
    except Exception:
        return None


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_analyze_run_resumes_from_its_checkpoint(
    talk_src: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    backend: str,
) -> None:
    """A run that died after transcription continues there: the transcript is not redone."""
    import uuid

    import reelgraph.graph.analyze as ga
    from reelgraph.errors import TransientError
    from reelgraph.graph.checkpoint import get_checkpointer

    url = ""
    if backend == "postgres":
        url = _postgres_url() or ""
        if not url:
            pytest.skip("no Postgres reachable (set REELGRAPH_TEST_POSTGRES_URL)")
    job_id = f"job-resume-{uuid.uuid4().hex[:8]}"

    calls = {"transcribe": 0, "ocr": 0}
    real_transcribe, real_ocr = ga.transcribe_audio, ga.read_screen_text

    def transcribe_audio(state, runtime):  # same name: the node keeps its name
        calls["transcribe"] += 1
        return real_transcribe(state, runtime)

    def read_screen_text(state, runtime):
        calls["ocr"] += 1
        if calls["ocr"] == 1:
            raise TransientError("the worker died here")
        return real_ocr(state, runtime)

    monkeypatch.setattr(ga, "transcribe_audio", transcribe_audio)
    monkeypatch.setattr(ga, "read_screen_text", read_screen_text)
    events: list[dict] = []
    with get_checkpointer(url) as cp:
        assert type(cp).__name__ == ("PostgresSaver" if url else "SqliteSaver")
        with pytest.raises(TransientError):
            ga.run_analyze(
                {"source": str(talk_src)},
                {"every_n_frames": 60},
                out_dir=tmp_path,
                checkpointer=cp,
                job_id=job_id,
            )
        res = ga.run_analyze(
            {"source": str(talk_src)},
            {"every_n_frames": 60},
            out_dir=tmp_path,
            on_event=events.append,
            checkpointer=cp,
            job_id=job_id,
        )
    assert calls == {"transcribe": 1, "ocr": 2}
    assert [e for e in events if e["type"] == "resumed"] == [
        {"type": "resumed", "stage": "read_screen_text"}
    ]
    assert res["analysis"]["transcript"]["words"]
    assert any(_norm(t["text"]) == _norm(BURNED_TEXT) for t in res["analysis"]["on_screen_text"])


@pytest.mark.skipif(shutil.which("tesseract") is None, reason="tesseract is not installed")
def test_analyze_with_tesseract_reads_the_burned_text(talk_src: Path, tmp_path: Path) -> None:
    from reelgraph.graph.analyze import run_analyze

    res = run_analyze(
        {"source": str(talk_src)},
        {"every_n_frames": 60, "ocr_engine": "tesseract"},
        out_dir=tmp_path,
    )
    doc = res["analysis"]
    assert doc["ocr_engine"] == "tesseract"
    texts = [_norm(t["text"]) for t in doc["on_screen_text"]]
    best = max(
        (difflib.SequenceMatcher(None, t, _norm(BURNED_TEXT)).ratio() for t in texts), default=0.0
    )
    assert best >= 0.8, texts
