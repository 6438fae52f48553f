"""What each scene shows: sources in the mode's order, ranked, no repeats, no text frames.

Per scene the sources are asked in order (``auto``: the library, then every configured stock
provider, then the image generator); each source's items are ranked (``rank``) and the first
one that is not already shown (same source and id, or a near duplicate by perceptual hash) and
is not mostly text (OCR) is taken. A scene nothing fits gets a card. A source that fails (an
error after the provider's own retries, a rate limit) is skipped for the rest of the video with
one warning. Everything returned is JSON: references and credits, never bytes.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from reelgraph.errors import DependencyMissing, ReelgraphError
from reelgraph.workers.engine.cache import get_cache, make_key
from reelgraph.workers.engine.visuals import providers
from reelgraph.workers.engine.visuals.candidate import Candidate, Source
from reelgraph.workers.engine.visuals.dedupe import frame_of, is_near, signature
from reelgraph.workers.engine.visuals.modes import MODES
from reelgraph.workers.engine.visuals.rank import orientation_of, rank
from reelgraph.workers.engine.visuals.textframe import is_text_frame, text_share

logger = logging.getLogger(__name__)

FACTS_NS = "visual-facts"
FACTS_VERSION = 3
#: Items asked of each source per scene.
SEARCH_LIMIT = 10


@dataclass
class Picker:
    """The state of one video's picking: sources, what is shown already, warnings."""

    sources: list[Source]
    width: int
    height: int
    used_ids: set[tuple[str, str]] = field(default_factory=set)
    used_hashes: list[int] = field(default_factory=list)
    used_colours: list[list[int]] = field(default_factory=list)
    failed: set[str] = field(default_factory=set)
    warnings: list[str] = field(default_factory=list)
    ocr: bool = True


def sources_for(mode: str, library: str | None) -> tuple[list[Source], list[str]]:
    """The sources a mode asks, in order, and warnings for those it cannot use."""
    from reelgraph.workers.engine.visuals.library import LibrarySource

    if mode not in MODES:
        raise ValueError(f"unknown visuals mode {mode!r}")
    out: list[Source] = []
    warnings: list[str] = []
    if mode in ("auto", "library"):
        if library:
            try:
                out.append(LibrarySource(library))
            except ReelgraphError as exc:  # the setting names a folder that is gone
                warnings.append(f"The library is not used: {exc}")
        elif mode == "library":
            warnings.append(
                "visuals=library but no library folder is set (--library or "
                "REELGRAPH_LIBRARY_DIR); scenes show cards."
            )
    if mode == "auto":
        out += providers.configured_sources()
    elif mode in providers.PROVIDERS:
        src = providers.get_source(mode, asked=True)
        if src is None:
            warnings.append(f"visuals={mode} but {mode} is not configured; scenes show cards.")
        else:
            out.append(src)
    return out, warnings


def item_facts(path: str, kind: str, duration: float, ocr: bool) -> dict[str, Any]:
    """{dhash, colour, text_share} of one media file, cached by its bytes (text_share is None
    when the OCR was not asked)."""
    key = make_key(FACTS_NS, {"v": FACTS_VERSION, "kind": kind, "ocr": ocr}, [path])
    cache = get_cache()
    hit = cache.get_json(FACTS_NS, key)
    if hit is not None:
        return dict(hit)
    img = frame_of(path, kind, duration)
    h, colour = signature(img)
    facts = {"dhash": h, "colour": colour, "text_share": text_share(img) if ocr else None}
    cache.put_json(FACTS_NS, key, facts)
    return facts


def _local(item: Candidate) -> str:
    return item.path if item.path else str(providers.download(item))


def _facts(p: Picker, path: str, item: Candidate) -> dict[str, Any]:
    try:
        return item_facts(path, item.kind, item.duration, p.ocr)
    except DependencyMissing as exc:  # no OCR engine: hash only, say so once
        p.ocr = False
        p.warnings.append(f"Text frames are not skipped: {exc}")
        return item_facts(path, item.kind, item.duration, False)


