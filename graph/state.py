"""Typed state of every graph (create, caption, analyze, clips): input, full and output views.

State holds references (paths, cache keys, small JSON), never media bytes, so any checkpointer
can serialise it.
"""

from __future__ import annotations

import operator
from typing import Annotated, Any, NotRequired

from langchain_core.messages import AnyMessage
from langgraph.graph.message import add_messages
from typing_extensions import TypedDict

from reelgraph.nodes.stage import TURN_RESET


def merge_dicts(left: dict[str, Any] | None, right: dict[str, Any] | None) -> dict[str, Any]:
    """Reducer: later keys win (stage timings, cache hits written by several nodes).

    An update holding the key ``TURN_RESET`` replaces the dict (a new turn of a conversation).
    """
    if right and TURN_RESET in right:
        return {k: v for k, v in right.items() if k != TURN_RESET}
    return {**(left or {}), **(right or {})}


def turn_list(left: list[Any] | None, right: list[Any] | None) -> list[Any]:
    """Reducer: append; an update starting with ``TURN_RESET`` starts the list afresh."""
    if right and right[0] == TURN_RESET:
        return list(right[1:])
    return [*(left or []), *(right or [])]


class CreateInput(TypedDict):
    """What a caller gives: the chat messages and/or a prompt, plus optional media."""

    messages: NotRequired[Annotated[list[AnyMessage], add_messages]]
    """Chat history; the last human message is the prompt when `prompt` is empty."""
    prompt: NotRequired[str]
    """What the video is about, or the script itself."""
    transcript: NotRequired[str | None]
    """Narration text to use verbatim."""
    images: NotRequired[list[str]]
    """Image sources: local paths, http(s) URLs or base64 data."""
    audio: NotRequired[str | None]
    """A user narration file used instead of synthesised speech."""
    music_file: NotRequired[str | None]
    """A user music track (overrides the context's music choice)."""
    out_dir: NotRequired[str]
    """Directory for this run's artifacts (a temp dir under storage/ when absent)."""
    output_path: NotRequired[str]
    """Where the caller puts the video (the CLI's -o): editor exports name local files."""
    attachments: NotRequired[list[str]]
    """Pictures sent with a follow-up message (local paths); edit_plan uses and clears them."""


class CreateState(CreateInput):
    """Everything the nodes exchange."""

    plan: NotRequired[dict[str, Any]]
    """The Plan (title, scenes, mood, hashtags) as JSON."""
    visuals: NotRequired[list[dict[str, Any]]]
    """What each scene shows (pick_visuals): {scene, source, id, kind, path, origin, license,
    attribution, ...}; empty when the user gave images."""
    narration: NotRequired[dict[str, Any]]
    """{audio, duration, words, scenes:[{start,end}], engine}."""
    music: NotRequired[dict[str, Any] | None]
    """{path, source} of the prepared music bed, or None."""
    captions: NotRequired[dict[str, str]]
    """Paths of captions.ass/.srt/.vtt."""
    caption_words: NotRequired[list[dict[str, Any]]]
    """Caption words on the output timeline with emphasis flags."""
    spec: NotRequired[dict[str, Any]]
    """The RenderSpec as JSON."""
    review: NotRequired[dict[str, Any]]
    """The plan review (review option): status, round, storyboard, preview path, decision."""
    video: NotRequired[dict[str, Any]]
    """The render job's result: path, encoder, cache_hit, key."""
    translations: NotRequired[dict[str, Any]]
    """Per language code: paths of its caption tracks (srt, vtt) and dubbed video, cue count."""
    artifacts: NotRequired[dict[str, str]]
    """Final artifact name -> path."""
    report: NotRequired[dict[str, Any]]
    """The report.json content of the last rendered version."""
    timings: NotRequired[Annotated[dict[str, float], merge_dicts]]
    """Seconds spent per stage."""
    cache: NotRequired[Annotated[dict[str, Any], merge_dicts]]
    """Cache hits per stage."""
    warnings: NotRequired[Annotated[list[str], turn_list]]
    """Human-readable warnings for the report (of this turn)."""
    option_overrides: NotRequired[dict[str, Any]]
    """Options changed by follow-up messages, laid over the run's context by every node."""
    stage_keys: NotRequired[Annotated[dict[str, str], merge_dicts]]
    """Fingerprint of the inputs each skippable stage last ran with on this thread."""
    recomputed: NotRequired[Annotated[list[str], turn_list]]
    """Stages that did work in this turn."""
    reused: NotRequired[Annotated[list[str], turn_list]]
    """Stages skipped in this turn because their inputs did not change."""
    turn: NotRequired[dict[str, Any]]
    """This turn of the conversation: {version, parent, changed: [sentences], restored}."""
    versions: NotRequired[Annotated[list[dict[str, Any]], operator.add]]
    """One entry per rendered version: {version, parent, plan, options, spec_key, render_key,
    changed, video}."""


