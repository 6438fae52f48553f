"""Disfluencies in a timed transcript: fillers, stutters and retakes, found from the text alone.

Pure functions over whisper's word list (``{"text", "start", "end"}``); the audio checks, the
cut ranges and the cache are in ``disfluency_cuts``. What counts:

- **filler**: um, uh, erm, er, hmm, mm and their drawn-out spellings (umm, uhh, hmmm). Not
  "ah"/"oh" (they carry meaning), not "uh-huh"/"mm-hmm" (yes), not "like"/"you know".
- **stutter**: a function word said again straight away ("I I think", "the the", "to, to"),
  fillers between them ignored, or a cut-off word whisper writes with a dash ("b- but"). The last
  copy is kept. Content words and intensifiers are never stutters: "very very", "no no",
  "really really" and grammatical doubles ("that that", "had had") stay.
- **retake**: a first take the speaker restarts: its words are said again at once from its
  start (word by word; one cut-off last word allowed), the second take goes on further, and at
  most ``MAX_BETWEEN`` words come between them, all of them fillers or editing words ("sorry",
  "I mean", "let me start again"). "The best way to learn is. Sorry. The best way to learn is
  to speak every day." cuts "The best way to learn is. Sorry.". "I think I can" is no retake
  (one word repeated), nor are takes that differ ("we fight on the beaches, we fight on the
  hills"). A retake is *sure* with an editing word or a cut-off word between the takes, or a
  first take of three or more words that ends mid-phrase (no punctuation); any other one (two
  words, or a first take that ends a sentence or clause) is *ambiguous*: cut only when a chat
  model confirms it.
"""

from __future__ import annotations

import difflib
import itertools
import re
from dataclasses import dataclass, field
from typing import Any

FILLER = re.compile(r"^(?:u+m+|u+h+m*|e+r+m*|h+m+|m{2,}|a+h+m+)$")
_STUTTER = (
    "i i'm i've i'll i'd we we're you you're he she it it's they they're a an the and but or so "
    "to of in on at for with my our your this if what when"
)
STUTTER_WORDS = frozenset(_STUTTER.split())
#: Words that may stand between two takes: editing words make a retake sure, weak ones do not.
EDIT_PHRASES = tuple(
    tuple(p.split())
    for p in (
        "sorry",
        "sorry about that",
        "oops",
        "wait",
        "no",
        "i mean",
        "actually",
        "or rather",
        "scratch that",
        "hold on",
        "my bad",
        "excuse me",
        "pardon",
        "again",
        "one more time",
        "take two",
        "let me start again",
        "let me start over",
        "let me try again",
        "let me try that again",
        "let me say that again",
        "let me rephrase",
        "let me rephrase that",
    )
)
WEAK_PHRASES = (("okay",), ("ok",), ("so",), ("well",), ("right",), ("alright",), ("all", "right"))
#: (phrase, is an editing phrase), longest first: the cover of the words between two takes.
_BETWEEN = sorted(
    [(p, True) for p in EDIT_PHRASES] + [(p, False) for p in WEAK_PHRASES], key=lambda x: -len(x[0])
)
MAX_BETWEEN = 6
MAX_TAKE = 25
MAX_STUTTER_GAP = 1.0
SIMILAR = 0.8
_PUNCT_END = re.compile(r"[.,!?;:…]+[\"')\]]*$")
_SENTENCE_END = re.compile(r"[.!?…][\"')\]]*$")


def norm(text: str) -> str:
    """Lower-case word without punctuation (apostrophes kept): "I," -> "i", "It's" -> "it's"."""
    return re.sub(r"[^\w']+", "", text.lower().replace("\u2019", "'")).strip("'")


def is_filler(text: str) -> bool:
    bare = re.sub(r"[^\w]+", "", text)
    if len(bare) > 1 and bare.isupper():  # "ER" the room, "UM" an acronym
        return False
    return bool(FILLER.match(bare.lower()))


def _cut_off(raw: str, a: str, b: str) -> bool:
    """``a`` (written ``raw``) is a word broken off and then said whole as ``b``."""
    return (
        bool(a) and a != b and b.startswith(a) and (raw.rstrip().endswith(("-", "—")) or len(a) < 3)
    )


def same_word(a: str, b: str) -> bool:
    """Equal, or long words spelled nearly alike (an ASR variant: colour/color)."""
    if a == b:
        return True
    if min(len(a), len(b)) < 4:
        return False
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio() >= SIMILAR


@dataclass
class Found:
    """One disfluency: the indexes of the words to remove and, for a retake, its case."""

    kind: str
    indexes: list[int]
    sure: bool = True
    case: dict[str, str] = field(default_factory=dict)


