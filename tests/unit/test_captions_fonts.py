"""Bundled fonts: one libass fontsdir, real family names, Pillow paths, user fonts dir."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from reelgraph.errors import InvalidInput
from reelgraph.settings import get_settings
from reelgraph.workers.engine import fonts


def _reset() -> None:
    get_settings.cache_clear()
    fonts.fonts_dir.cache_clear()
    fonts.font_family_names.cache_clear()
    fonts.font_file.cache_clear()


@pytest.fixture
def home(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[pytest.MonkeyPatch]:
    monkeypatch.setenv("REELGRAPH_HOME", str(tmp_path / "home"))  # fonts: the machine's cache
    monkeypatch.delenv("REELGRAPH_FONTS_DIR", raising=False)
    _reset()
    yield monkeypatch
    _reset()


def test_fonts_dir_holds_the_bundled_families(home) -> None:
    d = fonts.fonts_dir()
    files = [p for p in d.iterdir() if p.suffix.lower() in (".ttf", ".otf")]
    assert len(files) >= 3
    assert d.parent == get_settings().fonts_cache_dir
    assert not str(d).startswith(str(get_settings().home))  # shared by every data dir
    assert {"Anton", "Bebas Neue", "Montserrat"} <= set(fonts.font_family_names())
    assert not [p for p in d.iterdir() if p.name.startswith(".partial")]


def test_font_file_and_load_font(home) -> None:
    anton = fonts.font_file("Anton")
    assert anton.is_file() and anton.parent == fonts.fonts_dir()
    assert fonts.font_file("bebas neue").name.startswith("BebasNeue")
    font = fonts.load_font("Montserrat", 40, "bold")
    assert font.getname()[0] == "Montserrat"
    with pytest.raises(InvalidInput, match="Anton"):
        fonts.font_file("Comic Sans MS")
    with pytest.raises(InvalidInput, match="weight"):
        fonts.font_file("Anton", "heavyish")


def test_without_fonttools_the_variable_font_is_used(home, tmp_path: Path) -> None:
    home.setenv("REELGRAPH_FONTS_CACHE_DIR", str(tmp_path / "fonts"))
    home.setattr(fonts, "_cut_static", lambda *a: False)
    _reset()
    names = [p.name for p in fonts.fonts_dir().iterdir()]
    assert any(n.startswith("Montserrat[") for n in names)
    font = fonts.load_font("Montserrat", 40, "bold")
    axes = font.get_variation_axes()
    assert axes and axes[0]["name"] in (b"Weight", "Weight")


def test_user_fonts_dir_adds_files(home, tmp_path: Path) -> None:
    user = tmp_path / "myfonts"
    user.mkdir()
    shutil.copy(fonts.font_file("Anton"), user / "MyBrand-Regular.ttf")
    home.setenv("REELGRAPH_FONTS_CACHE_DIR", str(tmp_path / "fonts"))
    home.setenv("REELGRAPH_FONTS_DIR", str(user))
    home.setattr(fonts, "_cut_static", lambda *a: False)
    _reset()
    assert (fonts.fonts_dir() / "MyBrand-Regular.ttf").is_file()
