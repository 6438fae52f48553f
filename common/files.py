"""Files written so that a reader never sees half of one: ``<name>.partial``, then a rename."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any


def write_json_atomic(path: str | Path, data: Any) -> str:
    """Write ``data`` as indented UTF-8 JSON to ``path`` atomically; returns the path."""
    path = Path(path)
    tmp = path.with_name(path.name + ".partial")
    tmp.write_text(json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False))
    os.replace(tmp, path)
    return str(path)


def write_text_atomic(path: str | Path, text: str) -> str:
    """Write UTF-8 ``text`` to ``path`` atomically; returns the path."""
    path = Path(path)
    tmp = path.with_name(path.name + ".partial")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)
    return str(path)
