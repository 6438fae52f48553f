"""Filler, stutter and retake removal for the caption flow's plan_edits.

The cached ``disfluency_map`` job finds them in the transcript and checks them against the
audio; ambiguous retakes go to the configured chat model (``prompts/confirm_retakes``), and are
kept when there is none. The cut ranges join the silence cuts in the one RenderSpec, and the
removed words leave the transcript, so captions, b-roll and transcript.json follow the cuts.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from reelgraph.workers.jobs.dispatch import dispatch

if TYPE_CHECKING:  # types only: nodes never import graph at run time
    from reelgraph.graph.context import CaptionContext

logger = logging.getLogger(__name__)


def asr_prompt(context: Any) -> str | None:
    """Whisper's initial prompt: a disfluent one when fillers are to be cut, else none."""
    if not getattr(context, "remove_fillers", False):
        return None
    from reelgraph.prompts import load

    return load("asr_disfluent", "v1").text.strip()


def _confirm(
    asks: list[dict[str, Any]], ctx: CaptionContext
) -> tuple[list[bool], dict[str, str], list[str]]:
    """The chat model's yes/no for each ambiguous retake (all no without a model)."""
    from reelgraph.nodes import models
    from reelgraph.prompts import load
    from reelgraph.workers.engine.disfluency_cuts import confirm_retakes

    no = [False] * len(asks)
    if not asks:
        return no, {}, []
    kept = f"{len(asks)} possible retake(s) kept"
    model = models.get_chat_model(ctx.llm_model)
    if model is None:
        return no, {}, [f"{kept}: configure an LLM endpoint to have them judged."]
    try:
        res = confirm_retakes([a["case"] for a in asks], model, load("confirm_retakes", "v1").text)
    except Exception as exc:  # the model is optional here: keep the takes, say why
        logger.warning("retake confirmation failed: %s", exc)
        return no, {}, [f"{kept}: the chat model failed ({type(exc).__name__})."]
    cache = {"retake_llm": "hit" if res["cache_hit"] else "miss"}
    if res["answers"] is None:
        return no, cache, [f"{kept}: {res['reason']}."]
    return list(res["answers"]), cache, []


def remove_disfluencies(state: Mapping[str, Any], ctx: CaptionContext) -> dict[str, Any]:
    """``{"cuts", "transcript", "removed", "counts", "cache", "warnings"}`` for plan_edits.

    ``transcript`` is the transcript without the removed words (None when nothing changed);
    ``removed`` lists each word cut from the sound: text, start, end, kind.
    """
    from reelgraph.workers.engine.disfluency_cuts import disfluency_map, without_words

    out: dict[str, Any] = {"cuts": [], "transcript": None, "removed": [], "counts": {}}
    out.update(cache={}, warnings=[])
    words = (state.get("transcript") or {}).get("words", [])
    if not (ctx.remove_fillers or ctx.remove_retakes) or not words or not state.get("audio_wav"):
        return out
    res = dispatch(
        disfluency_map,
        queue="cpu",
        wav=state["audio_wav"],
        words=words,
        fillers=ctx.remove_fillers,
        retakes=ctx.remove_retakes,
    )
    out["cache"]["disfluency"] = "hit" if res["cache_hit"] else "miss"
    asks = [f for f in res["found"] if f["status"] == "ask"]
    answers, llm_cache, warnings = _confirm(asks, ctx)
    out["cache"].update(llm_cache)
    out["warnings"] += warnings
    confirmed = [a for a, yes in zip(asks, answers, strict=True) if yes]
    cut = [f for f in res["found"] if f["status"] == "cut"] + confirmed
    in_cuts = {i for f in cut for i in f["indexes"]}
    caption_only = [
        f for f in res["found"] if f["status"] == "caption" and not set(f["indexes"]) <= in_cuts
    ]
    phantoms = sum(1 for f in caption_only if f["kind"] == "phantom")
    if len(caption_only) > phantoms:
        out["warnings"].append(
            f"{len(caption_only) - phantoms} filler(s) or repeat(s) left the captions but not "
            "the sound: no clear speech under them to cut."
        )
    if phantoms:
        out["warnings"].append(
            f"{phantoms} word(s) the recognizer wrote over silence left the captions."
        )
    gone = {i for f in cut + caption_only for i in f["indexes"]}
    if not gone:
        return out
    out["transcript"] = without_words(dict(state["transcript"]), gone)
    out["cuts"] = [tuple(f["range"]) for f in cut]
    kinds: dict[int, str] = {}  # a filler inside a retake is listed once
    for f in sorted(cut, key=lambda f: f["indexes"][0]):
        for i in f["indexes"]:
            kinds.setdefault(i, f["kind"])
    out["removed"] = [
        {"text": words[i]["text"], "start": words[i]["start"], "end": words[i]["end"], "kind": k}
        for i, k in sorted(kinds.items())
    ]
    out["counts"] = {
        k: sum(1 for f in cut if f["kind"] == k) for k in ("filler", "stutter", "retake")
    }
    return out
