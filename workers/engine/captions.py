"""Word-level captions: grouping into events and lines, escaping, and ASS / SRT / VTT output.

The look (presets, overrides, safe areas) lives in ``captions_look``; every writer here takes a
style name or a ``Preset`` that ``captions_look.look`` made, so all three files share one layout.

User text never acts as markup: ``escape_ass_text`` neutralises ASS override blocks and line
breaks, and the renderer hands the .ass file to libass *by path* (``ass_filter``), so caption
text never appears on an FFmpeg command line or inside a filter graph.

Any script works (``scripts``): line lengths count a wide CJK character as two, CJK words are
joined without spaces (and a line may break between any two of them), right-to-left words stay
in logical (spoken) order for libass to lay out.
"""

from __future__ import annotations

import os
import re
import tempfile
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reelgraph.workers.engine.captions_look import CAPTION_STYLES as CAPTION_STYLES
from reelgraph.workers.engine.captions_look import PRESETS as PRESETS
from reelgraph.workers.engine.captions_look import Preset, layout, preset
from reelgraph.workers.engine.captions_look import safe_margins as safe_margins
from reelgraph.workers.engine.scripts import display_width, join_words, joiner, word_weight

Style = str | Preset

_WJ = "\u2060"  # word joiner: invisible, breaks ``\N``-style escapes apart
_SENTENCE_END = re.compile(r"[.!?…。！？؟।]['\")\]」』）]*$")


@dataclass(frozen=True)
class Word:
    text: str
    start: float
    end: float
    emphasis: bool = False


LINGER_S = 0.4


def _word(w: Any) -> Word:
    get = w.get if isinstance(w, dict) else lambda k, d=None: getattr(w, k, d)
    start, end = float(get("start", 0.0)), float(get("end", 0.0))
    return Word(str(get("text", "")), start, max(end, start + 0.01), bool(get("emphasis", False)))


def normalize_words(words: Iterable[Any]) -> list[Word]:
    """Accept dicts or objects (``workers.spec.Word``); drop empty words; sort by start time."""
    out = [w for w in (_word(x) for x in words) if clean_text(w.text)]
    return sorted(out, key=lambda w: (w.start, w.end))


def clean_text(text: str) -> str:
    """Control characters, newlines and line separators become spaces; whitespace collapses."""
    chars = [" " if unicodedata.category(c) in ("Cc", "Zl", "Zp") else c for c in str(text)]
    return " ".join("".join(chars).split())


def escape_ass_text(text: str) -> str:
    """Make ``text`` inert in an ASS Dialogue line: no override blocks, breaks or hard spaces.

    Every backslash gets an invisible word joiner after it (so ``\\N``, ``\\n``, ``\\h`` and
    ``\\{`` lose their meaning but still show), braces become parentheses (``{`` opens an
    override block in every ASS renderer), and control characters/newlines become spaces.
    """
    return clean_text(text).replace("\\", "\\" + _WJ).replace("{", "(").replace("}", ")")


