"""Moments of a long talk: its sentences, the windows of whole sentences a clip can be, the
heuristic score of a window, and the pick of the best windows that do not overlap.

A sentence ends at a word ending in ``.``, ``!`` or ``?`` (the transcript's punctuation; the
last word closes the last one). A window is a run of whole sentences: it starts ``LEAD_S``
before its first word and ends ``TAIL_S`` after its last, never past the middle of the pause
to the next sentence, and is snapped inwards to the frame grid, so two windows made of
different sentences never overlap and a clip lasts exactly its whole frames.

Without a chat model a window's score (0..1) is its completeness times the weighted sum of
the other measures of its words:

- completeness (a factor): 1, times 0.4 when it opens on a word that points back (``and``,
  ``but``, ``so``, ``it``, ``this``...), times 0.6 when the sentence after it points back into
  it (such an opener, or a pronoun such as ``it`` or ``they`` in its first four words: it
  continues the thought), times 0.6 when it ends on an open question;
- standalone (0.27): its first sentence shares no content word with the sentence before it,
  nor its last with the sentence after it (one shared word counts half, two fully against
  it), so it holds a whole topic rather than half of one;
- named things and numbers (0.20): capitalised names inside sentences, digits and number
  words, per word (8% or more counts fully);
- hook (0.20): its first sentence asks a question (1), names a number or a name (0.7), speaks
  to the viewer (0.6), else 0.3;
- density (0.15): words per second, 1.2 (slow) to 2.6 (brisk);
- questions answered (0.10): a question inside it is followed by its answer;
- length (0.03, a tie-breaker): how far it fills the range, full from its middle on (a whole
  topic beats its first two sentences when nothing else tells them apart).
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

LEAD_S = 0.15
TAIL_S = 0.35
SENTENCE_END = re.compile(r"[.!?][\"'”’)\]]*$")
#: The measures that add up, each 0..1 (completeness multiplies their sum).
WEIGHTS = {
    "standalone": 0.27,
    "named": 0.20,
    "hook": 0.20,
    "density": 0.15,
    "answered": 0.10,
    "length": 0.03,
}


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


#: Sentence openers that point back to what came before.
DANGLING = _words(
    "and but so or because also then which however therefore though it its they their them "
    "he his she her this that these those such"
)
#: Pronouns that, early in a sentence, refer to something said before it.
BACK_REFERENCES = _words("it its they them their he him his she her these those")
#: How many opening words are searched for them.
BACK_REFERENCE_WORDS = 4
NUMBER_WORDS = _words(
    "two three four five six seven eight nine ten eleven twelve fifteen twenty thirty forty "
    "fifty hundred thousand million billion percent half dozen first second third"
)
STOPWORDS = _words(
    "the a an and or but so of to in on at by for with from into over under about after before "
    "that this these those there their them they then than what when where which while who why "
    "how it its is are was were be been being have has had do does did not no yes you your we "
    "our us he she his her him i me my will would could should can just very more most some "
    "every each all also only even still much many such like here really think know thing "
    "things people going want actually kind right well make something"
)
TITLE_WORDS = 8


@dataclass(frozen=True)
class Sentence:
    """One sentence of the transcript: its words and how far a clip around it may reach."""

    first: int
    """Index of its first word in the transcript's words."""
    last: int
    """Index of its last word."""
    start: float
    end: float
    text: str
    lo: float
    """The earliest a clip starting with it may start."""
    hi: float
    """The latest a clip ending with it may end."""


@dataclass(frozen=True)
class Window:
    """Sentences ``first..last`` (inclusive) as one clip from ``start`` to ``end`` seconds."""

    first: int
    last: int
    start: float
    end: float
    score: float = 0.0
    features: dict[str, float] = field(default_factory=dict, compare=False)

    @property
    def duration(self) -> float:
        return round(self.end - self.start, 6)

    def overlaps(self, other: Window) -> bool:
        return not (self.last < other.first or self.first > other.last)


def _clean(text: str) -> str:
    return re.sub(r"[^\w'%-]+", "", text).strip("'-")


