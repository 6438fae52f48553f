"""Every prompt template lives here as a versioned file; its hash goes into cache keys."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources


@dataclass(frozen=True)
class Prompt:
    name: str
    version: str
    text: str

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.text.encode()).hexdigest()

    def format(self, **values: str) -> str:
        out = self.text
        for key, value in values.items():
            out = out.replace("{" + key + "}", value)
        return out


@lru_cache(maxsize=32)
def load(name: str, version: str = "v1") -> Prompt:
    """Load ``prompts/<name>.<version>.md``."""
    text = resources.files(__package__).joinpath(f"{name}.{version}.md").read_text("utf-8")
    return Prompt(name=name, version=version, text=text)