def find_fillers(words: list[dict[str, Any]]) -> list[Found]:
    return [Found("filler", [i]) for i, w in enumerate(words) if is_filler(str(w["text"]))]


def find_stutters(words: list[dict[str, Any]], skip: set[int]) -> list[Found]:
    """Each repeated function word (or dashed cut-off word) but the last; ``skip`` is ignored."""
    live = [i for i in range(len(words)) if i not in skip]
    out: list[Found] = []
    for a, b in itertools.pairwise(live):
        raw, na, nb = str(words[a]["text"]), norm(words[a]["text"]), norm(words[b]["text"])
        gap = float(words[b]["start"]) - float(words[a]["end"])
        if not na or gap > MAX_STUTTER_GAP or _SENTENCE_END.search(raw):
            continue
        if (na == nb and na in STUTTER_WORDS) or (
            raw.rstrip().endswith(("-", "—")) and _cut_off(raw, na, nb)
        ):
            out.append(Found("stutter", [a]))
    return out


def _cover(tokens: list[str]) -> tuple[bool, bool]:
    """(the tokens are all editing or weak words, one of them is an editing word)."""
    i, signal = 0, False
    while i < len(tokens):
        for phrase, strong in _BETWEEN:
            if tuple(tokens[i : i + len(phrase)]) == phrase:
                i, signal = i + len(phrase), signal or strong
                break
        else:
            return False, signal
    return True, signal


def _take_length(toks: list[str], raw: list[str], i: int, j: int) -> tuple[int, bool]:
    """How many words from ``i`` the take from ``j`` repeats (stops at ``j``), last one cut off?"""
    p = 0
    while i + p < j and j + p < len(toks) and same_word(toks[i + p], toks[j + p]):
        p += 1
    if i + p < j and j + p < len(toks) and _cut_off(raw[i + p], toks[i + p], toks[j + p]):
        return p + 1, True
    return p, False


def _retake_at(toks: list[str], raw: list[str], j: int, floor: int) -> Found | None:
    """The best first take that the take starting at ``j`` restarts, if any."""
    best: tuple[int, int, bool, bool] | None = None  # (p, i, cut_off, signal)
    for i in range(max(floor, j - MAX_TAKE - MAX_BETWEEN), j - 1):
        if toks[i] != toks[j]:
            continue
        p, cut_off = _take_length(toks, raw, i, j)
        if p < 2 or j - (i + p) > MAX_BETWEEN:
            continue
        ok, signal = _cover(toks[i + p : j])
        goes_on = j + p < len(toks) or cut_off
        if ok and (goes_on or signal) and (best is None or p >= best[0]):
            best = (p, i, cut_off, signal)
    if best is None:
        return None
    p, i, cut_off, signal = best
    open_end = not _PUNCT_END.search(raw[i + p - 1])
    sure = signal or cut_off or (p >= 3 and open_end and j + p < len(toks))
    case = {
        "before": " ".join(raw[max(0, i - 8) : i]),
        "first take": " ".join(raw[i : i + p]),
        "between": " ".join(raw[i + p : j]),
        "second take": " ".join(raw[j : j + p + 8]),
    }
    return Found("retake", list(range(i, j)), sure, case)


def find_retakes(words: list[dict[str, Any]], skip: set[int]) -> list[Found]:
    """Retakes over the words not in ``skip`` (fillers and stutters); indexes are the words'."""
    live = [i for i in range(len(words)) if i not in skip]
    toks = [norm(str(words[i]["text"])) for i in live]
    raw = [str(words[i]["text"]) for i in live]
    out: list[Found] = []
    floor, j = 0, 1
    while j < len(toks):
        found = _retake_at(toks, raw, j, floor) if toks[j] else None
        if found is None:
            j += 1
            continue
        first, last = live[found.indexes[0]], live[j] - 1  # skipped words between go too
        out.append(Found("retake", list(range(first, last + 1)), found.sure, found.case))
        floor = j
        j += 1
    return out


def find_disfluencies(
    words: list[dict[str, Any]],
    *,
    fillers: bool = True,
    retakes: bool = True,
    ignore: set[int] | None = None,
) -> list[Found]:
    """Fillers and stutters (``fillers``) and retakes (``retakes``), in word order.

    Words in ``ignore`` (say, ones heard over silence) are neither found nor looked at.
    """
    found: list[Found] = []
    ignore = ignore or set()
    filler_list = [f for f in find_fillers(words) if f.indexes[0] not in ignore]
    skip = ignore | {f.indexes[0] for f in filler_list}
    if fillers:
        found += filler_list
        stutters = find_stutters(words, skip)
        found += stutters
        skip |= {s.indexes[0] for s in stutters}
    if retakes:
        found += find_retakes(words, skip)
    return sorted(found, key=lambda f: f.indexes[0])