def sentences(words: Sequence[dict[str, Any]], duration: float) -> list[Sentence]:
    """The transcript's sentences, each with the span a clip around it may take."""
    idx = [i for i, w in enumerate(words) if str(w.get("text", "")).strip()]
    groups: list[list[int]] = []
    cur: list[int] = []
    for i in idx:
        cur.append(i)
        if SENTENCE_END.search(str(words[i]["text"]).strip()):
            groups.append(cur)
            cur = []
    if cur:
        groups.append(cur)
    out: list[Sentence] = []
    for k, g in enumerate(groups):
        start, end = float(words[g[0]]["start"]), float(words[g[-1]]["end"])
        prev_end = float(words[groups[k - 1][-1]]["end"]) if k else None
        next_start = float(words[groups[k + 1][0]]["start"]) if k + 1 < len(groups) else None
        lo = start - LEAD_S if prev_end is None else max(start - LEAD_S, (prev_end + start) / 2)
        hi = end + TAIL_S if next_start is None else min(end + TAIL_S, (end + next_start) / 2)
        text = " ".join(str(words[i]["text"]).strip() for i in g)
        out.append(Sentence(g[0], g[-1], start, end, text, max(0.0, lo), min(duration, hi)))
    return out


def windows(sents: Sequence[Sentence], min_s: float, max_s: float, fps: int) -> list[Window]:
    """Every run of whole sentences lasting ``min_s..max_s`` once snapped to whole frames."""
    out: list[Window] = []
    for i, first in enumerate(sents):
        start = math.ceil(first.lo * fps - 1e-6) / fps
        for j in range(i, len(sents)):
            end = math.floor(sents[j].hi * fps + 1e-6) / fps
            span = end - start
            if span > max_s + 1e-6:
                break
            if span >= min_s - 1e-6:
                out.append(Window(i, j, round(start, 6), round(end, 6)))
    return out


def _content(text: str) -> set[str]:
    out = set()
    for tok in text.lower().split():
        w = _clean(tok)
        if len(w) >= 4 and w not in STOPWORDS:
            out.add(w[:-1] if w.endswith("s") and len(w) > 4 else w)
    return out


def _named(sent: Sentence) -> int:
    """Names (capitalised words after the first), digits and number words in ``sent``."""
    toks = [_clean(t) for t in sent.text.split()]
    count = 0
    for k, tok in enumerate(toks):
        number = any(ch.isdigit() for ch in tok) or tok.lower() in NUMBER_WORDS
        name = k > 0 and tok[:1].isupper() and tok != "I"
        count += bool(tok) and (number or name)
    return count


def _opener(sent: Sentence) -> str:
    words = sent.text.split()
    return _clean(words[0]).lower() if words else ""


def _link(a: Sentence, b: Sentence) -> float:
    """How much two neighbouring sentences talk about the same things: 0, 0.5 for one shared
    content word, 1 for two or more."""
    return min(1.0, len(_content(a.text) & _content(b.text)) / 2)


def _points_back(sent: Sentence) -> bool:
    """Whether ``sent`` refers to what was said before it (its opener or an early pronoun)."""
    early = {_clean(t).lower() for t in sent.text.split()[:BACK_REFERENCE_WORDS]}
    return _opener(sent) in DANGLING or bool(early & BACK_REFERENCES)


def _clamp(x: float) -> float:
    return max(0.0, min(1.0, x))


def _hook(sent: Sentence) -> float:
    if sent.text.rstrip("\"'”’)] ").endswith("?"):
        return 1.0
    if _named(sent):
        return 0.7
    words = {_clean(t).lower() for t in sent.text.split()}
    return 0.6 if words & {"you", "your", "you're", "imagine"} else 0.3


