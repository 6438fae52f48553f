"""The create graph: prompt -> plan -> visuals -> narration -> music -> captions -> spec ->
[review] -> render.

A follow-up message on the same thread (its state already holds a plan) enters at edit_plan
instead of plan_script; see ``add_follow_ups``.
"""

from __future__ import annotations

import itertools
from functools import partial
from typing import Any

from langgraph.graph import END, START, StateGraph

from reelgraph.graph.context import Context
from reelgraph.graph.state import CreateInput, CreateOutput, CreateState
from reelgraph.nodes.captions import build_captions
from reelgraph.nodes.compose import compose_spec
from reelgraph.nodes.deliver import CREATE_DELIVERY, deliver
from reelgraph.nodes.edit_plan import edit_plan, route_after_edit, route_start
from reelgraph.nodes.music import score_music
from reelgraph.nodes.narrate import narrate_scenes
from reelgraph.nodes.plan import plan_script
from reelgraph.nodes.render import render
from reelgraph.nodes.review import preview_plan, review_plan, route_after_review, route_to_review
from reelgraph.nodes.translate import route_after_render, translate_captions
from reelgraph.nodes.visuals import pick_visuals


def build_create_graph() -> StateGraph[CreateState, Context, CreateInput, CreateOutput]:
    """The uncompiled builder; compile it with the checkpointer the caller needs."""
    builder = StateGraph(
        CreateState, context_schema=Context, input_schema=CreateInput, output_schema=CreateOutput
    )
    order = [
        plan_script,
        pick_visuals,
        narrate_scenes,
        score_music,
        build_captions,
        compose_spec,
        render,
        deliver,
    ]
    for fn in order[:-1]:
        builder.add_node(fn)
    builder.add_node(translate_captions)
    builder.add_node("deliver", partial(deliver, delivery=CREATE_DELIVERY))
    add_follow_ups(builder, first=order[0].__name__, after_plan=order[1].__name__)
    for a, b in itertools.pairwise(order[:-1]):
        if a is not compose_spec:  # the review may stop the run between the spec and the render
            builder.add_edge(a.__name__, b.__name__)
    add_review(builder, after=compose_spec.__name__, then=render.__name__, replan=order[1].__name__)
    # translated tracks and dubbed versions only when the run asks for them
    builder.add_conditional_edges(
        render.__name__, route_after_render, [translate_captions.__name__, deliver.__name__]
    )
    builder.add_edge(translate_captions.__name__, deliver.__name__)
    builder.add_edge(order[-1].__name__, END)
    return builder


def add_follow_ups(builder: StateGraph[Any, Any, Any, Any], first: str, after_plan: str) -> None:
    """START goes to ``first`` (plan_script) on a new thread, to edit_plan when a plan exists;
    edit_plan continues at ``after_plan`` (the stage after planning) when the message changed
    something, and ends the turn (its reply said why) when it did not."""
    builder.add_node(edit_plan)
    builder.add_conditional_edges(START, route_start, {"plan": first, "edit": edit_plan.__name__})
    builder.add_conditional_edges(
        edit_plan.__name__, route_after_edit, {"edited": after_plan, "unchanged": END}
    )


def add_review(
    builder: StateGraph[Any, Any, Any, Any], *, after: str, then: str, replan: str
) -> None:
    """[review]: from ``after``, a run with the review option goes through preview_plan and
    review_plan (an interrupt) before ``then`` (the render); an edited plan goes back to
    ``replan`` (the node after plan_script), a rejected one ends the run."""
    builder.add_node(preview_plan)
    builder.add_node(review_plan)
    builder.add_conditional_edges(after, route_to_review, [preview_plan.__name__, then])
    builder.add_edge(preview_plan.__name__, review_plan.__name__)
    builder.add_conditional_edges(
        review_plan.__name__,
        partial(route_after_review, then=then, replan=replan),
        [then, replan, END],
    )


#: Compiled without a custom checkpointer, for langgraph.json / LangGraph Studio.
graph = build_create_graph().compile()
