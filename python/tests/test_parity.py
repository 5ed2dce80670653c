"""The package's numbers are the command line's: the same scenario, trials and seed give the
same summary, plan and description (everything but the `run` members, which time the run).
"""

import csv
import json
from datetime import datetime, timedelta, timezone

import pytest
import spotsim
from conftest import SCENARIOS, without_run

# Scenarios of every market kind, clock and policy the repository ships, each with enough
# trials to exercise stopped and interrupted jobs but few enough to run in a moment.
SIMULATED = [
    (None, 20_000, 1),
    (SCENARIOS / "default.toml", 5_000, 7),
    (SCENARIOS / "weibull-gpu.toml", 3_000, 11),
    (SCENARIOS / "advisor-p3.toml", 3_000, 2),
    (SCENARIOS / "replay-aws-p3-us-west-2a.toml", 2_000, 5),
    (SCENARIOS / "aws-guide-two-interruptions-max-wait.toml", 1, 1),
    (SCENARIOS / "tick-weibull-gpu.toml", 40, 3),
]


def _cli_args(path):
    return [] if path is None else [path]


@pytest.mark.filterwarnings("ignore::spotsim.ScenarioWarning")
@pytest.mark.parametrize("path,trials,seed", SIMULATED, ids=lambda v: getattr(v, "name", v))
def test_simulate_matches_the_cli_json(cli_json, path, trials, seed):
    expected = cli_json(
        "simulate", *_cli_args(path), "--trials", trials, "--seed", seed, "--format", "json"
    )
    scenario = spotsim.Scenario.default() if path is None else spotsim.Scenario.from_toml(path)
    summary = spotsim.simulate(scenario, trials=trials, seed=seed)
    assert without_run(summary.to_dict()) == without_run(expected)
    assert summary.run.version == expected["run"]["version"] == spotsim.__version__


def test_the_scenarios_own_trials_and_seed_are_the_defaults(cli_json):
    path = SCENARIOS / "weibull-gpu.toml"
    scenario = spotsim.Scenario.from_toml(path)
    summary = spotsim.simulate(scenario)
    assert (summary.trials, summary.seed) == (scenario.trials, scenario.seed)
    assert without_run(summary.to_dict()) == without_run(
        cli_json("simulate", path, "--format", "json")
    )


def test_the_result_does_not_depend_on_the_thread_count():
    one = spotsim.simulate(trials=70_000, seed=9, threads=1)
    two = spotsim.simulate(trials=70_000, seed=9, threads=2)
    assert one.run.threads == 1 and two.run.threads == 2
    assert without_run(one.to_dict()) == without_run(two.to_dict())


def test_per_trial_arrays_are_the_cli_per_trial_rows(cli, tmp_path):
    rows_path = tmp_path / "rows.csv"
    path = SCENARIOS / "weibull-gpu.toml"
    cli("simulate", path, "--trials", 500, "--seed", 4, "--per-trial", rows_path, "--quiet")
    with open(rows_path, newline="") as file:
        rows = list(csv.DictReader(file))
    trials = spotsim.simulate(path, trials=500, seed=4, per_trial=True).per_trial
    assert len(trials) == len(rows) == 500
    assert [int(r["trial"]) for r in rows] == trials.trial.tolist() == list(range(500))
    assert [r["outcome"] for r in rows] == trials.outcome.tolist()
    assert [int(r["interruptions"]) for r in rows] == trials.interruptions.tolist()
    for column in ("wall_clock_seconds", "training_time_seconds", "billable_time_seconds",
                   "cost_usd"):
        # The CSV writes the shortest text that reads back as the same f64.
        assert [float(r[column]) for r in rows] == getattr(trials, column).tolist(), column


def test_per_trial_rows_add_up_to_the_summary():
    summary = spotsim.simulate(trials=30_000, seed=3, per_trial=True)
    trials = summary.per_trial
    for outcome in ("Completed", "MaxWaitTimeExceeded", "MaxRuntimeExceeded", "Failed"):
        assert (trials.outcome == outcome).sum() == summary.outcomes[outcome]["count"]
    # Means of the same 30,000 numbers, summed in another order: equal to rounding.
    for metric in ("wall_clock_seconds", "training_time_seconds", "cost_usd"):
        assert getattr(trials, metric).mean() == pytest.approx(
            summary.metrics[metric].mean, rel=1e-12
        ), metric
    assert trials.interruptions.max() == summary.metrics.interruptions.max
    assert trials.cost_usd.min() == summary.metrics.cost_usd.min


def test_plan_matches_the_cli_json(cli_json):
    expected = cli_json(
        "plan", "--trials", 2000, "--seed", 3, "--target", 0.9, "--format", "json", "--quiet"
    )
    planned = spotsim.plan(trials=2000, seed=3, target=0.9)
    assert without_run(planned.to_dict()) == without_run(expected)
    assert planned.recommendation.max_wait_seconds == expected["recommendation"][
        "max_wait_seconds"
    ]


