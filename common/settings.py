"""Process settings, read once from the environment (prefix ``REELGRAPH_``) or a ``.env`` file."""

from __future__ import annotations

import json
import os
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AliasChoices, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict
from pydantic_settings.exceptions import SettingsError

from reelgraph.errors import InvalidInput


def _default_home() -> Path:
    return Path.home() / ".local" / "share" / "reelgraph"


class Settings(BaseSettings):
    """Every process-wide knob: where files live, which services to use, and the input limits."""

    model_config = SettingsConfigDict(env_prefix="REELGRAPH_", env_file=".env", extra="ignore")

    home: Path = Field(
        default_factory=_default_home, description="Root of storage/, cache/, models/."
    )
    redis_url: str = Field(
        default="redis://127.0.0.1:6379/0",
        validation_alias=AliasChoices("REDIS_URL", "REELGRAPH_REDIS_URL"),
    )
    checkpoint_url: str | None = Field(
        default=None, description="postgresql://... for a shared checkpointer; SQLite otherwise."
    )

    # LLM endpoint (any OpenAI-compatible server)
    openai_api_key: str | None = Field(
        default=None, validation_alias=AliasChoices("OPENAI_API_KEY", "REELGRAPH_OPENAI_API_KEY")
    )
    openai_base_url: str | None = Field(
        default=None, validation_alias=AliasChoices("OPENAI_BASE_URL", "REELGRAPH_OPENAI_BASE_URL")
    )
    llm_model: str = "gpt-4o-mini"
    llm_timeout_s: float = 60.0
    llm_max_retries: int = 4

    # Media engine
    ffmpeg_binary: str | None = Field(default=None, description="Path to ffmpeg; auto when unset.")
    encoder: str = Field(default="auto", description="auto | libx264 | h264_nvenc")
    hwdecode: Literal["auto", "on", "off"] = Field(
        default="auto",
        description="NVDEC for video inputs: auto (where a trial decode works), on, off.",
    )
    x264_preset: str = "veryfast"
    crf: int = 20
    threads: int = 0
    tts_parallelism: int = 2

    # Limits on hostile input
    max_prompt_chars: int = 20_000
    max_images: int = 50
    max_image_bytes: int = 25 * 1024 * 1024
    max_image_pixels: int = 40_000_000
    max_media_bytes: int = 2 * 1024 * 1024 * 1024
    max_upload_bytes: int = 2 * 1024 * 1024 * 1024
    max_duration_s: float = 900.0
    max_width: int = 3840
    max_height: int = 3840
    max_fps: int = 60
    max_json_body_bytes: int = Field(
        default=64 * 1024 * 1024,
        description="Largest request body outside uploads (413 past it); inline media counts.",
    )
    fetch_timeout_s: float = 30.0
    page_timeout_s: float = Field(
        default=600.0,
        description="Longest a page URL's video download may take, all its requests together.",
    )
    fetch_allow_private: bool = False
    fetch_allowlist: Annotated[list[str], NoDecode] = Field(
        default_factory=list, description="Hosts or CIDRs that may be fetched even if private."
    )

    # Stock providers and the image generator (workers/engine/visuals); keys never leave here
    pexels_api_key: SecretStr | None = Field(
        default=None,
        validation_alias=AliasChoices("PEXELS_API_KEY", "REELGRAPH_PEXELS_API_KEY"),
    )
    pixabay_api_key: SecretStr | None = Field(
        default=None,
        validation_alias=AliasChoices("PIXABAY_API_KEY", "REELGRAPH_PIXABAY_API_KEY"),
    )
    pexels_url: str = "https://api.pexels.com"
    pixabay_url: str = "https://pixabay.com"
    openverse_url: str = "https://api.openverse.org"
    wikimedia_url: str = "https://commons.wikimedia.org"
    stock_keyless: bool = Field(
        default=False,
        description="Openverse and Wikimedia Commons (no key) count as configured for 'auto'; "
        "off by default so a video made on the defaults never reaches the internet.",
    )
    stock_user_agent: str = Field(
        default="reelgraph/0.1 (open-source video studio; stock search) python-httpx",
        description="User-Agent of provider requests; Wikimedia asks for a contact in it.",
    )
    stock_query_ttl_s: int = Field(default=86400, description="How long search results are kept.")
    stock_file_ttl_s: int = Field(
        default=30 * 86400,
        description="How long a downloaded file is used without asking; then revalidated.",
    )
    stock_retries: int = Field(default=3, description="Retries after a 429, 5xx or network error.")
    stock_backoff_s: float = Field(default=0.5, description="First retry delay; doubles each time.")
    stock_retry_after_max_s: float = 30.0
    stock_pause_s: float = Field(
        default=300.0, description="How long a provider that failed is skipped in this process."
    )
    image_base_url: str | None = Field(
        default=None, description="OpenAI-compatible image endpoint (its /v1 root)."
    )
    image_api_key: SecretStr | None = None
    image_model: str = "gpt-image-1"
    image_sizes: dict[str, str] = Field(
        default_factory=lambda: {
            "landscape": "1536x1024",
            "portrait": "1024x1536",
            "square": "1024x1024",
        },
        description="The generator's image size for each orientation.",
    )
    image_timeout_s: float = 180.0

    # Server
    api_keys: Annotated[list[str], NoDecode] = Field(
        default_factory=list, description="Bearer keys; empty = open."
    )
    rate_limit_per_minute: int = 600
    auth_fail_limit: int = Field(
        default=20, description="Failed authentications per client address per window; 0 = off."
    )
    auth_fail_window_s: int = 300
    api_redis_timeout_s: float = Field(
        default=2.0, description="The API's Redis reply timeout: past it a request answers 503."
    )
    api_redis_connect_timeout_s: float = 1.0
    callback_secret: str | None = None
    public_base_url: str = "http://127.0.0.1:8000"
    job_timeout_s: int = 3600
    # Job platform (queues, workers, callbacks)
    graph_runner: str = Field(
        default="reelgraph.graph.runner:run_job",
        description="module:function that runs a graph job.",
    )
    graph_retries: int = 3
    media_retries: int = 2
    media_result_ttl_s: int = 7 * 86400
    job_record_ttl_s: int = 30 * 86400
    worker_heartbeat_s: int = 5
    worker_death_grace_s: int = 30
    worker_maintenance_s: int = 15
    callback_attempts: int = 5
    callback_backoff_s: float = 1.0
    callback_timeout_s: float = 10.0

    fonts_cache: Path | None = Field(
        default=None,
        validation_alias=AliasChoices("REELGRAPH_FONTS_CACHE_DIR"),
        description="Machine-wide cache of prepared fonts; $XDG_CACHE_HOME/reelgraph/fonts.",
    )

    @property
    def fonts_cache_dir(self) -> Path:
        if self.fonts_cache is not None:
            return self.fonts_cache
        xdg = os.environ.get("XDG_CACHE_HOME", "").strip()
        return (Path(xdg) if xdg else Path.home() / ".cache") / "reelgraph" / "fonts"

    @property
    def machine_cache_dir(self) -> Path:
        """Per-machine cache (measurements of this machine): $XDG_CACHE_HOME/reelgraph."""
        xdg = os.environ.get("XDG_CACHE_HOME", "").strip()
        return (Path(xdg) if xdg else Path.home() / ".cache") / "reelgraph"

    @property
    def storage_dir(self) -> Path:
        return self.home / "storage"

    @property
    def cache_dir(self) -> Path:
        return self.home / "cache"

    @property
    def models_dir(self) -> Path:
        return self.home / "models"

    @property
    def uploads_dir(self) -> Path:
        return self.home / "uploads"

    @field_validator("fetch_allowlist", "api_keys", mode="before")
    @classmethod
    def _list(cls, value: Any) -> Any:
        """A list from the environment: comma- or space-separated, or a JSON list."""
        if not isinstance(value, str):
            return value
        text = value.strip()
        if text.startswith("["):
            try:
                return json.loads(text)
            except json.JSONDecodeError as exc:
                raise ValueError(f"not a JSON list ({exc.msg})") from None
        return [v for v in text.replace(",", " ").split() if v]

    @property
    def llm_configured(self) -> bool:
        return bool(self.openai_api_key or self.openai_base_url)

    @property
    def image_configured(self) -> bool:
        return bool(self.image_api_key or self.image_base_url)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process's settings; tests call ``get_settings.cache_clear()`` after changing env.

    A value that does not parse is an ``InvalidInput`` naming the variable, never a traceback.
    """
    try:
        return Settings()
    except ValidationError as exc:
        err = exc.errors()[0]
        name = "REELGRAPH_" + str(err["loc"][0]).upper() if err.get("loc") else "a setting"
        raise InvalidInput(
            f"The setting {name} is not valid ({err['msg']}); fix it in the environment or .env."
        ) from None
    except SettingsError as exc:
        raise InvalidInput(
            f"A setting is not valid ({exc}); fix it in the environment or .env."
        ) from None
