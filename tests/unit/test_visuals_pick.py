"""The picker: sources in order, ranking, no repeats, text frames skipped, fallbacks, cards.

Stock providers are stood in by fake ``Source`` objects (the HTTP stand-ins are the provider
modules' tests); ``providers.configured_sources/get_source/download`` are monkeypatched.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFilter

from reelgraph.errors import FetchFailed, ServiceUnavailable, TransientError
from reelgraph.workers.engine.fonts import load_font
from reelgraph.workers.engine.visuals import pick, providers
from reelgraph.workers.engine.visuals.candidate import Candidate


def _picture(path: Path, seed: int) -> Path:
    rng = np.random.default_rng(seed)
    blocks = rng.integers(0, 256, (6, 4, 3), dtype=np.uint8)
    img = Image.fromarray(blocks).resize((360, 640), Image.Resampling.NEAREST)
    img.filter(ImageFilter.GaussianBlur(10)).save(path)
    return path


def _slide(path: Path) -> Path:
    img = Image.new("RGB", (360, 640), (250, 250, 250))
    draw = ImageDraw.Draw(img)
    font = load_font("Montserrat", 40, "bold")
    for i, line in enumerate(["BIG SALE", "50% OFF", "TODAY", "ONLY", "SHOP", "NOW"]):
        draw.text((30, 40 + i * 95), line, font=font, fill=(0, 0, 0))
    img.save(path)
    return path


class FakeSource:
    """A stock provider answering from a fixed list (or failing with ``error``)."""

    def __init__(self, name: str, items: list[Candidate], error: Exception | None = None):
        self.name, self.items, self.error, self.calls = name, items, error, 0

    def search(self, query: str, *, kind, orientation, limit) -> list[Candidate]:  # type: ignore[no-untyped-def]
        self.calls += 1
        if self.error is not None:
            raise self.error
        return self.items[:limit]


def _item(source: str, id: str, text: str, url: str = "") -> Candidate:
    return Candidate(
        source=source,
        id=id,
        kind="image",
        url=url or f"https://example.org/{id}.png",
        text=text,
        width=1080,
        height=1920,
        page_url=f"https://example.org/photo/{id}",
        license="Example License",
        author="Ann Author",
    )


@pytest.fixture(autouse=True)
def no_ocr(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """OCR is slow on a shared CPU: only the text-frame test reads the pictures."""
    if "text_frames" not in request.node.name:
        monkeypatch.setattr(pick, "text_share", lambda img: 0.0)


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    return {
        "a": _picture(tmp_path / "a.png", 1),
        "b": _picture(tmp_path / "b.png", 2),
        "c": _picture(tmp_path / "c.png", 3),
        "slide": _slide(tmp_path / "slide.png"),
    }


def _use(monkeypatch: pytest.MonkeyPatch, sources: list[FakeSource], files: dict[str, Path]):
    by_name = {s.name: s for s in sources}
    monkeypatch.setattr(providers, "configured_sources", lambda: list(sources))
    monkeypatch.setattr(providers, "get_source", lambda name, **kw: by_name.get(name))
    monkeypatch.setattr(providers, "download", lambda item: files[item.url.rsplit("/", 1)[-1][:-4]])


def _scenes(*queries: str) -> list[dict]:
    return [
        {"index": i, "query": q, "seconds": 3.0, "motion": False} for i, q in enumerate(queries)
    ]


def test_best_text_match_is_chosen_and_credited(monkeypatch, files) -> None:
    src = FakeSource(
        "pexels",
        [_item("pexels", "b", "a mountain lake"), _item("pexels", "a", "red fox in snow")],
    )
    _use(monkeypatch, [src], files)
    out = pick.pick_all(_scenes("fox snow"), mode="auto", library=None, width=1080, height=1920)
    v = out["visuals"][0]
    assert (v["source"], v["id"], v["path"]) == ("pexels", "a", str(files["a"]))
    assert v["license"] == "Example License" and "Ann Author" in v["attribution"]
    assert v["origin"] == "https://example.org/photo/a"
    assert v["text_score"] == 1.0


def test_never_the_same_item_twice_nor_a_near_duplicate(monkeypatch, files, tmp_path) -> None:
    copy = tmp_path / "copy.jpg"
    Image.open(files["a"]).resize((180, 320)).save(copy, quality=60)
    files["copy"] = copy
    src = FakeSource(
        "pexels",
        [
            _item("pexels", "a", "fox"),
            _item("pexels", "copy", "fox fox"),
            _item("pexels", "b", "fox"),
            _item("pexels", "c", "fox"),
        ],
    )
    _use(monkeypatch, [src], files)
    out = pick.pick_all(
        _scenes("fox", "fox", "fox"), mode="pexels", library=None, width=1080, height=1920
    )
    ids = [v["id"] for v in out["visuals"]]
    assert ids[0] in ("a", "copy")  # the first shows one of the two copies ...
    assert not {"a", "copy"} <= set(ids)  # ... and the other copy is never shown
    assert len(set(ids)) == 3


def test_text_frames_are_skipped(monkeypatch, files) -> None:
    src = FakeSource(
        "pixabay", [_item("pixabay", "slide", "fox fox fox"), _item("pixabay", "b", "fox")]
    )
    _use(monkeypatch, [src], files)
    out = pick.pick_all(_scenes("fox"), mode="auto", library=None, width=1080, height=1920)
    assert out["visuals"][0]["id"] == "b"


@pytest.mark.parametrize(
    "error",
    [
        ServiceUnavailable(
            "Pexels refused the API key (HTTP 401); check REELGRAPH_PEXELS_API_KEY."
        ),
        TransientError("Pexels is rate-limiting (HTTP 429) after retries."),
        FetchFailed("Pexels answered HTTP 503."),
    ],
    ids=["401", "429", "5xx"],
)
def test_a_failing_provider_falls_back_to_the_next_with_a_warning(
    monkeypatch, files, error
) -> None:
    bad = FakeSource("pexels", [], error=error)
    good = FakeSource("openverse", [_item("openverse", "c", "fox"), _item("openverse", "b", "owl")])
    _use(monkeypatch, [bad, good], files)
    out = pick.pick_all(_scenes("fox", "owl"), mode="auto", library=None, width=1080, height=1920)
    assert [v["source"] for v in out["visuals"]] == ["openverse", "openverse"]
    assert bad.calls == 1  # skipped for the rest of the video after failing
    assert len(out["warnings"]) == 1 and "pexels" in out["warnings"][0]


def test_cards_when_nothing_fits_or_asked(monkeypatch, files) -> None:
    src = FakeSource("pexels", [_item("pexels", "a", "fox")])
    _use(monkeypatch, [src], files)
    out = pick.pick_all(_scenes("fox", "fox"), mode="auto", library=None, width=1080, height=1920)
    assert [v["source"] for v in out["visuals"]] == ["pexels", "cards"]
    out = pick.pick_all(_scenes("fox"), mode="cards", library=None, width=1080, height=1920)
    assert out["visuals"][0]["kind"] == "card" and src.calls == 2  # cards mode asks no one


def test_unconfigured_provider_mode_warns_and_draws_cards(monkeypatch, files) -> None:
    _use(monkeypatch, [], files)
    out = pick.pick_all(_scenes("fox"), mode="wikimedia", library=None, width=1080, height=1920)
    assert out["visuals"][0]["source"] == "cards"
    assert "not configured" in out["warnings"][0]


def test_library_comes_before_providers_in_auto(monkeypatch, files, tmp_path) -> None:
    lib = tmp_path / "lib"
    lib.mkdir()
    Image.open(files["c"]).save(lib / "red_fox.png")
    src = FakeSource("pexels", [_item("pexels", "a", "fox"), _item("pexels", "b", "owl")])
    _use(monkeypatch, [src], files)
    out = pick.pick_all(
        _scenes("fox", "owl"), mode="auto", library=str(lib), width=1080, height=1920
    )
    assert [(v["source"], v["id"]) for v in out["visuals"]] == [
        ("library", "red_fox.png"),
        ("pexels", "b"),
    ]
    assert out["visuals"][0]["origin"] == "library:red_fox.png"


def test_a_missing_library_setting_warns_instead_of_failing(monkeypatch, files, tmp_path) -> None:
    _use(monkeypatch, [], files)
    out = pick.pick_all(
        _scenes("fox"), mode="auto", library=str(tmp_path / "gone"), width=1080, height=1920
    )
    assert out["visuals"][0]["source"] == "cards"
    assert "library is not used" in out["warnings"][0]
