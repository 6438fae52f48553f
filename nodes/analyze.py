"""Media nodes shared by the caption and analyze graphs, and the analyze graph's own nodes.

ingest_media -> probe_media -> extract_audio -> transcribe_audio  (both graphs)
read_screen_text -> assemble_analysis                              (analyze)
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import time
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from langchain_core.messages import AIMessage
from langgraph.runtime import Runtime

from reelgraph.errors import InvalidInput, MediaTooLarge, MissingAsset, UnsupportedMedia
from reelgraph.files import write_json_atomic
from reelgraph.nodes.rundir import default_out_dir
from reelgraph.nodes.stage import stage
from reelgraph.settings import get_settings
from reelgraph.workers.jobs.dispatch import dispatch

if TYPE_CHECKING:  # types only: nodes never import graph at run time
    from reelgraph.graph.context import AnalyzeContext, Speech
    from reelgraph.graph.state import AnalyzeState, MediaState


logger = logging.getLogger(__name__)

_UPLOAD_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$")


def _upload_path(upload_id: str) -> Path:
    if not _UPLOAD_ID.match(upload_id) or ".." in upload_id:
        raise InvalidInput(
            f"Upload id {upload_id[:80]!r} is not valid; use the id the upload returned."
        )
    root = get_settings().uploads_dir
    direct = root / upload_id
    if direct.is_file():
        return direct
    found = sorted(p for p in root.glob(f"{upload_id}.*") if p.is_file()) if root.is_dir() else []
    if not found:
        raise MissingAsset(f"Upload {upload_id!r} was not found; upload the file again.")
    return found[0]


def _fetch(url: str) -> tuple[Path, dict[str, Any] | None]:
    """A direct media URL or a page that plays a video, fetched once per URL (cached)."""
    from reelgraph.workers.engine.pagemedia import fetch_media

    s = get_settings()
    name = re.sub(r"[^A-Za-z0-9_.-]", "_", url.split("?")[0].rstrip("/").split("/")[-1])[-80:]
    digest = hashlib.sha256(url.encode()).hexdigest()[:24]
    folder = s.home / "downloads" / digest
    record = folder / "source.json"
    if record.is_file():
        done = json.loads(record.read_text())
        if (folder / done["file"]).is_file():
            return folder / done["file"], done.get("page")
    fetched = fetch_media(url, folder, name.lstrip(".") or "media")
    write_json_atomic(record, {"file": fetched.path.name, "page": fetched.page})
    return fetched.path, fetched.page


def resolve_media(source: str) -> tuple[Path, str, dict[str, Any] | None]:
    """A local path for ``source`` (path, ``upload:<id>``, media URL or page URL), its origin
    kind (file, upload, url, page) and, for a page, where its video came from."""
    if not source or not str(source).strip():
        raise InvalidInput("No input media was given; pass a video file, an upload id or a URL.")
    source = str(source).strip()
    if source.startswith(("http://", "https://")):
        path, page = _fetch(source)
        return path, "page" if page else "url", page
    if source.startswith("upload:"):
        return _upload_path(source.removeprefix("upload:")), "upload", None
    if "://" in source:
        raise InvalidInput("Only local files, upload ids and http(s) URLs can be used as input.")
    path = Path(source).expanduser()
    if not path.is_file():
        raise MissingAsset(f"The input file '{source}' does not exist; check the path.")
    return path.resolve(), "file", None


def resolve_source(source: str) -> tuple[Path, str]:
    """``resolve_media`` without the page: a local path and its origin kind."""
    path, origin, _ = resolve_media(source)
    return path, origin


#: What a report shows of the input (``media`` less its server path).
SOURCE_KEYS = ("name", "origin", "bytes", "page")


def source_summary(media: Mapping[str, Any]) -> dict[str, Any]:
    """The input as the report and analysis.json show it; ``page`` only for page URLs."""
    return {k: media[k] for k in SOURCE_KEYS if k in media}


@stage
def ingest_media(state: MediaState, runtime: Runtime[Speech]) -> dict[str, Any]:
    """Resolve the input (a file, an upload, a media URL or a page URL) to a local file under
    the size limit."""
    path, origin, page = resolve_media(state.get("source", ""))
    page = page or state.get("page")  # an API job's page was resolved by its worker already
    size = path.stat().st_size
    limit = get_settings().max_media_bytes
    if size > limit:
        raise MediaTooLarge(
            f"{path.name} is {size / 1e6:.0f} MB, over the {limit / 1e6:.0f} MB limit; "
            "trim it first."
        )
    media = {"path": str(path), "name": path.name, "origin": origin, "bytes": size}
    if page:
        media.update(origin="page", page=page)
    return {"media": media, **default_out_dir(state)}


@stage
def probe_media(state: MediaState, runtime: Runtime[Speech]) -> dict[str, Any]:
    """Read the streams and duration (PyAV); refuse what the flow cannot use."""
    from reelgraph.workers.engine.probe import probe

    info = probe(state["media"]["path"]).to_dict()
    max_s = get_settings().max_duration_s
    if info["duration"] > max_s:
        raise MediaTooLarge(
            f"{state['media']['name']} lasts {info['duration']:.0f}s, over the {max_s:.0f}s limit; "
            "trim it first."
        )
    if state.get("need_video") and not info["has_video"]:
        raise UnsupportedMedia(
            f"{state['media']['name']} has no video stream; captioning needs a video file."
        )
    return {"info": info}


@stage
def extract_audio(state: MediaState, runtime: Runtime[Speech]) -> dict[str, Any]:
    """Decode the audio once to a cached 16 kHz mono wav (permanent cache)."""
    from reelgraph.workers.engine.audio import extract_audio as extract

    if not state["info"]["has_audio"]:
        if state.get("need_audio"):
            raise UnsupportedMedia(
                f"{state['media']['name']} has no audio track, so there is no speech to caption."
            )
        return {"audio_wav": None, "warnings": ["The input has no audio track; no transcript."]}
    t0 = time.time()
    wav = dispatch(extract, queue="cpu", src=state["media"]["path"])
    hit = os.stat(wav).st_mtime < t0 - 0.01
    return {"audio_wav": wav, "cache": {"extract_audio": "hit" if hit else "miss"}}


@stage
def transcribe_audio(state: MediaState, runtime: Runtime[Speech]) -> dict[str, Any]:
    """faster-whisper with word timings (chunked for long inputs; permanent cache).

    With remove_fillers the initial prompt is a disfluent one, so whisper writes the fillers
    and stutters it otherwise drops; that transcript is a cache entry of its own.
    """
    from reelgraph.workers.engine.asr import device_and_compute, transcribe

    if not state.get("audio_wav"):
        empty: dict[str, Any] = {"language": None, "duration": 0.0, "segments": [], "words": []}
        return {"transcript": empty}
    from reelgraph.nodes.disfluency import asr_prompt

    model, language = runtime.context.asr_model, runtime.context.language
    queue = "gpu" if device_and_compute()[0] == "cuda" else "cpu"
    kw: dict[str, Any] = {"audio": state["media"]["path"], "model": model, "language": language}
    prompt = asr_prompt(runtime.context)
    if prompt:  # a disfluent prompt keeps "um" in the text (its own cache entry)
        kw["prompt"] = prompt
    result = dispatch(transcribe, queue=queue, **kw)
    hit = bool(result.pop("cache_hit", False))
    warnings = [] if result["words"] else ["No speech was recognised in the input."]
    if result.get("language_note"):
        warnings.append(result["language_note"])
    return {
        "transcript": result,
        "cache": {"transcribe": "hit" if hit else "miss"},
        "warnings": warnings,
    }


@stage
def read_screen_text(state: AnalyzeState, runtime: Runtime[AnalyzeContext]) -> dict[str, Any]:
    """OCR on frames sampled every N frames, deduplicated across frames (permanent cache)."""
    from reelgraph.workers.engine.ocr import text_map

    if not state["info"]["has_video"]:
        return {"screen_text": []}
    every = runtime.context.every_n_frames
    if every < 1:
        raise InvalidInput(f"--every {every} is not valid; sample every 1 or more frames.")
    engine = runtime.context.ocr_engine
    res = dispatch(
        text_map, queue="cpu", video=state["media"]["path"], every_n_frames=every, engine=engine
    )
    return {
        "screen_text": res["items"],
        "ocr_engine": res["engine"],
        "cache": {"ocr": "hit" if res["cache_hit"] else "miss"},
    }


def analysis_document(state: Mapping[str, Any]) -> dict[str, Any]:
    """The analyze JSON: metadata, transcript (segments + words) and on-screen text."""
    tr = state.get("transcript") or {}
    return {
        "source": source_summary(state["media"]),
        "metadata": state["info"],
        "transcript": {
            "language": tr.get("language"),
            "language_probability": tr.get("language_probability"),
            "language_source": tr.get("language_source"),
            **({"language_note": tr["language_note"]} if tr.get("language_note") else {}),
            "model": tr.get("model"),
            "text": " ".join(s.get("text", "").strip() for s in tr.get("segments", [])).strip(),
            "segments": tr.get("segments", []),
            "words": tr.get("words", []),
        },
        "on_screen_text": state.get("screen_text", []),
        "ocr_engine": state.get("ocr_engine"),
        "timings": state.get("timings", {}),
        "cache": state.get("cache", {}),
        "warnings": state.get("warnings", []),
    }


@stage
def assemble_analysis(state: AnalyzeState, runtime: Runtime[AnalyzeContext]) -> dict[str, Any]:
    """Write analysis.json into the run's directory."""
    out_dir = Path(state["out_dir"])
    out_dir.mkdir(parents=True, exist_ok=True)
    doc = analysis_document(state)
    path = write_json_atomic(out_dir / "analysis.json", doc)
    n_words = len(doc["transcript"]["words"])
    msg = f"Analyzed {state['media']['name']}: {n_words} words, {len(doc['on_screen_text'])} texts."
    return {
        "analysis": doc,
        "artifacts": {"analysis.json": path},
        "messages": [AIMessage(content=msg)],
    }
