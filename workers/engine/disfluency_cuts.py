"""Disfluencies checked against the audio and turned into cut ranges (a conditional cache entry).

``disfluency_map`` (a job) runs ``disfluency.find_disfluencies`` on the transcript's words and
decides, with the audio's 10 ms levels, what each one becomes:

- ``cut``: removed from sound, picture and captions. Its range runs from the first removed
  word's start to the next word's start (the pause after it goes too, up to ``MAX_TRAIL_S``),
  each edge moved to the nearest quiet between words (``snap``), because whisper's word
  edges are often a tenth of a second off;
- ``caption``: removed from the captions only. A filler must have voiced audio under it
  (``MIN_VOICED`` of its windows within ``VOICED_DB`` of the speech's level) and a duration of
  ``FILLER_S``; whisper sometimes writes an "um" with no time or over silence, and cutting
  there would cut something else;
- ``caption`` too: a "phantom", a word whisper gave no time or is unsure of (probability
  under 0.5) with next to no voiced audio under it; the disfluent prompt makes whisper invent
  a few after the speech ends. Looked for only with fillers (the prompt is used only then);
- ``ask``: an ambiguous retake, cut only when a chat model confirms it (``confirm_retakes``,
  cached per model and prompt hash).

The map is keyed by the audio bytes, the words (texts and times) and the two switches.
"""

from __future__ import annotations

import hashlib
import logging
import re
from typing import Any

import numpy as np

from reelgraph.workers.engine.cache import get_cache, make_key
from reelgraph.workers.engine.correct import model_id
from reelgraph.workers.engine.disfluency import Found, find_disfluencies
from reelgraph.workers.engine.silence import WINDOW_S, decode_pcm, window_levels_db

logger = logging.getLogger(__name__)

NAMESPACE = "disfluency"
LLM_NAMESPACE = "retake-llm"
VERSION = 2
SNAP_BACK_S = 0.2
DIP_BACK_S = 0.08
GAP_WINDOWS = 2
FLOOR_S = 0.3
QUIET_DB = 6.0
MAX_TRAIL_S = 0.4
VOICED_DB = 30.0
MIN_VOICED = 0.3
FILLER_S = (0.08, 1.5)
MIN_WORD_S = 0.04
PHANTOM_PAD_S = 0.05
PHANTOM_PROB = 0.5
PHANTOM_VOICED = 0.1
MAX_CASES = 200
_ANSWER = re.compile(r"^\s*(\d+)\s*[\t:.)\-]\s*(yes|no)\b", re.I)


def voiced(levels: np.ndarray) -> np.ndarray:
    """Windows within ``VOICED_DB`` of the loud speech (95th percentile), above -60 dBFS."""
    if not len(levels):
        return np.zeros(0, dtype=bool)
    ref = float(np.percentile(levels, 95))
    return np.asarray(levels >= max(ref - VOICED_DB, -60.0))


def snap(t: float, levels: np.ndarray) -> float:
    """``t`` moved to the quiet between two words nearest to it (``SNAP_BACK_S`` either way).

    Whisper's word edges are often a tenth of a second off, late more often than early; a cut
    should start or end in the quiet between words, never inside one. Quiet is within
    ``QUIET_DB`` of the lowest level around ``t`` (a music bed raises the floor, not the rule).
    ``t`` already in the quiet stays; else the cut edge goes to the last window of the nearest
    quiet run (just before the word that follows it), a run after ``t`` counting as half again
    as far. Words said without a pause have no quiet between them: then the softest window in
    the ``DIP_BACK_S`` before ``t``.
    """
    if not len(levels):
        return t
    n = len(levels)
    k = min(max(int(t / WINDOW_S), 0), n - 1)
    reach = int(SNAP_BACK_S / WINDOW_S)
    lo, hi = max(0, k - reach), min(n, k + reach + 1)
    floor = float(levels[max(0, k - int(FLOOR_S / WINDOW_S)) : hi].min())
    quiet = levels[lo:hi] <= floor + QUIET_DB
    if quiet[k - lo]:
        return t
    best: tuple[float, float] | None = None
    i = 0
    while i < len(quiet):
        if not quiet[i]:
            i += 1
            continue
        j = i  # a run may have gaps of up to GAP_WINDOWS (a music bed flickers above the floor)
        while j + 1 < len(quiet) and quiet[j + 1 : j + 2 + GAP_WINDOWS].any():
            j += 1 + int(np.argmax(quiet[j + 1 : j + 2 + GAP_WINDOWS]))
        a, b = lo + i, lo + j
        cost = k - b if b < k else 1.5 * (a - k)
        if best is None or cost < best[0]:
            best = (cost, (b + 0.5) * WINDOW_S)
        i = j + 1
    if best is not None:
        return round(best[1], 3)
    dip = max(0, k - int(DIP_BACK_S / WINDOW_S))
    m = dip + int(np.argmin(levels[dip : k + 1]))
    return t if m == k else round((m + 0.5) * WINDOW_S, 3)


