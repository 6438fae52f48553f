"""The stage cost store, the units each stage reads from the state, and the time-left tracker."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reelgraph.graph import eta as eta_mod
from reelgraph.graph.context import CaptionContext, Context
from reelgraph.graph.estimate import (
    caption_render,
    create_render,
    narration_chars,
    stages_for,
    was_cache_hit,
)
from reelgraph.graph.eta import Estimator
from reelgraph.workers.engine import costs


@pytest.fixture
def machine_cache(tmp_path: Path, settings_env) -> Path:
    settings_env(XDG_CACHE_HOME=str(tmp_path / "xdg"))
    return tmp_path / "xdg" / "reelgraph"


def test_defaults_hold_before_anything_was_measured(machine_cache: Path) -> None:
    c = costs.load_costs()
    assert c["render"]["runs"] == 0 and c["render"]["per_unit"] == costs.DEFAULTS["render"].per_unit
    assert costs.predict("render", 10.0, c) == pytest.approx(2.0 + 1.1 * 10)
    assert costs.predict("some_new_stage", 1.0, c) == pytest.approx(costs.RUN.per_unit)
    assert not costs.cost_path().exists()


def test_record_writes_this_hosts_file_and_learns_per_unit(machine_cache: Path) -> None:
    got = costs.record("transcribe", 60.0, 1.0 + 0.3 * 60)  # base 1.0, RTF 0.3
    assert got is not None and got["per_unit"] == pytest.approx(0.3)
    path = costs.cost_path()
    assert path.parent == machine_cache / "costs" and path.name == f"{costs.host()}.json"
    doc = json.loads(path.read_text())
    assert doc["host"] == costs.host() and doc["stages"]["transcribe"]["runs"] == 1


def test_moving_average_weights_the_newest_run(machine_cache: Path) -> None:
    costs.record("transcribe", 10.0, 1.0 + 0.1 * 10)
    got = costs.record("transcribe", 10.0, 1.0 + 0.2 * 10)
    # decayed sums: the older run weighs 0.7, the newer 1.0 -> (0.7*0.1 + 0.2) / 1.7
    assert got is not None
    assert got["per_unit"] == pytest.approx((0.7 * 0.1 + 0.2) / 1.7)
    assert got["runs"] == 2


def test_runs_of_different_sizes_fit_base_and_per_unit(machine_cache: Path) -> None:
    for units in (0.1, 5.0, 20.0):
        costs.record("render", units, 3.0 + 0.8 * units)
    c = costs.load_costs()["render"]
    assert c["base"] == pytest.approx(3.0, abs=1e-6)
    assert c["per_unit"] == pytest.approx(0.8, abs=1e-6)


def test_one_stalled_run_is_clamped(machine_cache: Path) -> None:
    got = costs.record("render", 1.0, 10_000.0)
    assert got is not None and got["per_unit"] == pytest.approx(1.1 * costs.CLAMP)
    assert costs.record("render", 0.0, 5.0) is None  # no units: nothing to learn


def test_a_broken_cost_file_falls_back_to_defaults(machine_cache: Path) -> None:
    costs.cost_path().parent.mkdir(parents=True)
    costs.cost_path().write_text('{"v": 1, "stages": {"render": {"n": "x"}}}')
    assert costs.load_costs()["render"]["per_unit"] == costs.DEFAULTS["render"].per_unit


def test_units_come_from_the_richest_state() -> None:
    ctx = Context(width=180, height=320, fps=30)
    state: dict = {"prompt": "x" * 140}
    assert narration_chars(state) == 140
    # 140 chars at 14/s = 10 s of 180x320 at 30 fps
    assert create_render(state, ctx) == pytest.approx(10 * 180 * 320 / (1080 * 1920))
    state["plan"] = {"scenes": [{"narration": "a" * 30}, {"narration": "b" * 40}]}
    assert narration_chars(state) == 70
    state["narration"] = {"duration": 4.0}
    assert create_render(state, ctx) == pytest.approx(4 * 180 * 320 / (1080 * 1920))
    state["spec"] = {"duration": 8.0, "output": {"width": 1080, "height": 1920, "fps": 60}}
    assert create_render(state, ctx) == pytest.approx(16.0)


def test_caption_units_wait_for_the_probe() -> None:
    ctx = CaptionContext(aspect="9:16")
    assert caption_render({}, ctx) is None
    assert caption_render({"info": {"duration": 10.0, "width": 640, "height": 360}}, ctx) == 10.0


def test_conditional_stages_follow_the_options(settings_env) -> None:
    settings_env(OPENAI_BASE_URL="http://127.0.0.1:9/v1")  # translating needs an endpoint
    names = [s.name for s in stages_for("caption", CaptionContext())]
    assert "correct_transcript" not in names and "translate_captions" not in names
    names = [s.name for s in stages_for("caption", CaptionContext(correct=True, translate=["de"]))]
    assert "correct_transcript" in names and "translate_captions" in names


def test_cache_entries_that_mean_a_hit() -> None:
    assert was_cache_hit("hit") and was_cache_hit("2/3 scenes cached")
    assert was_cache_hit("user-audio")
    assert not was_cache_hit("miss") and not was_cache_hit("0/3 scenes cached")
    assert not was_cache_hit(None)


class _Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _run_stage(est: Estimator, clock: _Clock, name: str, seconds: float, state: dict) -> None:
    est.on_event({"type": "stage", "stage": name, "progress": 0.0})
    clock.now += seconds
    est.on_event({"type": "stage_done", "stage": name, "progress": 1.0, "seconds": seconds})
    est.on_values(state)


def test_estimator_carries_eta_refines_it_and_records_what_ran(machine_cache, monkeypatch) -> None:
    clock = _Clock()
    monkeypatch.setattr(eta_mod.time, "monotonic", clock)
    events: list[dict] = []
    ctx = Context(width=180, height=320, fps=30)
    state: dict = {"prompt": "y" * 280}
    est = Estimator("create", ctx, state, events.append)
    est.start()
    first = events[-1]
    assert first["type"] == "estimate" and first["eta_s"] > 0
    expected = sum(est.predict(s) or 0 for s in est.stages)
    assert first["eta_s"] == pytest.approx(expected, abs=0.1)

    _run_stage(est, clock, "plan_script", 0.2, state)
    state = {**state, "plan": {"scenes": [{"narration": "y" * 100}]}}
    _run_stage(est, clock, "narrate_scenes", 5.0, {**state, "cache": {"narration": "0/1"}})
    assert costs.load_costs()["narrate"]["runs"] == 1  # it ran: its cost was recorded
    for name in ("score_music", "build_captions", "compose_spec"):
        _run_stage(est, clock, name, 0.1, state)

    est.on_event({"type": "stage", "stage": "render", "progress": 0.0})
    before = events[-1]["eta_s"]
    clock.now += 2.0
    est.on_event({"type": "progress", "stage": "render", "progress": 0.5})
    # past 10% the render's own pace rules: 2 s for half -> 2 s more, plus deliver
    deliver = est.predict(est.stages[-1]) or 0
    assert events[-1]["eta_s"] == pytest.approx(2.0 + deliver, abs=0.1)
    assert before != events[-1]["eta_s"]
    clock.now += 2.0
    est.on_event({"type": "stage_done", "stage": "render", "progress": 1.0, "seconds": 4.0})
    est.on_values({**state, "cache": {"render": "hit"}})
    assert costs.load_costs()["render"]["runs"] == 0  # a cache hit teaches nothing

    report = est.report()
    assert report["predicted_s"] == first["eta_s"]
    assert report["predicted_before"] == "plan_script"
    assert report["stages"]["narrate_scenes"]["actual_s"] == 5.0
    assert report["stages"]["render"]["predicted_s"] > 0


def test_estimate_is_withheld_while_units_are_unknown(machine_cache) -> None:
    events: list[dict] = []
    est = Estimator("caption", CaptionContext(), {"source": "x.mp4"}, events.append)
    est.start()
    assert events == []  # the source's length is unknown before the probe
    est.on_event({"type": "stage", "stage": "ingest_media", "progress": 0.0})
    assert "eta_s" not in events[-1]
    est.on_values({"source": "x.mp4", "info": {"duration": 12.0, "width": 320, "height": 180}})
    assert events[-1]["type"] == "estimate" and events[-1]["eta_s"] > 0


def test_a_resumed_run_counts_the_stages_done_before_it(machine_cache) -> None:
    events: list[dict] = []
    ctx = Context(width=180, height=320, fps=30)
    state = {"prompt": "z" * 140}
    est = Estimator("create", ctx, state, events.append)
    est.on_event({"type": "resumed", "stage": "render"})
    left = events[-1]["eta_s"]
    render, deliver = est.stages[-2], est.stages[-1]
    assert left == pytest.approx((est.predict(render) or 0) + (est.predict(deliver) or 0), abs=0.1)
    est.on_values({**state, "timings": {"plan_script": 0.4, "narrate_scenes": 3.0}})
    assert est.done["narrate_scenes"] == 3.0
    assert costs.load_costs()["narrate"]["runs"] == 0  # the first run recorded it, not this one
