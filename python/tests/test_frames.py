"""DataFrames: their columns, dtypes and values, and the charts as bytes and files."""

import struct

import numpy as np
import pandas as pd
import pytest
import spotsim

STATISTICS = ["mean", "stderr", "std", "min", "p50", "p90", "p95", "p99", "max"]


@pytest.fixture(scope="module")
def summary():
    return spotsim.simulate(trials=20_000, seed=2, per_trial=True)


def test_summary_metrics_frame(summary):
    frame = summary.to_pandas()
    assert frame.index.name == "metric"
    assert list(frame.index) == list(summary.metrics)
    assert "cost_usd" in frame.index and "wall_clock_seconds" in frame.index
    assert list(frame.columns) == STATISTICS
    assert all(dtype == np.float64 for dtype in frame.dtypes)
    assert frame.loc["cost_usd", "mean"] == summary.metrics.cost_usd.mean
    assert frame.loc["interruptions", "p99"] == summary.metrics.interruptions.p99


def test_outcomes_frame(summary):
    frame = summary.outcomes_to_pandas()
    assert list(frame.index) == ["Completed", "MaxWaitTimeExceeded", "MaxRuntimeExceeded",
                                 "Failed"]
    assert frame.dtypes.to_dict() == {"count": np.int64, "probability": np.float64,
                                      "ci95_low": np.float64, "ci95_high": np.float64}
    assert frame["count"].sum() == summary.trials
    assert frame.loc["Completed", "probability"] == summary.probability("Completed")
    assert (frame.ci95_low <= frame.probability).all()
    assert (frame.probability <= frame.ci95_high).all()


def test_per_trial_frame(summary):
    frame = summary.per_trial.to_pandas()
    assert frame.index.name == "trial" and frame.index.dtype == np.uint64
    assert list(frame.index[:3]) == [0, 1, 2] and len(frame) == 20_000
    assert list(frame.columns) == ["outcome", "wall_clock_seconds", "training_time_seconds",
                                   "billable_time_seconds", "interruptions", "cost_usd"]
    assert isinstance(frame.outcome.dtype, pd.CategoricalDtype)
    assert list(frame.outcome.cat.categories) == [
        "Completed", "MaxWaitTimeExceeded", "MaxRuntimeExceeded", "Failed"
    ]
    assert frame.interruptions.dtype == np.uint32
    for column in ("wall_clock_seconds", "training_time_seconds", "billable_time_seconds",
                   "cost_usd"):
        assert frame[column].dtype == np.float64, column
    counts = frame.outcome.value_counts()
    assert counts["Completed"] == summary.outcomes.Completed["count"]


def test_per_trial_arrays_hold_the_numbers_unchanged(summary):
    trials = summary.per_trial
    assert trials.trial.dtype == np.uint64 and trials.cost_usd.dtype == np.float64
    assert trials.outcome.dtype.kind == "U"
    # The arrays are read-only views of what the run produced.
    with pytest.raises(ValueError):
        trials.cost_usd[0] = 0.0
    assert struct.pack("d", trials.cost_usd[5]) == trials.cost_usd[5:6].tobytes()


def test_no_per_trial_results_unless_asked():
    assert spotsim.simulate(trials=100).per_trial is None


def test_plan_points_frame():
    planned = spotsim.plan(trials=1000, seed=1)
    frame = planned.points.to_pandas()
    assert len(frame) == len(planned.points) == len(planned["points"])
    assert frame.dtypes.max_wait_seconds == np.int64
    assert frame.dtypes.trials == np.int64 and frame.dtypes.completed_count == np.int64
    assert frame.dtypes.meets_target == bool and frame.dtypes.recommended == bool
    assert frame.dtypes.p_completed == np.float64
    assert frame.dtypes.cost_per_completed_job_usd == np.float64
    assert (frame.trials == 1000).all()
    assert planned.points[0].max_wait_seconds == frame.max_wait_seconds[0]
    assert frame.max_wait_hours.tolist() == [s / 3600 for s in frame.max_wait_seconds]


def test_charts_are_svg_and_png_bytes(tmp_path):
    planned = spotsim.plan(trials=500, seed=1)
    for name in spotsim.CHARTS:
        svg = planned.chart(name, "svg")
        assert svg.lstrip().startswith(b"<svg"), name
        png = planned.chart(name, "png")
        assert png.startswith(b"\x89PNG\r\n\x1a\n"), name
        # 960 × 540 pixels, as the CLI's report charts.
        assert struct.unpack(">II", png[16:24]) == (960, 540), name
    assert planned._repr_svg_().lstrip().startswith("<svg")
    planned.save_chart(tmp_path / "curve.png", "plan-completion")
    assert (tmp_path / "curve.png").read_bytes() == planned.chart("plan-completion", "png")


def test_save_writes_the_cli_report_set(cli, tmp_path):
    planned = spotsim.plan(trials=800, seed=6)
    planned.save(tmp_path / "mine")
    cli("plan", "--trials", 800, "--seed", 6, "--output", tmp_path / "theirs", "--quiet")
    mine = sorted(p.name for p in (tmp_path / "mine").iterdir())
    assert mine == sorted(p.name for p in (tmp_path / "theirs").iterdir())
    assert (tmp_path / "mine" / "plan.csv").read_bytes() == (
        tmp_path / "theirs" / "plan.csv").read_bytes()
    for chart in ("plan-completion.svg", "plan-cost.svg", "wall-clock-cdf.svg"):
        assert (tmp_path / "mine" / chart).read_bytes() == (
            tmp_path / "theirs" / chart).read_bytes()
    # Saving again replaces the set, as a second `--output` run does.
    planned.save(tmp_path / "mine")
    assert (tmp_path / "mine" / "plan.csv").read_bytes() == (
        tmp_path / "theirs" / "plan.csv").read_bytes()


def test_save_never_overwrites_an_input(tmp_path):
    folder = tmp_path / "report"
    folder.mkdir()
    scenario_path = folder / "report.md"  # a scenario under a name the report set uses
    scenario_path.write_text((spotsim.Scenario.default().to_toml()))
    planned = spotsim.plan(spotsim.Scenario.from_toml(scenario_path), trials=200)
    with pytest.raises(spotsim.InputError, match="would overwrite this input") as raised:
        planned.save(folder)
    assert raised.value.file == str(scenario_path)
    assert sorted(p.name for p in folder.iterdir()) == ["report.md"]