def features(
    sents: Sequence[Sentence], w: Window, span: tuple[float, float] = (0.0, 0.0)
) -> dict[str, float]:
    """The heuristic's measures of window ``w`` (each 0..1) and its words per second, for clips
    of ``span`` = (min, max) seconds."""
    inner = sents[w.first : w.last + 1]
    text = " ".join(s.text for s in inner)
    n_words = len(text.split())
    asks = [s.text.rstrip("\"'”’)] ").endswith("?") for s in inner]
    continued = w.last + 1 < len(sents) and _points_back(sents[w.last + 1])
    complete = (
        (0.4 if _opener(inner[0]) in DANGLING else 1.0)
        * (0.6 if continued else 1.0)
        * (0.6 if asks[-1] else 1.0)
    )
    links = [
        _link(sents[a], sents[b])
        for a, b in ((w.first - 1, w.first), (w.last, w.last + 1))
        if a >= 0 and b < len(sents)
    ]
    wps = n_words / max(w.duration, 1e-6)
    named = sum(_named(s) for s in inner)
    return {
        "completeness": complete,
        "standalone": 1.0 - (sum(links) / len(links) if links else 0.0),
        "density": _clamp((wps - 1.2) / 1.4),
        "named": _clamp(named / max(1, n_words) / 0.08),
        "hook": _hook(inner[0]),
        "answered": 1.0 if any(asks[k] and not asks[k + 1] for k in range(len(asks) - 1)) else 0.0,
        "length": _clamp((w.duration - span[0]) / max(1e-6, (span[1] - span[0]) / 2)),
        "words_per_second": round(wps, 2),
        "names_and_numbers": float(named),
    }


def score_window(sents: Sequence[Sentence], w: Window, span: tuple[float, float]) -> Window:
    """``w`` with its heuristic score and features (clips of ``span`` = (min, max) seconds)."""
    f = features(sents, w, span)
    score = f["completeness"] * sum(WEIGHTS[k] * f[k] for k in WEIGHTS)
    return Window(w.first, w.last, w.start, w.end, round(score, 4), f)


def rank(
    sents: Sequence[Sentence], cands: Sequence[Window], span: tuple[float, float]
) -> list[Window]:
    """``cands`` scored by the heuristic for clips of ``span`` = (min, max) seconds, best first
    (earlier first on ties)."""
    scored = (score_window(sents, w, span) for w in cands)
    return sorted(scored, key=lambda w: (-w.score, w.start))


def pick(ranked: Sequence[Window], count: int) -> list[Window]:
    """The best ``count`` windows of ``ranked`` (best first) that share no sentence."""
    chosen: list[Window] = []
    for w in ranked:
        if len(chosen) >= count:
            break
        if not any(w.overlaps(c) for c in chosen):
            chosen.append(w)
    return chosen


def shortlist(ranked: Sequence[Window], limit: int) -> list[Window]:
    """The best window of each starting sentence, best first, at most ``limit`` of them."""
    seen: set[int] = set()
    out: list[Window] = []
    for w in ranked:
        if w.first not in seen:
            seen.add(w.first)
            out.append(w)
    return out[:limit]


def text_of(sents: Sequence[Sentence], w: Window) -> str:
    return " ".join(s.text for s in sents[w.first : w.last + 1])


def title_of(sents: Sequence[Sentence], w: Window) -> str:
    """The first sentence, cut to ``TITLE_WORDS`` words (without its end mark)."""
    words = sents[w.first].text.split()
    short = " ".join(words[:TITLE_WORDS]).rstrip(".!?,;:")
    return short + ("…" if len(words) > TITLE_WORDS else "")


def reason_of(w: Window) -> str:
    """Why the heuristic liked ``w``, in words."""
    f = w.features
    parts = ["whole sentences"]
    if f["completeness"] >= 1.0:
        parts.append("starts cleanly and ends on a statement")
    if f["hook"] >= 1.0:
        parts.append("opens with a question")
    elif f["hook"] >= 0.7:
        parts.append("opens with a name or a number")
    if f["answered"]:
        parts.append("answers the question it asks")
    if f["standalone"] >= 0.7:
        parts.append("stays on one topic")
    parts.append(f"{f['words_per_second']:.1f} words a second")
    n = int(f["names_and_numbers"])
    if n:
        parts.append("1 name or number" if n == 1 else f"{n} names or numbers")
    return "; ".join(parts) + "."