def test_plan_with_a_deadline_and_each_objective_matches_the_cli_json(cli_json):
    path = SCENARIOS / "reference-model.toml"
    for objective in ("cost", "max-wait"):
        expected = cli_json(
            "plan", path, "--trials", 1500, "--seed", 2, "--deadline", "48h", "--objective",
            objective, "--format", "json", "--quiet",
        )
        planned = spotsim.plan(
            path, trials=1500, seed=2, deadline=timedelta(hours=48), objective=objective
        )
        assert without_run(planned.to_dict()) == without_run(expected), objective
        assert planned["recommendation"]["p_by_deadline"] is not None, objective


def test_plan_options_match_the_cli_options(cli_json):
    path = SCENARIOS / "weibull-gpu.toml"
    expected = cli_json(
        "plan", path, "--trials", 1000, "--seed", 5, "--max-wait-cap", "30h", "--grid-step",
        "1h", "--checkpoint-intervals", "10m,1h", "--format", "json", "--quiet",
    )
    planned = spotsim.plan(
        path, trials=1000, seed=5, max_wait_cap="30h", grid_step=3600,
        checkpoint_intervals=["10m", 3600.0],
    )
    assert without_run(planned.to_dict()) == without_run(expected)


def test_plan_points_are_plan_csv(cli, tmp_path):
    folder = tmp_path / "report"
    cli("plan", "--trials", 1500, "--seed", 2, "--output", folder, "--quiet")
    frame = spotsim.plan(trials=1500, seed=2).points.to_pandas()
    with open(folder / "plan.csv", newline="") as file:
        rows = list(csv.DictReader(file))
    assert list(frame.columns) == list(rows[0])
    assert len(frame) == len(rows)
    for column in frame.columns:
        for value, text in zip(frame[column].tolist(), (r[column] for r in rows)):
            if text == "":
                assert value != value, column  # NaN where the CSV has no value
            elif isinstance(value, bool):
                assert str(value).lower() == text, column
            else:
                assert value == float(text), column