class CreateOutput(TypedDict):
    """What callers get back."""

    messages: Annotated[list[AnyMessage], add_messages]
    artifacts: dict[str, str]
    warnings: list[str]
    review: NotRequired[dict[str, Any]]


class MediaInput(TypedDict):
    """What a caller gives to the caption and analyze graphs."""

    messages: NotRequired[Annotated[list[AnyMessage], add_messages]]
    """Chat history (kept for Studio and chat clients)."""
    source: str
    """A local media path, ``upload:<id>``, or an http(s) URL of a media file or of a page that
    plays a video (fetched through the guard)."""
    page: NotRequired[dict[str, Any]]
    """The page a video came from when a worker resolved ``source`` before the run (API jobs):
    {url, title, uploader, duration, site}."""
    out_dir: NotRequired[str]
    """Directory for this run's artifacts."""
    output_path: NotRequired[str]
    """Where the caller puts the video (the CLI's -o): editor exports name local files."""
    need_video: NotRequired[bool]
    """Fail at probe time when the input has no video stream (captioning)."""
    need_audio: NotRequired[bool]
    """Fail at audio extraction when the input has no audio track (captioning)."""


class MediaState(MediaInput):
    """Fields shared by the media graphs."""

    media: NotRequired[dict[str, Any]]
    """{path, name, origin, bytes, page?} of the resolved local input."""
    info: NotRequired[dict[str, Any]]
    """MediaInfo as JSON (duration, streams, size, fps)."""
    audio_wav: NotRequired[str | None]
    """Cached 16 kHz mono wav of the input's audio."""
    transcript: NotRequired[dict[str, Any]]
    """{language, duration, model, segments, words}."""
    artifacts: NotRequired[Annotated[dict[str, str], merge_dicts]]
    """Artifact name -> path."""
    timings: NotRequired[Annotated[dict[str, float], merge_dicts]]
    """Seconds per stage."""
    cache: NotRequired[Annotated[dict[str, Any], merge_dicts]]
    """hit/miss per cached stage."""
    warnings: NotRequired[Annotated[list[str], operator.add]]
    """Human-readable warnings for the report."""


class CaptionState(MediaState):
    """Everything the caption nodes exchange (references and small JSON only)."""

    edits: NotRequired[dict[str, Any]]
    """Planned edits: size, cuts, focus track, motion, overlays, removed filler/retake words,
    frame enhancement."""
    captions: NotRequired[dict[str, str]]
    """Paths of captions.ass/.srt/.vtt and the style."""
    caption_words: NotRequired[list[dict[str, Any]]]
    """Caption words on the output (cut) timeline."""
    spec: NotRequired[dict[str, Any]]
    """The RenderSpec as JSON."""
    video: NotRequired[dict[str, Any]]
    """The render job's result: path, encoder, cache_hit, key."""
    translations: NotRequired[dict[str, Any]]
    """Per language code: paths of its caption tracks (srt, vtt) and dubbed video, cue count."""
    report: NotRequired[dict[str, Any]]
    """The report.json content."""


class CaptionOutput(TypedDict):
    """What callers of the caption graph get back."""

    messages: Annotated[list[AnyMessage], add_messages]
    artifacts: dict[str, str]
    report: dict[str, Any]
    warnings: list[str]


class AnalyzeState(MediaState):
    """Everything the analyze nodes exchange."""

    screen_text: NotRequired[list[dict[str, Any]]]
    """On-screen text items: text, start, end, confidence, box."""
    ocr_engine: NotRequired[str]
    """The OCR engine that read the frames."""
    analysis: NotRequired[dict[str, Any]]
    """The analyze JSON document."""


class AnalyzeOutput(TypedDict):
    """What callers of the analyze graph get back."""

    messages: Annotated[list[AnyMessage], add_messages]
    artifacts: dict[str, str]
    analysis: dict[str, Any]
    warnings: list[str]


class ClipsState(MediaState):
    """Everything the clips nodes exchange (references and small JSON only)."""

    moments: NotRequired[list[dict[str, Any]]]
    """The chosen moments, best first: start, end, score, title, hook, reason, text."""
    scoring: NotRequired[dict[str, Any]]
    """How the moments were scored: method (llm or heuristic), model, candidates."""
    edits: NotRequired[dict[str, Any]]
    """The reframe of the whole input: size, fps and the face-following focus track."""
    look: NotRequired[dict[str, Any]]
    """The caption look of every clip: the preset and the overrides that are set."""
    clips: NotRequired[list[dict[str, Any]]]
    """The rendered clips: each moment with its file, captions file, duration and render key."""
    report: NotRequired[dict[str, Any]]
    """The report.json content."""


class ClipsOutput(TypedDict):
    """What callers of the clips graph get back."""

    messages: Annotated[list[AnyMessage], add_messages]
    artifacts: dict[str, str]
    report: dict[str, Any]
    warnings: list[str]
