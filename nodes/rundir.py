"""Where a run's artifacts go when the caller did not say (LangGraph Studio, chat clients)."""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from reelgraph.settings import get_settings


def default_out_dir(state: Mapping[str, Any]) -> dict[str, str]:
    """``{"out_dir": ...}`` under ``storage/studio/<thread id>`` when the state has none."""
    if state.get("out_dir"):
        return {}
    thread = ""
    try:
        from langgraph.config import get_config

        thread = str(get_config().get("configurable", {}).get("thread_id") or "")
    except Exception:  # called outside a graph run
        thread = ""
    name = re.sub(r"[^A-Za-z0-9_-]", "", thread)[:64] or uuid.uuid4().hex[:12]
    path = get_settings().storage_dir / "studio" / name
    Path(path).mkdir(parents=True, exist_ok=True)
    return {"out_dir": str(path)}