def voiced_share(start: float, end: float, mask: np.ndarray) -> float:
    a, b = int(start / WINDOW_S), int(np.ceil(end / WINDOW_S))
    part = mask[max(0, a) : min(len(mask), b)]
    return float(part.mean()) if len(part) else 0.0


def _range(
    words: list[dict[str, Any]], f: Found, levels: np.ndarray, duration: float
) -> tuple[float, float] | None:
    first, last = words[f.indexes[0]], words[f.indexes[-1]]
    last_end = float(last["end"])
    after = f.indexes[-1] + 1
    if after < len(words) and float(words[after]["start"]) - last_end <= MAX_TRAIL_S:
        end = snap(float(words[after]["start"]), levels)
    else:
        end = min(duration, last_end + 0.1)
    start = snap(float(first["start"]), levels)
    return (start, end) if end - start >= MIN_WORD_S else None


def _status(words: list[dict[str, Any]], f: Found, mask: np.ndarray) -> str:
    if f.kind == "retake":
        return "cut" if f.sure else "ask"
    w = words[f.indexes[0]]
    start, end = float(w["start"]), float(w["end"])
    lo, hi = FILLER_S if f.kind == "filler" else (MIN_WORD_S, 10.0)
    heard = voiced_share(start, end, mask) >= MIN_VOICED
    return "cut" if lo <= end - start <= hi and heard else "caption"


def plan_removals(
    words: list[dict[str, Any]],
    levels: np.ndarray,
    *,
    fillers: bool = True,
    retakes: bool = True,
) -> list[dict[str, Any]]:
    """Each disfluency: ``{"kind", "indexes", "status", "range", "case"}`` (see module doc)."""
    duration = len(levels) * WINDOW_S
    mask = voiced(levels)
    phantoms = find_phantoms(words, mask) if fillers else []
    ignore = {f.indexes[0] for f in phantoms}
    out: list[dict[str, Any]] = [
        {"kind": f.kind, "indexes": f.indexes, "status": "caption", "range": None, "case": {}}
        for f in phantoms
    ]
    for f in find_disfluencies(words, fillers=fillers, retakes=retakes, ignore=ignore):
        status = _status(words, f, mask)
        span = _range(words, f, levels, duration) if status != "caption" else None
        if span is None and status != "caption":
            status = "caption"
        out.append(
            {
                "kind": f.kind,
                "indexes": f.indexes,
                "status": status,
                "range": [span[0], span[1]] if span else None,
                "case": f.case,
            }
        )
    return sorted(out, key=lambda f: f["indexes"][0])


def find_phantoms(words: list[dict[str, Any]], mask: np.ndarray) -> list[Found]:
    """Words whisper wrote over silence, with no time or unsure of them: a disfluent prompt
    makes it invent a few after the speech ends ("So, I think..." with no time)."""
    out = []
    for i, w in enumerate(words):
        start, end = float(w["start"]), float(w["end"])
        untimed = end - start < MIN_WORD_S
        if untimed:  # a word with no time: look around where it would be
            start, end = max(0.0, start - PHANTOM_PAD_S), end + PHANTOM_PAD_S
        unsure = untimed or float(w.get("prob", 0.0)) < PHANTOM_PROB
        if unsure and voiced_share(start, end, mask) < PHANTOM_VOICED:
            out.append(Found("phantom", [i]))
    return out


