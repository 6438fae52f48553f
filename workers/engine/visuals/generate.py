"""Generated images from any OpenAI-compatible ``POST /v1/images/generations`` endpoint.

One request per search: the scene's visual description is the prompt, ``n`` is 1, the size
comes from ``Settings.image_sizes`` for the orientation. The answer's ``data[0].b64_json`` is
decoded (or ``data[0].url`` fetched through the guarded fetcher), checked like any download
and kept; the same (endpoint, model, prompt, size) is answered from the cache afterwards, so a
re-render never pays for the image twice. The key never enters the cache key.
"""

from __future__ import annotations

import base64
import binascii
import logging
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from PIL import Image

from reelgraph.errors import ProviderError
from reelgraph.settings import get_settings
from reelgraph.workers.engine.cache import make_key
from reelgraph.workers.engine.visuals import store
from reelgraph.workers.engine.visuals.candidate import Candidate, Kind, Orientation
from reelgraph.workers.engine.visuals.http import request_json

logger = logging.getLogger(__name__)

NAME = "The image generator"
LICENSE = "Generated image"
DEFAULT_BASE = "https://api.openai.com/v1"
MAX_PROMPT_CHARS = 4000


def endpoint(base_url: str | None) -> str:
    """``{base}/images/generations``; a base URL without a path gets ``/v1`` first."""
    base = (base_url or DEFAULT_BASE).rstrip("/")
    if not urlsplit(base).path:
        base += "/v1"
    return f"{base}/images/generations"


class ImageGenerator:
    """An OpenAI-compatible image endpoint (``Settings.image_base_url`` / key / model)."""

    name = "generate"

    def __init__(self, base_url: str | None, api_key: str | None, model: str):
        self.url = endpoint(base_url)
        self.model = model
        self._headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}

    def payload(self, prompt: str, size: str) -> dict[str, Any]:
        body: dict[str, Any] = {"model": self.model, "prompt": prompt, "size": size, "n": 1}
        if not self.model.startswith("gpt-image"):  # GPT image models always answer base64
            body["response_format"] = "b64_json"  # and refuse the field
        return body

    def search(
        self, query: str, *, kind: Kind | None, orientation: Orientation, limit: int
    ) -> list[Candidate]:
        prompt = " ".join(query.split())[:MAX_PROMPT_CHARS]
        if kind == "video" or not prompt or limit < 1:
            return []
        size = get_settings().image_sizes.get(orientation, "1024x1024")
        key = make_key("generate", {"url": self.url, "model": self.model, "p": prompt, "s": size})
        known = store.recall(key)
        if known is not None:
            path, meta = known[0], {"revised_prompt": str(known[1].get("revised_prompt") or "")}
        else:
            path, meta = self._generate(prompt, size)
            store.remember(key, path, **meta)
        with Image.open(path) as im:
            width, height = im.size
        return [
            Candidate(
                source="generate",
                id=key[:16],
                kind="image",
                path=str(path),
                text=prompt,
                width=width,
                height=height,
                license=LICENSE,
                author=self.model,
                extra={"prompt": prompt, **meta},
            )
        ]

    def _generate(self, prompt: str, size: str) -> tuple[Path, dict[str, Any]]:
        data = request_json(
            NAME, "POST", self.url, headers=self._headers, payload=self.payload(prompt, size)
        )
        items = data.get("data") if isinstance(data, dict) else None
        item = items[0] if isinstance(items, list) and items and isinstance(items[0], dict) else {}
        meta = {"revised_prompt": str(item.get("revised_prompt") or "")}
        label = f"The image generated for {prompt[:60]!r}"
        if item.get("b64_json"):
            return store.keep_bytes(_decode(str(item["b64_json"])), "image", label), meta
        if item.get("url"):
            return store.fetch_file(str(item["url"]), kind="image", provider=NAME), meta
        raise ProviderError(f"{NAME} answered without an image (no data[0].b64_json or url).")


def _decode(text: str) -> bytes:
    limit = get_settings().max_image_bytes
    if len(text) * 3 // 4 > limit:
        raise ProviderError(f"{NAME} answered an image over the {limit}-byte limit.")
    try:
        return base64.b64decode(text, validate=False)
    except (binascii.Error, ValueError) as exc:
        raise ProviderError(f"{NAME} answered an image that is not valid base64.") from exc
