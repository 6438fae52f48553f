"""translate_captions (create and caption flows, after render when ``translate`` is set).

For each language: the burned captions' cues are translated by the configured chat model (one
numbered line per cue, cached per model and prompt), written as ``captions.<lang>.srt/.vtt``
with the source cues' times, and added to the video as tagged ``mov_text`` subtitle streams by
one stream-copy remux. With ``dub``, each translation is also narrated and rendered as
``video.<lang>.mp4``: create re-narrates the plan's scenes in that language and re-times the
scenes to the new narration; caption replaces the speech with the translated sentences, each
placed at its sentence's time (sped up within limits where it runs long).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from langgraph.runtime import Runtime

from reelgraph.errors import LLMError
from reelgraph.nodes.stage import stage
from reelgraph.settings import get_settings
from reelgraph.workers.engine.scripts import join_words, language_name
from reelgraph.workers.engine.spec import Audio, RenderSpec
from reelgraph.workers.engine.subtitles import Segment
from reelgraph.workers.jobs.dispatch import dispatch, dispatch_many

#: A pause longer than this between two cues starts a new dubbed sentence.
DUB_GAP_S = 1.0


def _translate(model: Any, texts: Sequence[str], code: str) -> tuple[list[str] | None, bool]:
    from reelgraph.nodes.llm_planner import invoke_with_backoff
    from reelgraph.prompts import load
    from reelgraph.workers.engine.translate import translate_texts

    prompt = load("translate_captions").format(language=code, language_name=language_name(code))
    retries = get_settings().llm_max_retries
    res = translate_texts(
        texts, model, prompt, invoke=lambda msgs: invoke_with_backoff(model, msgs, retries=retries)
    )
    return res["texts"], res["cache_hit"]


def _render(spec: RenderSpec, out: Path) -> str:
    from reelgraph.workers.engine.render import render_spec, store_relative

    doc = store_relative(spec.model_dump(mode="json"))
    return str(dispatch(render_spec, queue="gpu", spec=doc, out_path=str(out))["path"])


def _synthesize(texts: Sequence[str], voice: str | None, speed: float, code: str) -> list[Any]:
    from reelgraph.workers.engine.tts import synthesize_text

    calls = [{"text": t, "voice": voice, "speed": speed, "language": code} for t in texts]
    return dispatch_many(
        synthesize_text, calls, queue="cpu", parallel=get_settings().tts_parallelism
    )


def _dub_create(state: dict[str, Any], ctx: Any, code: str, model: Any) -> tuple[str | None, str]:
    """The plan's scenes narrated in ``code``, re-timed, rendered; (path, warning)."""
    from reelgraph.nodes.compose import _stills_spec
    from reelgraph.nodes.narrate import scene_gaps
    from reelgraph.workers.engine.narration import assemble_narration

    scenes = state["plan"]["scenes"]
    texts, _hit = _translate(model, [s["narration"] for s in scenes], code)
    if texts is None:
        return None, f"The {language_name(code)} scene translation failed; no dubbed video."
    clips = _synthesize(texts, ctx.dub_voice, float(ctx.speed), code)
    gaps = scene_gaps(clips, [s["pacing"] for s in scenes], ctx.duration)
    narration = dispatch(assemble_narration, queue="cpu", clips=clips, gap=gaps)
    words = [{**w, "emphasis": False} for w in narration["words"]]
    for w in words:
        w.pop("scene", None)
    dubbed = {**state, "narration": narration, "caption_words": words}
    return _render(_stills_spec(dubbed, ctx), Path(state["out_dir"]) / f"video.{code}.mp4"), ""


def sentence_groups(segments: Sequence[Segment], texts: Sequence[str]) -> list[tuple[int, int]]:
    """Runs of cues [first, last) spoken as one dubbed sentence: a cue whose source text ends
    a sentence, or a pause of more than ``DUB_GAP_S`` after it, closes a run."""
    from reelgraph.workers.engine.captions import _SENTENCE_END

    groups, first = [], 0
    for i, seg in enumerate(segments):
        last = i + 1 == len(segments)
        pause = not last and segments[i + 1].start - seg.speech_end > DUB_GAP_S
        if last or pause or _SENTENCE_END.search(seg.text):
            groups.append((first, i + 1))
            first = i + 1
    return groups


