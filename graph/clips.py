"""The clips graph: the best self-contained moments of a long video as captioned 9:16 shorts.

ingest_media -> probe_media -> check_clip_source -> extract_audio -> transcribe_audio
-> find_moments -> plan_reframe -> render_clips -> deliver. The transcript and the faces are the
caption flow's cached analysis of the whole input, computed once; each clip is one render of
the caption flow's RenderSpec restricted to its source range. Its options are ``ClipsContext``
and its state ``ClipsState``; runs go through ``graph.runner.run_job``.
"""

from __future__ import annotations

import itertools
from functools import partial
from pathlib import Path
from typing import Any

from langgraph.graph import END, START, StateGraph

from reelgraph.graph.context import ClipsContext
from reelgraph.graph.state import ClipsOutput, ClipsState, MediaInput
from reelgraph.nodes.analyze import extract_audio, ingest_media, probe_media, transcribe_audio
from reelgraph.nodes.clip_delivery import CLIPS_DELIVERY
from reelgraph.nodes.clips import check_clip_source, find_moments, plan_reframe, render_clips
from reelgraph.nodes.deliver import deliver


def build_clips_graph() -> StateGraph[Any, Any, Any, Any]:
    """The uncompiled clips builder."""
    builder = StateGraph(
        ClipsState,
        context_schema=ClipsContext,
        input_schema=MediaInput,
        output_schema=ClipsOutput,
    )
    order = [
        ingest_media,
        probe_media,
        check_clip_source,
        extract_audio,
        transcribe_audio,
        find_moments,
        plan_reframe,
        render_clips,
    ]
    for fn in order:
        builder.add_node(fn)
    builder.add_node("deliver", partial(deliver, delivery=CLIPS_DELIVERY))
    builder.add_edge(START, order[0].__name__)
    for a, b in itertools.pairwise([*order, deliver]):
        builder.add_edge(a.__name__, b.__name__)
    builder.add_edge(deliver.__name__, END)
    return builder


#: Compiled without a custom checkpointer, for langgraph.json / LangGraph Studio.
graph = build_clips_graph().compile()


def run_clips(
    input: dict[str, Any], options: dict[str, Any], *, out_dir: Path, **kw: Any
) -> dict[str, Any]:
    """Cut the best moments of one video into clips; returns {artifacts, report, warnings}."""
    from reelgraph.graph.runner import run_job

    return run_job("clips", input, options, out_dir=out_dir, **kw)
