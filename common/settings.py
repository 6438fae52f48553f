"""Process settings, read once from the environment (prefix ``REELGRAPH_``) or a ``.env`` file."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict


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
    fetch_allowlist: list[str] = Field(
        default_factory=list, description="Hosts or CIDRs that may be fetched even if private."
    )

    # Server
    api_keys: list[str] = Field(default_factory=list, description="Bearer keys; empty = open.")
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

    # Visuals: the user's own media library (images and clips matched to scenes)
    library_dir: Path | None = Field(
        default=None,
        description="Folder of your own images and clips that scenes are matched to (offline).",
    )

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

    @property
    def llm_configured(self) -> bool:
        return bool(self.openai_api_key or self.openai_base_url)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process's settings; tests call ``get_settings.cache_clear()`` after changing env."""
    return Settings()
