"""Content-addressed cache: key properties and atomic entries."""

from __future__ import annotations

from pathlib import Path

import pytest

from reelgraph.workers.engine.cache import Cache, make_key


def test_key_ignores_param_order(tmp_path: Path) -> None:
    assert make_key("ns", {"a": 1, "b": [1, 2]}) == make_key("ns", {"b": [1, 2], "a": 1})


def test_key_changes_with_one_byte_and_namespace(tmp_path: Path) -> None:
    f = tmp_path / "f.bin"
    f.write_bytes(b"hello world")
    k1 = make_key("ns", {"a": 1}, [f])
    f.write_bytes(b"hello worle")
    assert make_key("ns", {"a": 1}, [f]) != k1
    assert make_key("other", {"a": 1}, [f]) != make_key("ns", {"a": 1}, [f])
    assert make_key("ns", {"a": 2}, [f]) != make_key("ns", {"a": 1}, [f])


def test_entries_are_atomic(tmp_path: Path) -> None:
    cache = Cache(tmp_path)
    key = make_key("t", {"x": 1})
    with pytest.raises(RuntimeError), cache.put("t", key) as d:
        (d / "half.bin").write_bytes(b"x")
        raise RuntimeError("killed")
    assert cache.get("t", key) is None
    assert not any(p.name.startswith(key) for p in cache.entry_dir("t", key).parent.iterdir())
    cache.put_json("t", key, {"ok": True})
    assert cache.get_json("t", key) == {"ok": True}
