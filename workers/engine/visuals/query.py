"""A scene's search query without a model: its named things first, then its nouns.

No part-of-speech tagger ships offline, so nouns are guessed: content words (not stop words,
not numbers) that do not read as verbs or adverbs (``-ly``, ``-ed``, a list of common verbs
and adjectives), ranked by how often the scene says them, head words before their modifiers.
Named things are runs of capitalised words that do not open a sentence ("Lisbon", "Mount
Everest").
"""

from __future__ import annotations

import re
from collections import Counter

MAX_WORDS = 4
_CLEAN = re.compile(r"^[^\w]+|[^\w]+$")
_STOP_TEXT = """
    a an the and or but if of to in on at by for with from as is are was were be been being it
    its this that these those there their they them he she his her we our you your i me my not
    no do does did can could will would should may might must have has had than then into about
    also just very more most such what which who whom when where why how all any each few one
    two out up down off again once here only own same too don now every like get got make made
    really thing things way even still much many well back some other over under after before
    while because so yet both either neither whether each per via around through during without
    within among against between above below new old first last next today yes lot lots kind
    across along toward towards beside near behind beyond upon onto inside outside three four
    five six seven eight nine ten hundred thousand million billion half dozen runs past far
nobody somebody someone anyone everyone nothing something anything everything
"""
_STOP = frozenset(_STOP_TEXT.split())
#: Everyday verbs and adjectives that read as nouns to the rule above but are poor searches.
_NOT_NOUN_TEXT = """
    say says said see sees saw seen know knows knew think thinks thought want wants need needs
    take takes took come comes came goes went gone give gives gave find finds found tell tells
    told feel feels felt become becomes became leave leaves left keep keeps kept begin begins
    began show shows showed shown hear hears heard play plays played move moves moved live lives
    lived believe believes hold holds held bring brings brought happen happens happened write
    writes wrote stand stands stood lose loses lost pay pays paid meet meets met include
    includes continue continues learn learns change changes lead leads understand watch watches
    follow follows stop stops create creates speak speaks read reads spend spends grow grows
    open opens walk walks offer offers remember love loves consider appear appears buy buys
    wait waits serve serves die dies send sends expect expects build builds stay stays fall
    falls reach reaches remain remains suggest raise pass sell sells require report decide
    pull pulls great good best better small large big long short high low little important
    different early late young able real sure free full whole true easy hard right wrong
    amazing incredible simple special actually almost always never often usually maybe
climb climbs climbed fly flies flew swims swam eat eats ate drink drinks sit sits sat rise
rises rose carry carries carried jump jumps jumped turn turns turned try tries tried
crept fell ran swam grew flew drove rode sang spoke broke woke wore threw caught taught
fought sought bought stole slept wept kept sent spent
"""
_NOT_NOUN = frozenset(_NOT_NOUN_TEXT.split())


def _clean(token: str) -> str:
    return _CLEAN.sub("", token)


def _is_content(word: str) -> bool:
    low = word.lower()
    if len(low) < 3 or low in _STOP or low in _NOT_NOUN or any(c.isdigit() for c in low):
        return False
    if low.endswith("ed") and not low.endswith("eed") and len(low) > 4:
        return False  # a past tense: "drifted", "expected"
    return not low.endswith("ly")


def named_things(text: str) -> list[str]:
    """Runs of capitalised words that do not open a sentence, in order, each once."""
    tokens = text.split()
    runs: list[list[str]] = []
    joined = False  # whether the previous token belongs to the last run and may continue it
    for i, raw in enumerate(tokens):
        word = _clean(raw)
        opens = i == 0 or tokens[i - 1].endswith((".", "!", "?", ":", '"'))
        capital = word.isalpha() and word[0].isupper() and not opens
        if capital and (joined or word.lower() not in _STOP):
            if joined:
                runs[-1].append(word)
            else:
                runs.append([word])
            joined = not raw.endswith((",", ";", ".", "!", "?", ":"))
        else:
            joined = False
    return list(dict.fromkeys(" ".join(run) for run in runs))


def nouns(text: str) -> list[str]:
    """Guessed nouns of ``text`` (lower case): most said first, then head words before their
    modifiers (a content word right before another, "yellow" in "yellow trams"), in order."""
    tokens = [_clean(t) for t in text.split()]
    content = [bool(t) and t.isalpha() and _is_content(t) for t in tokens]
    words: list[str] = []
    modifier: dict[str, bool] = {}
    for i, t in enumerate(tokens):
        if not content[i]:
            continue
        low = t.lower()
        words.append(low)
        before_another = (
            i + 1 < len(tokens) and content[i + 1] and not text.split()[i].endswith(",")
        )
        modifier[low] = modifier.get(low, True) and before_another
    counts = Counter(words)
    return sorted(counts, key=lambda w: (-counts[w], modifier[w], words.index(w)))


def scene_query(text: str, max_words: int = MAX_WORDS) -> str:
    """A short search query for a scene's narration: named things, then nouns."""
    parts: list[str] = []
    used: set[str] = set()
    for name in named_things(text):
        if len(parts) + len(name.split()) > max_words:
            break
        parts.extend(name.split())
        used.update(w.lower() for w in name.split())
    for noun in nouns(text):
        if len(parts) >= max_words:
            break
        if noun not in used:
            parts.append(noun)
            used.add(noun)
    return " ".join(parts)


__all__ = ["named_things", "nouns", "scene_query"]