def _dub_caption(
    state: dict[str, Any], ctx: Any, code: str, segments: Sequence[Segment], texts: Sequence[str]
) -> tuple[str | None, str]:
    """The video with its speech replaced by the translation, placed per sentence."""
    from reelgraph.workers.engine.dub import MAX_STRETCH, mix_dub, place_clips

    spec = RenderSpec.model_validate(state["spec"])
    groups = sentence_groups(segments, texts)
    sentences = [join_words(list(texts[a:b])) for a, b in groups]
    clips = _synthesize(sentences, ctx.dub_voice, 1.0, code)
    starts = [segments[a].start for a, _ in groups]
    slots = list(zip(starts, [*starts[1:], spec.duration], strict=True))
    placed = place_clips(clips, slots, spec.duration)
    mix = dispatch(
        mix_dub,
        queue="cpu",
        audio=[c["audio"] for c in clips],
        placements=placed["placements"],
        total=spec.duration,
    )
    doc = spec.model_dump(mode="json")
    audio = Audio(narration=mix["audio"], loudness_lufs=spec.audio.loudness_lufs)
    doc["audio"] = audio.model_dump(mode="json")
    if doc.get("captions"):
        doc["captions"]["words"] = placed["words"]
    dubbed = RenderSpec.model_validate(doc)
    warning = ""
    if placed["late"]:
        warning = (
            f"{placed['late']} of {len(groups)} {language_name(code)} sentences run past their "
            f"time even {MAX_STRETCH:g}x faster; the ones after them start later."
        )
    return _render(dubbed, Path(state["out_dir"]) / f"video.{code}.mp4"), warning


@stage
def translate_captions(state: dict[str, Any], runtime: Runtime[Any]) -> dict[str, Any]:
    """captions.<lang>.srt/.vtt per language, the subtitle streams, and dubbed videos."""
    from reelgraph.nodes.models import get_chat_model
    from reelgraph.workers.engine.subtitles import mux_subtitles, spec_segments, write_tracks

    ctx = runtime.context
    model = get_chat_model(ctx.llm_model)
    if model is None:
        raise LLMError(
            "Translating captions needs a chat model endpoint: set OPENAI_BASE_URL and/or "
            "OPENAI_API_KEY."
        )
    segments, max_chars = spec_segments(state["spec"])
    if not segments:
        return {"warnings": ["Nothing is said in the video, so there is nothing to translate."]}
    out_dir = Path(state["out_dir"])
    results: dict[str, Any] = {}
    warnings: list[str] = []
    tracks: list[tuple[str, str]] = []
    for code in ctx.translate:
        texts, hit = _translate(model, [s.text for s in segments], code)
        if texts is None:
            warnings.append(
                f"The chat model did not keep one line per caption when translating into "
                f"{language_name(code)}; no {code} track was made."
            )
            continue
        paths = write_tracks(segments, texts, max_chars, out_dir, code)
        tracks.append((paths["srt"], code))
        entry: dict[str, Any] = {**paths, "cues": len(segments), "cache": "hit" if hit else "miss"}
        if ctx.dub:
            if "plan" in state:
                video, warning = _dub_create(state, ctx, code, model)
            else:
                video, warning = _dub_caption(state, ctx, code, segments, texts)
            entry["video"] = video
            warnings += [warning] if warning else []
        results[code] = entry
    update: dict[str, Any] = {"translations": results, "warnings": warnings}
    if tracks:
        muxed = mux_subtitles(state["video"]["path"], tracks, out_dir / "video.mp4")
        update["video"] = {**state["video"], "path": muxed}
    return update


def translation_artifacts(translations: dict[str, Any]) -> dict[str, str]:
    """Artifact name -> path of every translated track and dubbed video."""
    out: dict[str, str] = {}
    for code, entry in translations.items():
        for ext in ("srt", "vtt"):
            if entry.get(ext):
                out[f"captions.{code}.{ext}"] = entry[ext]
        if entry.get("video"):
            out[f"video.{code}.mp4"] = entry["video"]
    return out


def route_after_render(state: dict[str, Any], runtime: Runtime[Any]) -> str:
    """translate_captions when the run asks for translations; else straight to deliver."""
    wanted = runtime is not None and bool(getattr(runtime.context, "translate", None))
    return translate_captions.__name__ if wanted else "deliver"
