"""The run-level cache of `reelgraph create`: an identical run is a copy of the first one.

The key is everything that decides the output: the flow, the options, the inputs (local files by
their content), the chat model when one is configured, the FFmpeg version line and a fingerprint
of reelgraph's own code and prompts, so a code change never serves a stale video. A hit copies
the finished artifacts into place without importing the graph or touching any model. The stage
caches (narration, music, render) still apply when the key differs in one part only.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any

NAMESPACE = "runs"
_SUBPACKAGES = ("app", "graph", "nodes", "prompts", "workers")


@lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """sha256 over reelgraph's Python sources and prompt templates (about 20 ms).

    Each part is found where it is installed (a wheel keeps them under ``reelgraph/``, an
    editable install in the repository's top-level folders).
    """
    import importlib.util

    digest = hashlib.sha256()
    for name in ("reelgraph", *(f"reelgraph.{sub}" for sub in _SUBPACKAGES)):
        spec = importlib.util.find_spec(name)
        folder = Path((spec.submodule_search_locations or [""])[0]) if spec else None
        if folder is None or not folder.is_dir():
            continue
        files = folder.glob("*") if name == "reelgraph" else folder.rglob("*")
        for path in sorted(files):
            if path.suffix in (".py", ".md") and path.is_file():
                digest.update(f"{name}/{path.relative_to(folder)}".encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()


def _local_files(inputs: dict[str, Any]) -> Iterable[str]:
    values = [*inputs.get("images", []), inputs.get("audio"), inputs.get("music_file")]
    values.append(inputs.get("transcript"))
    for value in values:
        if isinstance(value, str) and len(value) < 4096 and os.path.isfile(value):
            yield value


def _visual_sources(flow: str, options: dict[str, Any]) -> dict[str, Any] | None:
    """What create's pictures depend on besides the options: the library's files (names,
    sizes, times) and which stock providers are configured."""
    if flow != "create":
        return None
    from reelgraph.settings import get_settings
    from reelgraph.workers.engine.visuals.library import fingerprint
    from reelgraph.workers.engine.visuals.providers import configured_sources

    folder = options.get("library") or get_settings().library_dir
    library = fingerprint(folder) if folder and Path(folder).is_dir() else None
    return {"library": library, "providers": [s.name for s in configured_sources()]}


def run_key(flow: str, inputs: dict[str, Any], options: dict[str, Any]) -> str:
    """The cache key of a whole run (see the module docstring)."""
    from reelgraph.settings import get_settings
    from reelgraph.workers.engine.cache import make_key
    from reelgraph.workers.engine.ffmpeg import ffmpeg_version

    s = get_settings()
    llm = {"model": s.llm_model, "base": s.openai_base_url} if s.llm_configured else None
    params = {
        "flow": flow,
        "inputs": inputs,
        "options": options,
        "llm": llm,
        "visuals": _visual_sources(flow, options),
        "ffmpeg": ffmpeg_version(),
        "code": code_fingerprint(),
    }
    return make_key(NAMESPACE, params, list(_local_files(inputs)))


def cached_artifacts(key: str, names: Iterable[str]) -> dict[str, str] | None:
    """The artifacts of a finished run with ``key``, or None."""
    from reelgraph.workers.engine.cache import get_cache

    entry = get_cache().get(NAMESPACE, key)
    if entry is None:
        return None
    found = {n: str(entry / n) for n in names if (entry / n).is_file()}
    return found if "video.mp4" in found else None


def store_artifacts(key: str, artifacts: dict[str, str]) -> None:
    """Keep a finished run's artifacts under ``key`` (links where the filesystem allows)."""
    from reelgraph.workers.engine.cache import get_cache, link_or_copy

    with get_cache().put(NAMESPACE, key) as tmp:
        for name, src in artifacts.items():
            if src and Path(src).is_file():
                link_or_copy(src, tmp / name)