def _iso(value):
    """A datetime back as the CLI writes timestamps."""
    if isinstance(value, datetime):
        assert value.tzinfo is not None and value.utcoffset().total_seconds() == 0
        return value.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.") + (
            f"{value.microsecond // 1000:03d}Z"
        )
    if isinstance(value, dict):
        return {k: _iso(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_iso(v) for v in value]
    return value


@pytest.mark.filterwarnings("ignore::spotsim.ScenarioWarning")
@pytest.mark.parametrize(
    "path,trial",
    [(None, 0), (None, 42), (SCENARIOS / "weibull-gpu.toml", 17),
     (SCENARIOS / "aws-guide-no-capacity.toml", 0),
     (SCENARIOS / "tick-v100-us-east-1c.toml", 3)],
    ids=lambda v: getattr(v, "name", v),
)
def test_describe_matches_the_cli_json(cli_json, path, trial):
    expected = cli_json("describe", *_cli_args(path), "--trial", trial)
    described = spotsim.describe(path, trial=trial)
    assert _iso(described) == expected


def test_a_scenario_from_a_request_is_the_cli_with_request(cli_json, tmp_path):
    request = {
        "TrainingJobName": "bert-spot",
        "ResourceConfig": {"InstanceType": "ml.p3.2xlarge", "InstanceCount": 1,
                           "VolumeSizeInGB": 50},
        "StoppingCondition": {"MaxRuntimeInSeconds": 36_000, "MaxWaitTimeInSeconds": 72_000},
        "EnableManagedSpotTraining": True,
        "CheckpointConfig": {"S3Uri": "s3://bucket/ckpt"},
        "RoleArn": "arn:aws:iam::111122223333:role/SageMaker",
        "AlgorithmSpecification": {"TrainingImage": "763104351884.dkr.ecr.us-west-2.amazonaws.com/pytorch-training:2.3-gpu-py311",
                                   "TrainingInputMode": "File"},
    }
    sections = {
        "workload": {"training": "6h", "provisioning": "4m", "download": "2m", "upload": "1m"},
        "checkpoint": {"policy": "interval", "interval": "20m", "write": "30s",
                       "restore": "1m"},
        "market": {"model": "weibull", "shape": 0.62, "scale": "1.4h",
                   "mean_capacity_wait": "30m"},
        "pricing": {"on_demand_per_hour": 3.825, "spot_discount": 0.7},
    }
    (tmp_path / "req.json").write_text(json.dumps(request))
    scenario_toml = tmp_path / "scenario.toml"
    scenario_toml.write_text(spotsim._spotsim.toml_of_dict(sections))
    scenario = spotsim.Scenario.from_request(request, **sections)
    assert scenario.name == "bert-spot"
    expected = cli_json("simulate", scenario_toml, "--request", tmp_path / "req.json",
                        "--trials", 4000, "--seed", 8, "--format", "json")
    summary = spotsim.simulate(scenario, trials=4000, seed=8)
    assert without_run(summary.to_dict()) == without_run(expected)
    described = spotsim.describe(scenario, trial=3)
    assert _iso(described) == cli_json("describe", scenario_toml, "--request",
                                       tmp_path / "req.json", "--trial", 3)
    assert described["RoleArn"] == request["RoleArn"]


def test_a_scenario_from_estimator_arguments_is_the_cli_with_estimator(cli_json, tmp_path):
    estimator = {
        "instance_type": "ml.p3.2xlarge",
        "instance_count": 1,
        "use_spot_instances": True,
        "max_run": 30 * 3600,
        "max_wait": 40 * 3600,
        "checkpoint_s3_uri": "s3://bucket/checkpoints",
        "base_job_name": "resnet",
        "entry_point": "train.py",
        "hyperparameters": {"epochs": 20, "lr": 0.1},
    }
    (tmp_path / "estimator.json").write_text(json.dumps(estimator))
    with pytest.warns(spotsim.ScenarioWarning, match="embedded default"):
        scenario = spotsim.Scenario.from_estimator(**estimator)
    expected = cli_json("simulate", "--estimator", tmp_path / "estimator.json",
                        "--trials", 3000, "--seed", 6, "--format", "json")
    summary = spotsim.simulate(scenario, trials=3000, seed=6)
    assert without_run(summary.to_dict()) == without_run(expected)
    described = spotsim.describe(scenario, trial=1)
    assert described["HyperParameters"] == {"epochs": "20", "lr": "0.1"}
    assert _iso(described) == cli_json("describe", "--estimator", tmp_path / "estimator.json",
                                       "--trial", 1)


def test_a_dict_is_the_same_scenario_as_its_toml(cli_json, tmp_path):
    scenario = {
        "name": "from-dict",
        "start_time": datetime(2026, 3, 1, 12, 0, tzinfo=timezone.utc),
        "job": {"instance_type": "ml.g5.xlarge", "managed_spot": True, "max_runtime": "10h",
                "max_wait": "16h", "checkpoint_s3_uri": "s3://b/c"},
        "workload": {"training": "7h", "provisioning": "3m", "download": "90s",
                     "upload": 60},
        "checkpoint": {"policy": "young", "write": "45s", "restore": "1m"},
        "market": {"model": "exponential", "mean_uptime": "3h", "mean_capacity_wait": "15m"},
        "pricing": {"on_demand_per_hour": 1.408, "spot_per_hour": 0.5},
        "simulation": {"trials": 2500, "seed": 12},
    }
    from_dict = spotsim.Scenario.from_dict(scenario)
    path = tmp_path / "from-dict.toml"
    path.write_text(from_dict.to_toml())
    assert spotsim.Scenario.from_toml(path).to_toml() == from_dict.to_toml()
    assert without_run(spotsim.simulate(from_dict).to_dict()) == without_run(
        cli_json("simulate", path, "--format", "json")
    )
    assert spotsim.describe(from_dict)["CreationTime"] == datetime(
        2026, 3, 1, 12, 0, tzinfo=timezone.utc
    )


def test_the_on_demand_capacity_wait_passes_through_a_dict(cli_json, tmp_path):
    # `[on_demand] mean_capacity_wait` reaches the model from a dict as from TOML: the same
    # resolved scenario, the same numbers as the command line; and the wait shows in them. The
    # job waits W ~ Exp(25 min) and then takes 5 min + 4 h (unbilled wait, same cost), so its
    # mean wall clock is 14,700 + 1,500 s, within 4 standard errors (1,500/sqrt(n)).
    def scenario(on_demand):
        return spotsim.Scenario.from_dict({
            "name": "on-demand-wait",
            "job": {"managed_spot": False, "max_runtime": "10h"},
            "workload": {"training": "4h", "provisioning": "5m"},
            "pricing": {"on_demand_per_hour": 3.825},
            "simulation": {"trials": 4000, "seed": 3},
            **on_demand,
        })

    waiting = scenario({"on_demand": {"mean_capacity_wait": "25m"}})
    assert "[on_demand]\nmean_capacity_wait = 1500\n" in waiting.to_toml()
    path = tmp_path / "on-demand-wait.toml"
    path.write_text(waiting.to_toml())
    summary = spotsim.simulate(waiting).to_dict()
    assert without_run(summary) == without_run(cli_json("simulate", path, "--format", "json"))
    immediate = spotsim.simulate(scenario({})).to_dict()
    wall = summary["metrics"]["wall_clock_seconds"]["mean"]
    assert abs(wall - (14_700 + 1_500)) < 4 * 1_500 / 4000 ** 0.5
    assert immediate["metrics"]["wall_clock_seconds"]["mean"] == pytest.approx(14_700, rel=1e-12)
    assert summary["metrics"]["cost_usd"]["mean"] == pytest.approx(
        immediate["metrics"]["cost_usd"]["mean"], rel=1e-12
    )