def disfluency_map(
    wav: str, words: list[dict[str, Any]], fillers: bool = True, retakes: bool = True
) -> dict[str, Any]:
    """Job: ``{"found": [...], "cache_hit"}`` for ``words`` heard in ``wav`` (cached)."""
    params = {
        "v": VERSION,
        "fillers": fillers,
        "retakes": retakes,
        "words": [[str(w["text"]), float(w["start"]), float(w["end"])] for w in words],
    }
    key = make_key(NAMESPACE, params, [wav])
    cache = get_cache()
    hit = cache.get_json(NAMESPACE, key)
    if hit is not None:
        return {**hit, "cache_hit": True}
    levels = window_levels_db(decode_pcm(wav))
    value = {"found": plan_removals(words, levels, fillers=fillers, retakes=retakes)}
    cache.put_json(NAMESPACE, key, value)
    logger.info("disfluencies in %s: %d found (key %s)", wav, len(value["found"]), key[:12])
    return {**value, "cache_hit": False}


def numbered_cases(cases: list[dict[str, str]]) -> str:
    return "\n".join(
        f"{i}\t" + "\t".join(f"{k}: {v}" for k, v in case.items())
        for i, case in enumerate(cases, 1)
    )


def parse_answers(text: str, expected: int) -> list[bool] | None:
    """The yes/no answers in order, or None when the reply does not answer every case once."""
    found: dict[int, bool] = {}
    for line in text.strip().strip("`").splitlines():
        m = _ANSWER.match(line)
        if m:
            found[int(m.group(1))] = m.group(2).lower() == "yes"
    if sorted(found) != list(range(1, expected + 1)):
        return None
    return [found[i] for i in range(1, expected + 1)]


def _ask(chat_model: Any, prompt_text: str, cases: list[dict[str, str]]) -> str:
    from langchain_core.messages import HumanMessage, SystemMessage

    reply = chat_model.invoke(
        [SystemMessage(content=prompt_text), HumanMessage(content=numbered_cases(cases))]
    )
    content = reply.content if hasattr(reply, "content") else reply
    if isinstance(content, list):  # content blocks
        content = "".join(c.get("text", "") if isinstance(c, dict) else str(c) for c in content)
    return str(content)


def confirm_retakes(
    cases: list[dict[str, str]], chat_model: Any, prompt_text: str
) -> dict[str, Any]:
    """``{"answers": [bool] | None, "reason", "cache_hit"}``: which retakes the model confirms.

    Cached per model, prompt hash and cases. ``answers`` is None (nothing confirmed) when the
    reply does not answer each case with yes or no.
    """
    if not cases or len(cases) > MAX_CASES:
        reason = "" if not cases else f"more than {MAX_CASES} possible retakes"
        return {"answers": None if cases else [], "reason": reason, "cache_hit": False}
    params = {
        "v": VERSION,
        "model": model_id(chat_model),
        "prompt": hashlib.sha256(prompt_text.encode()).hexdigest(),
        "cases": cases,
    }
    key = make_key(LLM_NAMESPACE, params)
    cache = get_cache()
    answers = cache.get_json(LLM_NAMESPACE, key)
    if answers is not None:
        return {"answers": answers, "reason": "", "cache_hit": True}
    answers = parse_answers(_ask(chat_model, prompt_text, cases), len(cases))
    if answers is None:
        logger.warning("retake confirmation ignored: the reply does not answer every case")
        return {
            "answers": None,
            "reason": "the reply did not answer every case",
            "cache_hit": False,
        }
    cache.put_json(LLM_NAMESPACE, key, answers)
    return {"answers": answers, "reason": "", "cache_hit": False}


def without_words(transcript: dict[str, Any], indexes: set[int]) -> dict[str, Any]:
    """``transcript`` with the words at ``indexes`` removed from its words and its segments."""
    words = transcript.get("words", [])
    gone = {(w["start"], w["end"], w["text"]) for i, w in enumerate(words) if i in indexes}
    segments = []
    for seg in transcript.get("segments", []):
        seg_words = seg.get("words") or []
        kept = [w for w in seg_words if (w["start"], w["end"], w["text"]) not in gone]
        if len(kept) == len(seg_words):
            segments.append(seg)
        elif kept:
            text = " ".join(str(w["text"]) for w in kept)
            segments.append({**seg, "words": kept, "text": text})
    return {
        **transcript,
        "words": [w for i, w in enumerate(words) if i not in indexes],
        "segments": segments,
    }


__all__ = ["confirm_retakes", "disfluency_map", "plan_removals", "without_words"]
