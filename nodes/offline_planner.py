"""The deterministic offline planner: turns given text into scenes without inventing anything.

Any language: sentences end at . ! ? … (followed by a capital, a digit or a letter of a
script without case), at Arabic ؟ and Devanagari ।, and at CJK 。！？ (no space needed);
scene lengths count a CJK character as half a word (``scripts.word_weight``).
"""

from __future__ import annotations

import re
from collections import Counter

from reelgraph.nodes.schemas import Plan, Scene
from reelgraph.workers.engine.scripts import CJK, join_words, split_words, text_script, word_weight
from reelgraph.workers.engine.visuals.query import scene_query

WORDS_PER_SECOND = 2.5
SCENE_MAX_WORDS = 18
SHORT_TOPIC_WORDS = 12

_SENTENCE_RE = re.compile(r"(?<=[.!?…؟।])[\"')\]]*\s+")
_CJK_SENTENCE_RE = re.compile(r"[。！？]+[」』）\"')\]]*\s*")
_INSTRUCTION_RE = re.compile(
    r"^\s*(please\s+)?(make|create|generate|produce|write|build|give me)\s+(me\s+)?"
    r"(an?\s+)?([\w-]+\s+){0,3}?(video|short|reel|clip|explainer)s?\s*"
    r"(about|on|explaining|of|for|that explains|:|,|-)\s*",
    re.IGNORECASE,
)
_STOP_TEXT = """
a an the and or but if of to in on at by for with from as is are was were be been being
it ', ' this that these those there their they them he she his her we our you your i me
my not no ', ' do does did can could will would should may might must have has had than
then into about ', ' also just very more most such what which who whom when where why
how all any each few ', ' one two out up down off again once here only own same too s t
don now every just like get got make made really thing things way even still much many
well back
"""
_STOP = frozenset(_STOP_TEXT.split())
_MOOD_WORDS = {
    "energetic": "fast power energy sport win race boost explode action workout hype speed",
    "happy": "fun happy joy smile celebrate party love great amazing awesome bright summer",
    "tender": "family care gentle kind baby mother father heart warm hug",
    "nostalgic": "memory memories remember past history old childhood years ago vintage",
    "dramatic": "danger war crisis secret mystery dark storm fear shocking disaster",
    "calm": "calm peace sleep relax nature ocean quiet slow breathe mindful",
}


def _starts_sentence(text: str) -> bool:
    """A capital, a digit or a letter without case, after an optional opening quote."""
    head = text.lstrip("\"'([")[:1]
    return bool(head) and head.isalnum() and not head.islower()


def split_sentences(text: str) -> list[str]:
    text = " ".join(text.split())
    if not text:
        return []
    cuts = [
        (m.start(), m.end())
        for m in _SENTENCE_RE.finditer(text)
        if _starts_sentence(text[m.end() :])
    ]
    cuts += [(m.end(), m.end()) for m in _CJK_SENTENCE_RE.finditer(text) if m.end() < len(text)]
    out, pos = [], 0
    for start, end in sorted(cuts):
        if start >= pos:
            out.append(text[pos:start])
            pos = end
    out.append(text[pos:])
    return [s.strip() for s in out if s.strip()]


def word_count(text: str) -> float:
    """Words of ``text`` as scene lengths count them (a CJK character is half a word)."""
    return sum(word_weight(w) for w in split_words(text))