def _accept(p: Picker, item: Candidate) -> dict[str, Any] | None:
    """The item as a pick when it is new and not mostly text; None to try the next."""
    if (item.source, item.id) in p.used_ids:
        return None
    path = _local(item)
    facts = _facts(p, path, item)
    if is_near(
        int(facts["dhash"]), p.used_hashes, colour=facts["colour"], seen_colours=p.used_colours
    ):
        logger.info("visuals: %s %s is a near duplicate of one shown", item.source, item.id)
        return None
    share = facts.get("text_share")
    if share is not None and is_text_frame(float(share)):
        logger.info("visuals: %s %s is mostly text (%.0f%%)", item.source, item.id, share * 100)
        return None
    p.used_ids.add((item.source, item.id))
    p.used_hashes.append(int(facts["dhash"]))
    p.used_colours.append(list(facts["colour"]))
    return {**_credit(item), "path": path, "text_share": share}


def _credit(item: Candidate) -> dict[str, Any]:
    origin = item.page_url or (f"library:{item.id}" if item.source == "library" else item.url)
    return {
        "source": item.source,
        "id": item.id,
        "kind": item.kind,
        "width": item.width,
        "height": item.height,
        "duration": item.duration,
        "origin": origin,
        "license": item.license,
        "license_url": item.license_url,
        "author": item.author,
        "author_url": item.author_url,
        "attribution": item.attribution,
    }


def _search(p: Picker, src: Source, scene: dict[str, Any]) -> list[Candidate]:
    """The source's items for the scene: the generator draws its ``prompt`` (what is on
    screen), the others search its ``query``."""
    orientation = orientation_of(p.width, p.height)
    words = scene.get("prompt") or scene["query"] if src.name == "generate" else scene["query"]
    try:
        return src.search(words, kind=None, orientation=orientation, limit=SEARCH_LIMIT)
    except (ReelgraphError, OSError) as exc:
        p.failed.add(src.name)
        p.warnings.append(f"Visual source {src.name} failed and was skipped: {exc}")
        return []


def pick_scene(p: Picker, scene: dict[str, Any]) -> dict[str, Any]:
    """The pick of one scene (``scene``: index, query, prompt, seconds, motion, skip): the best
    new item of the first source that has one (after ``skip`` acceptable ones), else a card."""
    base = {"scene": scene["index"], "query": scene["query"]}
    skip = int(scene.get("skip") or 0)  # a regenerated scene passes over its earlier picks
    for src in p.sources:
        if src.name in p.failed or not scene["query"].strip():
            continue
        found = _search(p, src, scene)
        ranked = rank(
            found,
            scene["query"],
            p.width,
            p.height,
            scene_s=scene["seconds"],
            prefer_video=scene["motion"],
        )
        for score, fit, item in ranked:
            try:
                pick = _accept(p, item)
            except (ReelgraphError, OSError) as exc:
                p.warnings.append(f"Visual {item.source} {item.id} could not be used: {exc}")
                continue
            if pick is not None and skip:
                skip -= 1
            elif pick is not None:
                return {**base, **pick, "text_score": score, "fit": fit}
    return {**base, "source": "cards", "id": "", "kind": "card", "origin": "card", "license": ""}


def pick_all(
    scenes: list[dict[str, Any]], *, mode: str, library: str | None, width: int, height: int
) -> dict[str, Any]:
    """{visuals: one pick per scene, warnings}; see the module docstring."""
    sources, warnings = sources_for(mode, library)
    p = Picker(sources=sources, width=width, height=height, warnings=warnings)
    picks = [pick_scene(p, s) for s in scenes]
    return {"visuals": picks, "warnings": p.warnings}


__all__ = ["MODES", "item_facts", "pick_all", "pick_scene", "sources_for"]