def _vtt_escape(text: str) -> str:
    return clean_text(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _srt_escape(text: str) -> str:
    # SRT players parse <i>-style tags and {\an8} overrides: replace the characters outright.
    t = clean_text(text).replace("\\", "\\" + _WJ).replace("<", "‹").replace(">", "›")
    return t.replace("{", "(").replace("}", ")")


def _ends_sentence(w: Word) -> bool:
    return bool(_SENTENCE_END.search(w.text.strip()))


def _fits(words: Sequence[Word], max_chars: int, lines: int) -> bool:
    return len(split_lines(words, max_chars)) <= lines


def group_lines(
    words: Iterable[Any],
    max_chars: int = 32,
    max_words: int = 8,
    max_gap: float = 0.6,
    lines: int = 2,
) -> list[list[Word]]:
    """Group words into caption events of at most ``lines`` lines of ``max_chars``.

    An event ends at a sentence end, before a pause longer than ``max_gap`` seconds, at
    ``max_words`` words, or when the next word would not fit.
    """
    events: list[list[Word]] = []
    cur: list[Word] = []
    for w in normalize_words(words):
        if cur and (
            sum(word_weight(x.text) for x in cur) >= max_words
            or w.start - cur[-1].end > max_gap
            or _ends_sentence(cur[-1])
            or not _fits([*cur, w], max_chars, lines)
        ):
            events.append(cur)
            cur = []
        cur.append(w)
    if cur:
        events.append(cur)
    return events


def split_lines(words: Sequence[Word], max_chars: int) -> list[list[Word]]:
    """Split one event into lines: one line if it fits, else the most balanced two-way split
    (text longer than two lines fills a first line and splits the rest)."""
    n = len(words)
    if n == 0:
        return []
    if line_width(words) <= max_chars or n == 1:
        return [list(words)]
    if line_width(words) > 2 * max_chars:  # more than two lines: fill the first one
        k = 1
        while k < n - 1 and line_width(words[: k + 1]) <= max_chars:
            k += 1
        return [list(words[:k]), *split_lines(words[k:], max_chars)]
    best, best_cost = 1, None
    for k in range(1, n):
        a, b = line_width(words[:k]), line_width(words[k:])
        cost = max(a, b) + (1000 if max(a, b) > max_chars else 0)
        if best_cost is None or cost < best_cost:
            best, best_cost = k, cost
    head, tail = list(words[:best]), list(words[best:])
    if line_width(tail) > max_chars:
        return [head, *split_lines(tail, max_chars)]
    return [head, tail]


def line_text(words: Sequence[Word], render: Any = None) -> str:
    """The words of one line as shown: spaces between them, none between CJK words.

    ``render`` (a function of a ``Word``) gives each word's text with its markup."""
    texts = [clean_text(w.text) for w in words]
    if render is None:
        return join_words(texts)
    parts = [render(w) for w in words]
    return "".join((joiner(texts[i - 1], texts[i]) if i else "") + p for i, p in enumerate(parts))


def line_width(words: Sequence[Word]) -> int:
    """Width of the words on one line in average Latin characters (``display_width``)."""
    return display_width(line_text(words))


def events_for(words: Iterable[Any], style: Style, width: int, height: int) -> list[list[Word]]:
    """The caption events used by every output format (ASS, SRT, VTT) for this style/size."""
    p = preset(style)
    _, max_chars = layout(style, width, height)
    return group_lines(words, max_chars=max_chars, max_words=p.max_words, lines=p.lines)


def _end_times(events: list[list[Word]]) -> list[float]:
    """Each event lingers a little after its last word, but never into the next event."""
    ends = []
    for i, ev in enumerate(events):
        end = ev[-1].end + LINGER_S
        if i + 1 < len(events):
            end = min(end, events[i + 1][0].start)
        ends.append(max(end, ev[-1].end if i + 1 == len(events) else ev[0].start + 0.01))
    return ends


def _ts(t: float, sep: str, frac_digits: int) -> str:
    total = round(max(0.0, t) * 10**frac_digits)
    frac, secs = total % 10**frac_digits, total // 10**frac_digits
    h, m, s = secs // 3600, secs // 60 % 60, secs % 60
    return f"{h:02d}:{m:02d}:{s:02d}{sep}{frac:0{frac_digits}d}"


def _cue_text(ev: list[Word], max_chars: int, esc: Any, tag: tuple[str, str] = ("", "")) -> str:
    def render(w: Word) -> str:
        return f"{tag[0]}{esc(w.text)}{tag[1]}" if w.emphasis else esc(w.text)

    return "\n".join(line_text(line, render) for line in split_lines(ev, max_chars))


def to_srt(
    words: Iterable[Any], *, style: Style = "clean", width: int = 1080, height: int = 1920
) -> str:
    """SubRip text with the same events as the ASS file (same style and size)."""
    events = events_for(words, style, width, height)
    max_chars = layout(style, width, height)[1]
    out = []
    for i, (ev, end) in enumerate(zip(events, _end_times(events), strict=True), 1):
        span = f"{_ts(ev[0].start, ',', 3)} --> {_ts(end, ',', 3)}"
        out.append(f"{i}\n{span}\n{_cue_text(ev, max_chars, _srt_escape)}\n")
    return "\n".join(out)


def to_vtt(
    words: Iterable[Any], *, style: Style = "clean", width: int = 1080, height: int = 1920
) -> str:
    """WebVTT with the same events as the ASS file; emphasis words in ``<b>``."""
    events = events_for(words, style, width, height)
    max_chars = layout(style, width, height)[1]
    out = ["WEBVTT\n"]
    for ev, end in zip(events, _end_times(events), strict=True):
        span = f"{_ts(ev[0].start, '.', 3)} --> {_ts(end, '.', 3)}"
        out.append(f"{span}\n{_cue_text(ev, max_chars, _vtt_escape, ('<b>', '</b>'))}\n")
    return "\n".join(out)


def _atomic_write(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".partial", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def build_ass(
    words: Iterable[Any], *, style: Style, width: int, height: int, avoid: Sequence[Any] = ()
) -> str:
    """A complete .ass document (PlayResX/Y = output size) for ``style``; see captions_ass.

    ``avoid``: regions (faces, ``spec.Region``) a caption moves away from while they show.
    """
    from reelgraph.workers.engine.captions_ass import render_ass  # split out: module size

    return render_ass(words, style=style, width=width, height=height, avoid=avoid)


def caption_texts(
    words: Iterable[Any], *, style: Style, width: int, height: int, avoid: Sequence[Any] = ()
) -> dict[str, str]:
    """The three caption documents {"ass", "srt", "vtt"} for ``words`` in ``style``."""
    ws = normalize_words(words)
    return {
        "ass": build_ass(ws, style=style, width=width, height=height, avoid=avoid),
        "srt": to_srt(ws, style=style, width=width, height=height),
        "vtt": to_vtt(ws, style=style, width=width, height=height),
    }


def write_caption_texts(texts: dict[str, str], out_dir: str | Path) -> dict[str, str]:
    """Write ``{ext: text}`` as ``captions.<ext>`` atomically into ``out_dir``; {ext: path}."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = {}
    for ext, text in texts.items():
        path = out / f"captions.{ext}"
        _atomic_write(path, text)
        paths[ext] = str(path)
    return paths


def write_captions(
    words: Iterable[Any], out_dir: str | Path, *, style: Style, width: int, height: int
) -> dict[str, str]:
    """Write captions.ass/.srt/.vtt atomically into ``out_dir``; return {"ass","srt","vtt"}."""
    texts = caption_texts(words, style=style, width=width, height=height)
    return write_caption_texts(texts, out_dir)
