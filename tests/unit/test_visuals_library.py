"""The local library: indexed once (words from names, EXIF and XMP), cached, searched offline."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PIL import Image

from reelgraph.errors import InvalidInput
from reelgraph.workers.engine.visuals import library
from reelgraph.workers.engine.visuals.library import LibrarySource, index_library

XMP = (
    b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF '
    b'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description '
    b'xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:subject><rdf:Bag><rdf:li>lighthouse'
    b"</rdf:li><rdf:li>harbour</rdf:li></rdf:Bag></dc:subject><dc:title><rdf:Alt>"
    b'<rdf:li xml:lang="x-default">Evening ferry</rdf:li></rdf:Alt></dc:title>'
    b"</rdf:Description></rdf:RDF></x:xmpmeta>"
)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    root = tmp_path / "lib"
    (root / "holiday" / "beach").mkdir(parents=True)
    Image.new("RGB", (1080, 1920), (200, 30, 30)).save(root / "holiday" / "beach" / "IMG_01.jpg")
    exif = Image.Exif()
    exif[0x9C9E] = "golden retriever;puppy".encode("utf-16-le") + b"\0\0"
    exif[0x010E] = "A sunny afternoon"
    Image.new("RGB", (1920, 1080), (30, 200, 30)).save(root / "DSC_0002.jpg", exif=exif)
    Image.new("RGB", (800, 800), (30, 30, 200)).save(root / "p3.jpg", xmp=XMP)
    (root / "notes.txt").write_text("not media")
    (root / "broken.png").write_bytes(b"\x89PNG not really")
    return root


def test_index_has_words_from_names_exif_and_xmp(folder: Path) -> None:
    entries = {e["id"]: e for e in index_library(folder)}
    assert set(entries) == {"holiday/beach/IMG_01.jpg", "DSC_0002.jpg", "p3.jpg"}
    assert "holiday beach" in entries["holiday/beach/IMG_01.jpg"]["text"]
    assert "golden retriever" in entries["DSC_0002.jpg"]["text"]
    assert "sunny afternoon" in entries["DSC_0002.jpg"]["text"]
    assert (
        "lighthouse" in entries["p3.jpg"]["text"] and "Evening ferry" in entries["p3.jpg"]["text"]
    )
    assert (entries["DSC_0002.jpg"]["width"], entries["DSC_0002.jpg"]["height"]) == (1920, 1080)


def test_index_is_cached_until_a_file_changes(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = index_library(folder)
    calls: list[Path] = []
    real = library._entry
    monkeypatch.setattr(library, "_entry", lambda r, p: calls.append(p) or real(r, p))
    assert index_library(folder) == first and calls == []  # served from the cache
    Image.new("RGB", (64, 64), (1, 2, 3)).save(folder / "new_kayak.png")
    assert any(e["id"] == "new_kayak.png" for e in index_library(folder))
    assert calls  # re-indexed
    os.utime(folder / "p3.jpg", ns=(1, 1))
    calls.clear()
    index_library(folder)
    assert calls


def test_search_matches_query_words_offline(folder: Path) -> None:
    src = LibrarySource(folder)
    found = src.search("retriever puppy", kind=None, orientation="portrait", limit=5)
    assert [c.id for c in found] == ["DSC_0002.jpg"]
    assert found[0].source == "library" and Path(found[0].path).is_file()
    beach = src.search("beach holiday", kind=None, orientation="portrait", limit=5)
    assert beach[0].id == "holiday/beach/IMG_01.jpg"
    assert src.search("volcano", kind=None, orientation="portrait", limit=5) == []
    assert src.search("lighthouse", kind="video", orientation="portrait", limit=5) == []


def test_missing_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="does not exist"):
        LibrarySource(tmp_path / "nope")
