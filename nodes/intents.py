"""The offline intent parser: a follow-up message in plain English -> typed plan edits.

Pure and deterministic (no model): ``parse_message("make the captions yellow and the music
quieter")`` gives ``[{"op": "options", "set": {"caption_color": "yellow"}}, {"op": "adjust",
"field": "music_volume", "delta": -4.0}]``. ``nodes/plan_edits.py`` applies the operations; the
LLM agent of ``edit_plan`` produces the same operations through its tools. Scene numbers are as
people say them (1 is the first scene, -1 the last). A clause the parser cannot map is returned
in ``unknown``; when nothing maps, the reply is ``HELP`` and nothing changes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from reelgraph.nodes.intent_topics import caption_ops, general_ops, music_ops, voice_ops

Op = dict[str, Any]

HELP = (
    "I can change: the captions (colour, highlight colour, style karaoke/pop/clean/bold, font, "
    "size, top/middle/bottom), the length ('make it 30 seconds', 'shorter'), the mood, a scene's "
    "words ('make scene 2 say ...'), a scene's picture ('show a lighthouse in scene 3', or send "
    "a picture), scenes ('remove scene 2', 'add a scene saying ...', 'swap scenes 1 and 3'), the "
    "music (off, on, a mood, louder, quieter), the voice ('use the espeak-ng voice', 'speak "
    "faster') and the shape (square, landscape, vertical); 'undo', 'go back to version 1' and "
    "'regenerate scene 3' work too."
)

ORDINALS = {
    "first": 1,
    "second": 2,
    "third": 3,
    "fourth": 4,
    "fifth": 5,
    "sixth": 6,
    "seventh": 7,
    "eighth": 8,
    "ninth": 9,
    "tenth": 10,
    "last": -1,
}
NUMBERS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
}
SCENE = (
    r"(?:scene\s+(?:#|no\.?\s*|number\s+)?(?P<{n}>\d+|one|two|three|four|five|six|seven|eight|"
    r"nine|ten)|(?:the\s+)?(?P<{o}>first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|"
    r"tenth|last)\s+scene)"
)
#: Words people use for each mood (the plan's moods are the music library's).


@dataclass
class Parsed:
    """What a message asks for: the operations, the clauses not understood, the subjects."""

    ops: list[Op] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)


def scene_ref(match: re.Match[str], n: str = "n", o: str = "o") -> int:
    """The scene number a SCENE match names (1-based; -1 is the last)."""
    if match.group(n):
        word = match.group(n)
        return NUMBERS.get(word) or int(word)
    return ORDINALS[match.group(o)]


def _scene(n: str = "n", o: str = "o") -> str:
    return SCENE.format(n=n, o=o)


SCENE_TEXT = re.compile(
    r"(?:(?:make|let|have|change|set|edit|rewrite)\s+)?" + _scene() + r"\s*"
    r"(?:(?:to\s+)?(?:say|says|said|read|reads|narrate|narrates|should\s+say|text\s+to|to|:)"
    r"\s*)[\"“']?(?P<text>.+?)[\"”']?\s*$",
    re.I | re.S,
)
ADD_SCENE = re.compile(
    r"add\s+(?:a\s+|another\s+|one\s+more\s+)?(?:new\s+)?scene"
    r"(?P<where>\s+(?:at\s+the\s+(?:start|beginning|end)|(?:before|after)\s+" + _scene() + r"))?"
    r"\s*(?:saying|that\s+says|which\s+says|with\s+the\s+text|with|:)\s*[\"“']?(?P<text>.+?)"
    r"[\"”']?\s*$",
    re.I | re.S,
)


def parse_message(text: str, attachments: int = 0) -> Parsed:
    """Parse one follow-up message into operations (see the module docstring)."""
    text = " ".join(text.split())
    out = Parsed()
    head, tail_op = _split_tail(text)
    head = re.sub(r"(?:[\s,;.]*\b(?:and|then|also|please)\b)+[\s,;.]*$", "", head, flags=re.I)
    subject = ""
    head = re.sub(r"(\bswap\b[^,.;]*?)\s+and\s+", r"\1 with ", head, count=1, flags=re.I)
    for clause in _clauses(head):
        ops, subject = _clause(clause, subject, attachments)
        if ops:
            out.ops.extend(ops)
        else:
            out.unknown.append(clause)
    if tail_op:
        out.ops.append(tail_op)
    return out


def _split_tail(text: str) -> tuple[str, Op | None]:
    """A scene text or an added scene takes the rest of the message (its words may hold 'and')."""
    best: tuple[int, Op] | None = None
    for rx, kind in ((ADD_SCENE, "add"), (SCENE_TEXT, "text")):
        for m in rx.finditer(text):
            if not _clause_start(text, m.start()):
                continue
            op = _tail_op(m, kind)
            if best is None or m.start() < best[0]:
                best = (m.start(), op)
            break
    if best is None:
        return text, None
    return text[: best[0]], best[1]


def _clause_start(text: str, at: int) -> bool:
    before = text[:at].rstrip().lower()
    return not before or before.endswith((",", ".", ";", "and", "then", "also", "please"))


def _tail_op(m: re.Match[str], kind: str) -> Op:
    words = m.group("text").strip()
    if kind == "text":
        return {"op": "scene_text", "scene": scene_ref(m), "text": words}
    where = (m.group("where") or "").strip().lower()
    at: int | None = None
    if where.endswith(("start", "beginning")):
        at = 1
    elif where.startswith(("before", "after")):
        ref = scene_ref(m)
        at = ref if where.startswith("before") else (ref + 1 if ref != -1 else None)
    return {"op": "add_scene", "text": words, "at": at}


def _clauses(text: str) -> list[str]:
    parts = re.split(
        r"\s*(?:[;.!?]+\s+|[;.!?]+$|,\s*(?:and\s+|then\s+)?|\s+and\s+then\s+|"
        r"\s+and\s+also\s+|\s+and\s+|\s+then\s+)\s*",
        text.strip(),
        flags=re.I,
    )
    return [p.strip(" ,.") for p in parts if p and p.strip(" ,.")]


SUBJECTS = {
    "music": r"\b(?:music|soundtrack|song|track|background\s+audio)\b",
    "captions": r"\b(?:captions?|subtitles?|subs|text|words|highlight\w*|font)\b",
    "voice": r"\b(?:voice|narrat\w+|speak\w*|talk\w*|speech|read\w*)\b",
}


def _subject(clause: str) -> str:
    for name, rx in SUBJECTS.items():
        if re.search(rx, clause, re.I):
            return name
    return ""


def _clause(clause: str, carried: str, attachments: int) -> tuple[list[Op], str]:
    """Operations of one clause; a clause without a subject ('and bigger') borrows the last."""
    low = clause.lower().strip()
    subject = _subject(low)
    ops = _parse(low, subject, attachments)
    if not ops and not subject and carried:
        ops = _parse(low, carried, attachments)
        subject = carried
    return ops, subject or carried


def _parse(low: str, subject: str, attachments: int) -> list[Op]:
    for rule in (_history, _scene_ops):
        ops = rule(low, attachments)
        if ops:
            return ops
    if subject == "music":
        return music_ops(low)
    if subject == "captions":
        return caption_ops(low)
    if subject == "voice":
        return voice_ops(low)
    return general_ops(low)


def _history(low: str, _attachments: int) -> list[Op]:
    m = re.search(r"(?:version|\bv)\s*(\d+)\b", low)
    if m and re.search(r"\b(?:back|restore|revert|return|use|go|switch|want|show)\b|^v\d", low):
        return [{"op": "restore", "version": int(m.group(1))}]
    if re.fullmatch(
        r"(?:please\s+)?(?:undo|revert|go\s+back|take\s+(?:that|it)\s+back|undo\s+(?:that|it|the\s+"
        r"last\s+(?:change|edit))|revert\s+(?:that|it|the\s+last\s+change)|put\s+it\s+back)"
        r"(?:\s+please)?",
        low,
    ):
        return [{"op": "undo"}]
    return []


def _scene_ops(low: str, attachments: int) -> list[Op]:
    m = re.search(
        r"\b(?:regenerate|re-?roll|redo|refresh|remake|re-?do|re-?generate)\s+" + _scene(), low
    )
    if m or (
        m := re.search(
            r"\b(?:new|another|different)\s+(?:picture|image|visual|photo)\s+"
            r"(?:for|in|on)\s+" + _scene(),
            low,
        )
    ):
        return [{"op": "regenerate", "scene": scene_ref(m)}]
    m = re.search(r"\b(?:remove|delete|drop|cut|skip|get\s+rid\s+of)\s+" + _scene(), low)
    if m:
        return [{"op": "remove_scene", "scene": scene_ref(m)}]
    m = re.search(
        r"\bswap\s+(?:scenes?\s+)?(?P<a>\d+)\s+(?:and|with)\s+(?:scene\s+)?(?P<b>\d+)", low
    ) or re.search(
        r"\bswap\s+" + _scene("a", "oa") + r"\s+(?:and|with)\s+" + _scene("b", "ob"), low
    )
    if m:
        return [{"op": "swap_scenes", "a": _ref(m, "a", "oa"), "b": _ref(m, "b", "ob")}]
    return _move(low) or _picture(low, attachments)


def _ref(m: re.Match[str], n: str, o: str) -> int:
    groups = m.groupdict()
    if groups.get(o):
        return ORDINALS[groups[o]]
    word = groups[n]
    return NUMBERS.get(word) or int(word)


def _move(low: str) -> list[Op]:
    m = re.search(
        r"\bmove\s+" + _scene() + r"\s+(?:to\s+)?(?P<to>(?:the\s+)?(?:start|beginning|front|end)|"
        r"position\s+\d+|(?:before|after)\s+" + _scene("n2", "o2") + r")",
        low,
    )
    if not m:
        return []
    to = m.group("to")
    if re.search(r"start|beginning|front", to):
        where = 1
    elif "end" in to:
        where = -1
    elif to.startswith("position"):
        where = int(to.split()[-1])
    else:
        ref = _ref(m, "n2", "o2")
        where = ref if to.startswith("before") else (ref + 1 if ref != -1 else -1)
    return [{"op": "move_scene", "scene": scene_ref(m), "to": where}]


def _picture(low: str, attachments: int) -> list[Op]:
    scene = re.search(_scene(), low)
    if not scene:
        return []
    at = scene_ref(scene)
    if attachments and re.search(
        r"\b(?:this|these|attached|my|the)\s+(?:picture|image|photo|"
        r"pic|attachment|one)\b|\battach",
        low,
    ):
        return [{"op": "scene_picture", "scene": at, "attachment": 0}]
    m = re.search(
        r"\b(?:show|use\s+(?:a|an)\s+(?:picture|image|photo)\s+of|(?:a|an)\s+(?:picture"
        r"|image|photo)\s+of|picture\s+of|image\s+of)\s+(?P<q>.+?)\s+(?:in|for|on|as)\s+"
        + _scene(),
        low,
    )
    if not m:
        m = re.search(
            _scene() + r"\s*(?:should\s+show|shows?|picture|image|visual|photo)\s*"
            r"(?:of|:|to|=)?\s*(?P<q>.+)$",
            low,
        )
    if m:
        return [{"op": "scene_picture", "scene": at, "query": m.group("q").strip(" \"'")}]
    return []
