"""The benchmark table's assembly (bench/rows.py, bench/run_all.py), without measuring anything.

Fake bench modules stand in for the real ones (which take minutes); nothing here is timed.
"""

from __future__ import annotations

from types import ModuleType, SimpleNamespace

import pytest

from bench import rows as table
from bench import run_all


def _module(measure):
    return SimpleNamespace(measure=measure)


def _importer(modules: dict[str, object]):
    """An import_module stand-in: the given fakes, ModuleNotFoundError for every other name."""
    calls: list[str] = []

    def importer(name: str) -> ModuleType:
        calls.append(name)
        short = name.removeprefix("bench.")
        if short not in modules:
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return modules[short]  # type: ignore[return-value]

    importer.calls = calls  # type: ignore[attr-defined]
    return importer


def test_row_and_unavailable_shapes():
    assert table.row("a / b", 2, "x") == {"name": "a / b", "ratio": 2.0, "detail": "x"}
    assert isinstance(table.row("a", 2)["ratio"], float)
    missing = table.unavailable("segments", "bench/segments.py is not in this tree")
    assert missing == {
        "name": "segments",
        "ratio": None,
        "detail": "not available: bench/segments.py is not in this tree",
    }


@pytest.mark.parametrize(
    ("ratio", "text"),
    [(None, "—"), (0.02134, "0.0213"), (1.3333, "1.33"), (11.98, "12"), (2830.3, "2830"), (0, "0")],
)
def test_format_ratio(ratio, text):
    assert table.format_ratio(ratio) == text


def test_checked_turns_a_malformed_row_into_a_not_available_row():
    assert table.checked({"name": "x", "ratio": 1, "detail": "d"}, "src")["ratio"] == 1.0
    bad = table.checked(["not", "a", "dict"], "render")
    assert bad["name"] == "render" and bad["detail"].startswith("not available: malformed row")
    text = table.checked({"name": "x", "ratio": "fast"}, "src")
    assert text["ratio"] is None and "not a number" in text["detail"]


def test_markdown_table_format():
    rows = [
        table.row("render: single pass / bare encode", 1.234, "27.1 s vs 22.0 s"),
        table.row("pipe | in name", 0.5, "detail with | pipe"),
        table.unavailable("gpu", "no GPU"),
    ]
    text = table.markdown(rows, "machine: AMD EPYC, 2 cores")
    lines = text.splitlines()
    assert lines[0] == "machine: AMD EPYC, 2 cores"
    assert lines[1] == ""
    assert lines[2] == "| benchmark | ratio | detail |"
    assert lines[3] == "|---|---:|---|"
    assert lines[4] == "| render: single pass / bare encode | 1.23 | 27.1 s vs 22.0 s |"
    assert lines[5] == "| pipe \\| in name | 0.5 | detail with \\| pipe |"
    assert lines[6] == "| gpu | — | not available: no GPU |"
    assert len(lines) == 7
    # every table line has the same number of unescaped cell separators
    for line in lines[2:]:
        assert line.replace("\\|", "").count("|") == 4


def test_plain_table_aligns_columns_under_the_machine_line():
    rows = [table.row("a", 1.5, "x"), table.row("longer name", 12.25, "y")]
    lines = table.plain(rows, "machine: m").splitlines()
    assert lines[0] == "machine: m"
    header, rule, first, second = lines[2:]
    assert header.startswith("benchmark  ")
    assert set(rule.replace(" ", "")) == {"-"}
    assert first.index("1.5") + len("1.5") == second.index("12.2") + len("12.2")
    assert first.endswith("  x") and second.endswith("  y")


def test_collect_runs_in_order_and_reports_missing_and_failing_benches():
    def boom(quick):
        raise RuntimeError("ffmpeg exploded")

    seen = []

    def render(quick, moviepy=True):
        seen.append(("render", quick, moviepy))
        return [table.row("render: single pass / bare encode", 1.2, "")]

    def asr(quick):
        seen.append(("asr", quick, None))
        return [table.row("ASR real-time factor, tiny.en", 0.08, "")]

    fakes = {
        "render": _module(render),
        "asr": _module(asr),
        "enhance": _module(boom),
        "caption": _module(lambda quick: []),
        "rerun": SimpleNamespace(),  # no measure()
    }
    importer = _importer(fakes)
    rows = run_all.collect(
        ["asr", "render", "segments", "enhance", "caption", "rerun", "gpu"],
        quick=True,
        options={"render": {"moviepy": False}},
        importer=importer,
    )
    assert seen == [("render", True, False), ("asr", True, None)]  # BENCHES order, options
    by_name = {r["name"]: r for r in rows}
    assert [r["name"] for r in rows] == [
        "render: single pass / bare encode",
        "cached re-run / uncached first run",
        "caption re-style (analysis cached) / first run",
        dict(run_all.BENCHES)["segments"],
        "ASR real-time factor, tiny.en",
        "enhance / plain render",
        dict(run_all.BENCHES)["gpu"],
    ]
    segments = by_name[dict(run_all.BENCHES)["segments"]]
    assert segments["ratio"] is None
    assert segments["detail"] == "not available: bench/segments.py is not in this tree"
    assert by_name["enhance / plain render"]["detail"] == (
        "not available: failed: RuntimeError: ffmpeg exploded"
    )
    assert by_name["caption re-style (analysis cached) / first run"]["detail"] == (
        "not available: it measured nothing"
    )
    assert "has no measure(quick)" in by_name["cached re-run / uncached first run"]["detail"]
    assert "bench.sequential" not in importer.calls  # not asked for, not imported


def test_a_module_with_a_missing_dependency_says_which():
    def importer(name):
        raise ModuleNotFoundError("No module named 'cupy'", name="cupy")

    why = run_all.load("gpu", importer)
    assert why == "bench/gpu.py cannot be imported (ModuleNotFoundError: No module named 'cupy')"


def test_real_import_of_an_absent_bench_is_reported_not_raised():
    assert run_all.load("no_such_bench") == "bench/no_such_bench.py is not in this tree"


def test_only_rejects_unknown_names_and_keeps_known_ones():
    assert run_all.parse_args(["--only", "asr, render"]).only == ["asr", "render"]
    assert run_all.parse_args([]).only == run_all.NAMES
    with pytest.raises(SystemExit):
        run_all.parse_args(["--only", "asr,nope"])


def test_main_prints_one_markdown_table_with_the_machine_line_first(monkeypatch, capsys):
    import bench.machine

    monkeypatch.setattr(bench.machine, "machine_line", lambda: "machine: test box")
    fakes = {"api_load": _module(lambda quick: [table.row("API throughput: reads/s", 2830.3, "")])}
    monkeypatch.setattr(run_all, "collect", _collect_with(run_all.collect, _importer(fakes)))
    assert run_all.main(["--markdown", "--only", "api_load,gpu", "--quick"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "machine: test box"
    assert out[2:5] == [
        "| benchmark | ratio | detail |",
        "|---|---:|---|",
        "| API throughput: reads/s | 2830 |  |",
    ]
    assert out[5].startswith("| GPU") and "not available: bench/gpu.py" in out[5]
    assert out[-1].startswith("--quick sizes, one process")
    assert sum(line.startswith("| benchmark") for line in out) == 1  # ONE table


def _collect_with(collect, importer):
    def patched(names, quick=False, options=None, importer_=None):
        return collect(names, quick, options, importer=importer)

    return patched
