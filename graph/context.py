"""Per-run knobs: one options model per flow (create, caption, analyze), the graphs' context.

Each model is the single source of its flow's options. It is the graph's ``context_schema``
(LangGraph Studio shows it and saves presets of it; nodes read ``runtime.context.voice``), the
``reelgraph`` command's flags (``app/commands/flags.py``: ``caption_color`` is
``--caption-color``), the API's request options (``app/api/options.py``) and, through
``ALIASES``, the other names the CLI, the API and the seed routes accept. Defaults are written
here once. Everything is validated before any work starts.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal, Self

from pydantic import AfterValidator, BeforeValidator, Field, WithJsonSchema, model_validator

from reelgraph.graph.options import Alias, Colour, FlowOptions, LanguageCode, LanguageList
from reelgraph.settings import get_settings
from reelgraph.workers.engine.caption_layout import SAFE_ZONE_CHOICES
from reelgraph.workers.engine.captions_look import BUNDLED_FAMILIES, CAPTION_STYLES, POSITIONS
from reelgraph.workers.engine.enhance import ENHANCE_MODES
from reelgraph.workers.engine.music import MOOD_FALLBACK, moods
from reelgraph.workers.engine.ocr import ENGINES
from reelgraph.workers.engine.segments import MAX_SEGMENT_S, MIN_SEGMENT_S
from reelgraph.workers.engine.spec import ASPECT_SIZES
from reelgraph.workers.engine.timeline_export import EXPORT_FORMATS
from reelgraph.workers.engine.visuals.modes import MODES as VISUALS_MODES

if TYPE_CHECKING:
    CaptionStyle = str
    CaptionFont = str
    CaptionPosition = str
    SafeZone = str
    OcrEngine = str
    ExportFormat = str
    EnhanceMode = str
    VisualsMode = str
else:  # the choices come from the media engine
    CaptionStyle = Literal[CAPTION_STYLES]
    CaptionFont = Literal[BUNDLED_FAMILIES]
    CaptionPosition = Literal[POSITIONS]
    SafeZone = Literal[SAFE_ZONE_CHOICES]
    OcrEngine = Literal[ENGINES]
    ExportFormat = Literal[EXPORT_FORMATS]
    EnhanceMode = Literal[ENHANCE_MODES]
    VisualsMode = Literal[VISUALS_MODES]
Quality = Literal["draft", "standard", "high"]

#: The other names of options, in one table: old flags, the API's and the seed routes' names.
ALIASES = (
    Alias("style", "caption_style", ("create", "caption")),
    Alias("model", "llm_model", ("create",)),
    # The API's `model` of a caption job is the chat model of `correct`; `--model` is the ASR's.
    Alias("model", "llm_model", ("caption",), cli=False),
    Alias("model", "asr_model", ("caption", "analyze"), api=False),
    Alias("cut_silences", "remove_silence", ("caption",)),
    Alias("threshold", "silence_threshold_db", ("caption",)),
    Alias("padding", "silence_padding", ("caption",)),
    Alias("correct_transcript", "correct", ("caption",)),
    Alias("broll", "broll_dir", ("caption",), api=False),
    Alias("every", "every_n_frames", ("analyze",)),
    Alias("enhance_frames", "enhance", ("create",), cli=False),
    Alias("ocr", "ocr_engine", ("analyze",), api=False),
    Alias("style", "caption_style", ("clips",)),
)


def _lower(value: str) -> str:
    return value.strip().lower()


def _format_list(value: Any) -> Any:
    """``"otio,edl"`` (the CLI's and the API's comma-separated form) is ``["otio", "edl"]``."""
    if isinstance(value, str):
        return [part.strip().lower() for part in value.split(",") if part.strip()]
    if value is not None and not isinstance(value, list | tuple):
        raise ValueError(f"give a list or a comma-separated string of {', '.join(EXPORT_FORMATS)}")
    return value


def _in_order(value: tuple[str, ...] | None) -> tuple[str, ...] | None:
    """Each format once, in the order of EXPORT_FORMATS."""
    return None if value is None else tuple(f for f in EXPORT_FORMATS if f in value)


#: Editor timeline formats: a list, or one comma-separated string.
ExportFormats = Annotated[
    tuple[ExportFormat, ...],
    BeforeValidator(_format_list),
    AfterValidator(_in_order),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "array", "items": {"enum": list(EXPORT_FORMATS)}},
                {"type": "string", "description": "comma-separated, e.g. otio,fcpxml,edl"},
            ]
        }
    ),
]


def _on_off(value: Any) -> Any:
    """true/false (the seed route's ``enhance_frames``) mean on/off; names are lower-cased."""
    if isinstance(value, bool):
        return "on" if value else "off"
    return _lower(value) if isinstance(value, str) else value


class _Options(FlowOptions):
    ALIASES = ALIASES


class CaptionLook(_Options):
    """How the burned-in word captions look (create and caption)."""

    GROUP = "caption look"

    caption_style: CaptionStyle = "karaoke"
    """Caption preset: karaoke (spoken word highlighted), pop (word by word), clean, bold."""
    caption_color: Colour | None = None
    """Text colour: a CSS colour name or #RRGGBB (default: the preset's)."""
    highlight_color: Colour | None = None
    """Colour of the spoken word: a CSS colour name or #RRGGBB (default: the preset's)."""
    caption_font: CaptionFont | None = None
    """Font family, one of the bundled fonts (default: the preset's)."""
    caption_size: int | None = Field(None, ge=24, le=200)
    """Font size in px at 1080x1920, scaled with the output's size (default: the preset's)."""
    caption_position: CaptionPosition | None = None
    """Where captions sit: top, middle or bottom (default: the preset's)."""
    safe_zone: SafeZone = "auto"
    """Platform UI kept clear: tiktok, reels, shorts, none; auto = shorts on 9:16, else none."""
    emoji: bool = False
    """A colour emoji beside each caption line whose words name one (fire, money, idea...)."""


class Output(_Options):
    """The rendered video's size, frame rate and quality (create and caption)."""

    GROUP = "output"

    CLI_SKIP = frozenset({"width", "height"})

    width: int | None = Field(None, ge=16)
    """Explicit output width in px, even (with height; overrides the aspect's size)."""
    height: int | None = Field(None, ge=16)
    """Explicit output height in px, even (with width)."""
    fps: int = Field(30, ge=1, title="FPS")
    """Output frames per second."""
    quality: Quality = "standard"
    """Encoding quality: draft, standard or high."""
    enhance: Annotated[EnhanceMode, BeforeValidator(_on_off)] = "auto"
    """Sharpen small pictures and clips, denoise noisy ones: auto (under half size), on or off."""

    @model_validator(mode="after")
    def _limits(self) -> Self:
        """Size and fps against the limits in Settings; width and height both or neither, even."""
        s = get_settings()
        if self.fps > s.max_fps:
            raise self.fail("fps", self.fps, f"fps {self.fps} is out of range; use 1..{s.max_fps}.")
        w, h = self.width, self.height
        if (w is None) != (h is None):
            raise self.fail(
                "width" if h is None else "height",
                w or h,
                "Give both width and height, or neither.",
            )
        if w is None or h is None:
            return self
        if w > s.max_width or h > s.max_height:
            field, value, top = (
                ("width", w, s.max_width) if w > s.max_width else ("height", h, s.max_height)
            )
            raise self.fail(
                field,
                value,
                f"Resolution {w}x{h} is out of range: {field} {value} is above the limit {top}; "
                f"use 16..{s.max_width} x 16..{s.max_height}.",
            )
        if w % 2 or h % 2:
            raise self.fail(
                "width" if w % 2 else "height",
                w if w % 2 else h,
                f"Resolution {w}x{h} must have an even width and height (H.264 needs them).",
            )
        return self


class Segmenting(_Options):
    """Segment-parallel rendering (create and caption)."""

    GROUP = "output"

    segment_seconds: float | None = Field(None, ge=0, le=MAX_SEGMENT_S)
    """Render in segments of about this many seconds, one per worker (0 = one pass; default:
    one pass embedded, REELGRAPH_SEGMENT_SECONDS (60) on a server); 0 or 2..3600."""

    @model_validator(mode="after")
    def _segment_range(self) -> Self:
        seg = self.segment_seconds
        if seg is not None and 0 < seg < MIN_SEGMENT_S:
            raise self.fail(
                "segment_seconds",
                seg,
                f"segment_seconds {seg:g} is too short; use 0 (one pass) or "
                f"{MIN_SEGMENT_S:g}..{MAX_SEGMENT_S:g} seconds.",
            )
        return self


class Export(_Options):
    """Editor timelines of the edit (create and caption)."""

    GROUP = "output"

    export: ExportFormats | None = None
    """Editor timelines written beside the video: otio, fcpxml, edl (comma-separated)."""


class Speech(_Options):
    """How speech is transcribed (caption and analyze)."""

    GROUP = "transcription"

    asr_model: str = Field("auto", title="ASR model")
    """auto (the most accurate installed model fast enough here), tiny.en, base, or a model dir."""
    language: str | None = Field(None, max_length=16)
    """Spoken language code such as en or de (default: detected)."""

    @model_validator(mode="after")
    def _language_fits_the_model(self) -> Self:
        """An English-only model (``*.en``) cannot transcribe another language: say so now."""
        lang = (self.language or "").strip().lower()
        if lang and lang != "en" and self.asr_model.strip().endswith(".en"):
            raise self.fail(
                "language",
                self.language,
                f"The ASR model {self.asr_model} is English-only and cannot transcribe "
                f"'{self.language}'; use --asr-model auto or base (a multilingual model).",
            )
        return self


def _is_voice_file(voice: str | None) -> bool:
    return bool(voice) and (str(voice).endswith(".onnx") or "/" in str(voice))


class Translation(_Options):
    """Translated caption tracks and dubbed versions (create and caption); needs an LLM."""

    GROUP = "translation"

    translate: LanguageList | None = None
    """Languages (de or de,fr) the captions are translated into: .srt/.vtt tracks and subtitle
    streams in the mp4 (needs an OpenAI-compatible chat endpoint)."""
    dub: bool = False
    """Also narrate each translation and render a dubbed video per language."""
    dub_voice: str | None = Field(None, max_length=300)
    """Piper voice of the dubbed narration (default: espeak-ng's voice for each language)."""

    @model_validator(mode="after")
    def _check_translation(self) -> Self:
        """dub needs translate, translate a chat model; each dub language needs a voice."""
        from reelgraph.workers.engine.tts import check_language_voice

        if self.dub and not self.translate:
            raise self.fail("dub", self.dub, "Dubbing needs translate: name the languages.")
        if self.translate and not get_settings().llm_configured:
            raise self.fail(
                "translate",
                ",".join(self.translate),
                "Translating captions needs a chat model endpoint: set OPENAI_BASE_URL (any "
                "OpenAI-compatible server) and/or OPENAI_API_KEY, or leave out translate.",
            )
        if self.dub_voice:
            from reelgraph.workers.engine.tts import resolve_voice

            resolve_voice(self.dub_voice)  # an unknown name or a missing file fails here
        if self.dub and not _is_voice_file(self.dub_voice):
            for code in self.translate or ():
                try:
                    check_language_voice(code)
                except ValueError as exc:
                    raise self.fail("translate", code, f"{exc}.") from None
        return self


class Context(CaptionLook, Output, Segmenting, Export, Translation):
    """Options of `create`: how one video is made from a prompt; every one has a default."""

    FLOW = "create"
    API_SKIP = frozenset({"library"})

    voice: str = "joe"
    """Piper voice name, or a path to a piper .onnx voice (CLI only)."""
    aspect: Literal["9:16", "16:9", "1:1"] = "9:16"
    """Output shape: 9:16 (1080x1920), 16:9 (1920x1080) or 1:1 (1080x1080)."""
    duration: float | None = Field(None, ge=1.0)
    """Target length in seconds; scenes stretch to fill it (speech is never cut)."""
    music: Annotated[str, AfterValidator(_lower)] = "auto"
    """auto (a track for the plan's mood), a mood (calm, happy, ...), or none."""
    music_volume: float = Field(-12.0, ge=-40.0, le=0.0)
    """Level of the music bed in dB before it is ducked under the voice, -40..0."""
    llm_model: str | None = Field(None, max_length=100, title="LLM model")
    """Chat model for planning (default: settings.llm_model; needs an OpenAI-compatible API)."""
    speed: float = Field(1.0, ge=0.5, le=2.0)
    """Narration speed factor, 0.5..2."""
    language: LanguageCode | None = None
    """Language of the script and narration, such as de (default: English); espeak-ng's voice
    for it narrates unless voice is a piper voice file."""
    visuals: VisualsMode = "auto"
    """What scenes show: auto (your library, then configured stock providers, then generated
    images, then cards), library, pexels, pixabay, openverse, wikimedia, generate or cards."""
    library: str | None = Field(None, max_length=4096)
    """Folder of your own images and clips matched to scenes by their names and keywords
    (default: REELGRAPH_LIBRARY_DIR; CLI only)."""
    review: bool = False
    """Stop after planning with a storyboard and a draft preview to approve, edit or reject."""

    def size(self) -> tuple[int, int]:
        """The output's (width, height): the explicit size, else the aspect's."""
        if self.width and self.height:
            return self.width, self.height
        return ASPECT_SIZES[self.aspect]

    def _check_visuals(self) -> None:
        """The library is a readable folder; visuals=library needs one."""
        from reelgraph.errors import ReelgraphError
        from reelgraph.workers.engine.visuals.library import check_library

        if self.library:
            try:
                check_library(self.library)
            except ReelgraphError as exc:
                raise self.fail("library", self.library, exc.message) from None
        elif self.visuals == "library" and not get_settings().library_dir:
            raise self.fail(
                "visuals",
                self.visuals,
                "visuals=library needs a library folder: pass --library DIR or set "
                "REELGRAPH_LIBRARY_DIR.",
            )

    @model_validator(mode="after")
    def _check(self) -> Context:
        s = get_settings()
        if self.duration is not None and self.duration > s.max_duration_s:
            raise self.fail(
                "duration",
                self.duration,
                f"Duration {self.duration:g}s is out of range; "
                f"use 1..{s.max_duration_s:g} seconds.",
            )
        if self.language and not _is_voice_file(self.voice):
            from reelgraph.workers.engine.tts import check_language_voice

            try:
                check_language_voice(self.language)
            except ValueError as exc:
                raise self.fail("language", self.language, f"{exc}.") from None
        names = ["auto", "none", *moods(), *MOOD_FALLBACK]
        if self.music not in names:
            raise self.fail(
                "music", self.music, f"Music {self.music!r} is not a mood; use {', '.join(names)}."
            )
        self._check_visuals()
        return self


class CaptionContext(CaptionLook, Output, Segmenting, Export, Speech, Translation):
    """Options of `caption`: caption, tighten and reframe an existing video in one render."""

    FLOW = "caption"
    API_SKIP = frozenset({"broll_dir", "logo"})

    aspect: Literal["source", "9:16", "16:9", "1:1"] = "source"
    """source (keep the input's shape), or 9:16, 16:9, 1:1 (reframed following faces)."""
    remove_silence: bool = False
    """Cut pauses longer than min_silence."""
    silence_threshold_db: float = Field(-35.0, ge=-90, le=-5)
    """Level (dBFS) under which audio counts as silence."""
    min_silence: float = Field(0.5, ge=0.1, le=30)
    """Shortest pause that is cut, in seconds."""
    silence_padding: float = Field(0.15, ge=0, le=15)
    """Seconds of each pause kept beside speech (at most half of min_silence)."""
    remove_fillers: bool = False
    """Cut um, uh, erm, hmm and stutters ("I I think") from sound, picture and captions."""
    remove_retakes: bool = False
    """Cut a sentence the speaker restarts, keeping only the last, complete take."""
    zoom: bool = False
    """Slow periodic zoom with a push toward the face."""
    broll_dir: str | None = None
    """Folder of b-roll clips and images matched to spoken words by file name."""
    logo: str | None = None
    """Image shown in the top-right corner for the whole video."""
    correct: bool = False
    """Let the configured chat model fix recognition errors (word timings kept)."""
    llm_model: str | None = Field(None, max_length=100, title="LLM model")
    """Chat model for correct and for judging unclear retakes (default: settings.llm_model)."""

    @model_validator(mode="after")
    def _check(self) -> CaptionContext:
        if self.silence_padding > self.min_silence / 2:
            raise self.fail(
                "silence_padding",
                self.silence_padding,
                "Silence padding must be between 0 and half the minimum silence.",
            )
        self._check_files()
        return self

    def _check_files(self) -> None:
        """The b-roll folder and the logo exist (MissingAsset), the logo is an image."""
        from reelgraph.errors import MissingAsset

        if self.broll_dir and not Path(self.broll_dir).is_dir():
            raise MissingAsset(f"The b-roll folder '{self.broll_dir}' does not exist.")
        if self.logo:
            if not Path(self.logo).is_file():
                raise MissingAsset(f"The logo file '{self.logo}' does not exist; check the path.")
            from reelgraph.nodes.edit import check_image

            check_image(self.logo)


class AnalyzeContext(Speech):
    """Options of `analyze`: metadata, transcript and on-screen text of a video."""

    FLOW = "analyze"

    every_n_frames: int = Field(30, ge=1, le=100_000)
    """Read on-screen text on every Nth frame."""
    ocr_engine: OcrEngine = Field("auto", title="OCR engine")
    """auto (rapidocr, else tesseract when installed), rapidocr or tesseract."""


#: How far an explicit clips size may stray from 9:16 (rounding to even numbers).
VERTICAL_TOLERANCE = 0.01


class ClipsContext(CaptionLook, Output, Speech):
    """Options of `clips`: the best self-contained moments of a long video as captioned 9:16
    shorts."""

    FLOW = "clips"

    count: int = Field(3, ge=1, le=20)
    """How many clips to make, 1..20 (fewer when fewer fit without overlapping)."""
    min_seconds: float = Field(15.0, ge=2, le=600)
    """Shortest clip in seconds."""
    max_seconds: float = Field(60.0, ge=2, le=600)
    """Longest clip in seconds (at least min_seconds)."""
    llm_model: str | None = Field(None, max_length=100, title="LLM model")
    """Chat model that scores the moments (default: settings.llm_model; else a heuristic)."""

    def size(self) -> tuple[int, int]:
        """The clips' (width, height): the explicit size, else 1080x1920."""
        if self.width and self.height:
            return self.width, self.height
        return ASPECT_SIZES["9:16"]

    @model_validator(mode="after")
    def _check(self) -> ClipsContext:
        if self.min_seconds > self.max_seconds:
            raise self.fail(
                "min_seconds",
                self.min_seconds,
                f"The shortest clip (min_seconds, {self.min_seconds:g} s) is longer than the "
                f"longest (max_seconds, {self.max_seconds:g} s); make min_seconds at most "
                "max_seconds.",
            )
        w, h = self.size()
        if abs(w / h - 9 / 16) > VERTICAL_TOLERANCE:
            raise self.fail(
                "width",
                w,
                f"Clips are vertical 9:16 shorts; {w}x{h} is not 9:16: use a size such as "
                "1080x1920, 720x1280 or 360x640.",
            )
        return self


#: The options model of each flow.
CONTEXTS: dict[str, type[FlowOptions]] = {
    "create": Context,
    "caption": CaptionContext,
    "analyze": AnalyzeContext,
    "clips": ClipsContext,
}
