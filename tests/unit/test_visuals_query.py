"""The offline planner's per-scene search query: named things first, then nouns."""

from __future__ import annotations

from reelgraph.nodes.offline_planner import plan_offline
from reelgraph.nodes.schemas import Plan, Scene
from reelgraph.workers.engine.visuals.query import named_things, nouns, scene_query


def test_named_things_are_capitalised_runs_inside_sentences() -> None:
    text = "We sailed from Lisbon to Cape Verde. Then the crew rested in Porto, Portugal."
    assert named_things(text) == ["Lisbon", "Cape Verde", "Porto", "Portugal"]


def test_nouns_skip_verbs_adverbs_numbers_and_stop_words() -> None:
    got = nouns("The dog quickly found 3 bones and said the bones were really good.")
    assert got[0] == "bones"  # said twice
    assert "dog" in got
    for word in ("quickly", "found", "said", "really", "good", "the", "3"):
        assert word not in got


def test_scene_query_puts_names_before_nouns_and_is_short() -> None:
    q = scene_query("In Lisbon the yellow trams climb steep hills past old churches.")
    words = q.split()
    assert words[0] == "Lisbon"
    assert {"trams", "hills"} <= set(words)
    assert len(words) <= 4


def test_offline_plan_has_a_query_per_scene() -> None:
    plan, _ = plan_offline(
        "",
        "Octopuses have three hearts and blue blood. "
        "In 2016, scientists found an octopus city in Australia near the coast.",
    )
    assert all(s.query for s in plan.scenes)
    assert "octopuses" in plan.scenes[0].query
    assert any("Australia" in s.query for s in plan.scenes)


def test_query_is_optional_in_the_plan_schema() -> None:
    plan = Plan(title="t", scenes=[Scene(narration="Hello there.")])
    assert plan.scenes[0].query == ""
    assert "query" in Scene.model_json_schema()["properties"]


def test_llm_prompt_asks_for_a_query() -> None:
    from reelgraph.nodes.llm_planner import build_messages

    text = build_messages("octopus facts", None, 30)[1].content
    assert "`query`" in str(text)
