"""Content-addressed cache for intermediates: key = sha256 of canonical inputs + engine version.

Entries are directories ``cache/<namespace>/<key[:2]>/<key>/`` written atomically: the
content is built in ``<key>.partial-<pid>`` and renamed into place, so a killed worker never
leaves something that looks done. Classes (permanent, conditional, dynamic) are encoded by what
goes into each key: permanent keys hash only the source bytes, conditional keys add the
settings that change the result, dynamic results are cheap and not cached.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ENGINE_VERSION = "reelgraph-engine-1"


def canonical(obj: Any) -> str:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), default=str)


def hash_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


_file_hash_memo: dict[tuple[str, int, int], str] = {}


def hash_file(path: str | Path) -> str:
    """sha256 of a file's bytes, memoised per (path, size, mtime) within the process."""
    p = Path(path)
    st = p.stat()
    memo_key = (str(p.resolve()), st.st_size, st.st_mtime_ns)
    if memo_key in _file_hash_memo:
        return _file_hash_memo[memo_key]
    h = hashlib.sha256()
    with p.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    digest = h.hexdigest()
    _file_hash_memo[memo_key] = digest
    return digest


def make_key(namespace: str, params: dict[str, Any], files: list[str | Path] | None = None) -> str:
    """Key for ``params`` (key order irrelevant) plus the bytes of ``files`` (order relevant)."""
    payload = {
        "ns": namespace,
        "engine": ENGINE_VERSION,
        "params": params,
        "files": [hash_file(f) for f in (files or [])],
    }
    return hashlib.sha256(canonical(payload).encode()).hexdigest()


class Cache:
    """A directory of content-addressed entries; thread- and process-safe by atomic rename."""

    def __init__(self, root: str | Path):
        self.root = Path(root)

    def entry_dir(self, namespace: str, key: str) -> Path:
        return self.root / namespace / key[:2] / key

    def get(self, namespace: str, key: str) -> Path | None:
        d = self.entry_dir(namespace, key)
        if (d / ".done").exists():
            with contextlib.suppress(OSError):
                os.utime(d / ".done")  # LRU hint for pruning
            return d
        return None

    @contextmanager
    def put(self, namespace: str, key: str) -> Iterator[Path]:
        """Yield a scratch dir to fill; on success it becomes the entry, on error it vanishes."""
        final = self.entry_dir(namespace, key)
        final.parent.mkdir(parents=True, exist_ok=True)
        tmp = final.parent / f"{key}.partial-{os.getpid()}-{time.monotonic_ns()}"
        tmp.mkdir()
        try:
            yield tmp
            (tmp / ".done").write_text(str(time.time()))
            try:
                os.replace(tmp, final)
            except OSError:
                # Another process won the race and the entry exists: keep theirs.
                if not (final / ".done").exists():
                    shutil.rmtree(final, ignore_errors=True)
                    os.replace(tmp, final)
        finally:
            if tmp.exists():
                shutil.rmtree(tmp, ignore_errors=True)

    def get_json(self, namespace: str, key: str) -> Any | None:
        d = self.get(namespace, key)
        if d is None:
            return None
        return json.loads((d / "data.json").read_text())

    def put_json(self, namespace: str, key: str, value: Any) -> Path:
        with self.put(namespace, key) as tmp:
            (tmp / "data.json").write_text(json.dumps(value))
        return self.entry_dir(namespace, key)


def link_or_copy(src: str | Path, dest: str | Path) -> None:
    """Make ``dest`` hold ``src``'s bytes: a hard link when on one filesystem, else a copy."""
    d = Path(dest)
    d.unlink(missing_ok=True)
    try:
        os.link(src, d)
    except OSError:
        shutil.copyfile(src, d)


def get_cache() -> Cache:
    from reelgraph.settings import get_settings

    return Cache(get_settings().cache_dir)