def _split_long(sentence: str, max_words: int) -> list[str]:
    words = split_words(sentence)
    if word_count(sentence) <= max_words:
        return [sentence]
    parts: list[str] = []
    cur: list[str] = []
    for w in words:
        cur.append(w)
        size = sum(word_weight(x) for x in cur)
        at_clause = w.endswith((",", ";", ":", "—", "-", "、", "，", "،"))
        if (at_clause and size >= max_words // 2) or size >= max_words:
            parts.append(join_words(cur))
            cur = []
    if cur:
        if parts and sum(word_weight(x) for x in cur) < 4:
            parts[-1] = join_words([parts[-1], *cur])
        else:
            parts.append(join_words(cur))
    return parts


def group_scenes(text: str, max_words: int = SCENE_MAX_WORDS) -> list[str]:
    """Sentence-aware grouping into scene narrations of at most about ``max_words`` words."""
    chunks: list[str] = []
    for sentence in split_sentences(text):
        chunks.extend(_split_long(sentence, max_words))
    scenes: list[str] = []
    for chunk in chunks:
        if scenes and word_count(scenes[-1]) + word_count(chunk) <= max_words:
            scenes[-1] = join_words([scenes[-1], chunk])
        else:
            scenes.append(chunk)
    return scenes


def _clean(word: str) -> str:
    return re.sub(r"^[^\w]+|[^\w%]+$", "", word)


def emphasis_words(narration: str, doc_counts: Counter[str], limit: int = 4) -> list[str]:
    """Numbers first, then names (capitalised, not sentence-initial), then rare long words."""
    ranked: list[tuple[int, int, str]] = []
    tokens = narration.split()
    for i, raw in enumerate(tokens):
        w = _clean(raw)
        if not w or any(r[2] == w for r in ranked):
            continue
        sentence_start = i == 0 or tokens[i - 1].endswith((".", "!", "?"))
        if any(ch.isdigit() for ch in w):
            ranked.append((0, i, w))
        elif w[0].isupper() and not sentence_start and w.lower() not in _STOP:
            ranked.append((1, i, w))
        elif len(w) >= 9 and doc_counts[w.lower()] <= 1:
            ranked.append((2, i, w))
    return [w for _, _, w in sorted(ranked)[:limit]]


def keywords(text: str, n: int = 3) -> list[str]:
    """The ``n`` most salient content words, in the order they appear in the text."""
    tokens = [w.lower() for w in (_clean(t) for t in text.split()) if w]
    content = [w for w in tokens if len(w) > 3 and w not in _STOP]
    counts = Counter(content)
    ranked = sorted(counts, key=lambda w: (-counts[w], -len(w), w))[:n]
    return sorted(ranked, key=content.index)


def pick_mood(text: str) -> str:
    low = set(_clean(w).lower() for w in text.split())
    scores = {m: len(low & set(words.split())) for m, words in _MOOD_WORDS.items()}
    best = max(scores.items(), key=lambda kv: kv[1])
    return best[0] if best[1] > 0 else "calm"


def make_title(text: str, topic: str | None) -> str:
    base = topic or split_sentences(text)[0]
    base = base.rstrip(".!?").strip()
    words = base.split()
    if len(words) > 8:
        words = words[:8]
    title = " ".join(words)
    return (title[:1].upper() + title[1:])[:120] or "Untitled"


def strip_instruction(prompt: str) -> str:
    """'Make a short video about black holes' -> 'black holes'."""
    return _INSTRUCTION_RE.sub("", prompt, count=1).strip()


def plan_offline(prompt: str, transcript: str | None = None) -> tuple[Plan, list[str]]:
    """Plan from the transcript if given, else from the prompt's own text; returns warnings too."""
    warnings: list[str] = []
    topic = strip_instruction(prompt) if prompt else ""
    text = (transcript or "").strip()
    if not text:
        text = topic or prompt.strip()
        if len(text.split()) < SHORT_TOPIC_WORDS and not split_sentences(text)[1:]:
            warnings.append(
                "The prompt is a short topic and no model endpoint is configured, so the "
                "narration is the prompt itself; set OPENAI_API_KEY or OPENAI_BASE_URL (any "
                "OpenAI-compatible server) to have a full script written."
            )
    doc_counts = Counter(_clean(w).lower() for w in text.split())
    scenes = []
    for narration in group_scenes(text):
        kw = keywords(narration) or [_clean(narration.split()[0]).lower()]
        if text_script(narration) == CJK:  # no spaces: the scene's first words
            kw = [join_words(split_words(narration)[:6]).rstrip("、。，！？")]
        scenes.append(
            Scene(
                narration=narration,
                visual=" ".join(kw),
                keywords=kw,
                emphasis=emphasis_words(narration, doc_counts),
                pacing="normal",
                query=(scene_query(narration) or " ".join(kw))[:120],
            )
        )
    plan = Plan(
        title=make_title(text, topic if transcript else None),
        scenes=scenes,
        mood=pick_mood(text),
        hashtags=keywords(text, 5),
    )  # type: ignore[arg-type]
    return plan, warnings
