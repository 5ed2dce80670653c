"""`describe` returns what boto3's `describe_training_job` returns: botocore's own validator
accepts it as Python objects against `DescribeTrainingJobResponse`, with every timestamp a
timezone-aware `datetime` (and enums and patterns checked as tests/botocore/validate_describe.py
does for the command line's JSON)."""

import re
from datetime import datetime, timezone

import pytest
import spotsim
from conftest import SCENARIOS

botocore = pytest.importorskip("botocore.session")
from botocore.validate import ParamValidator  # noqa: E402


@pytest.fixture(scope="module")
def shape():
    model = botocore.get_session().get_service_model("sagemaker")
    return model.operation_model("DescribeTrainingJob").output_shape


def problems_of(value, shape, path="DescribeTrainingJobResponse"):
    """What ParamValidator does not check: timestamps are datetimes, enums and patterns."""
    kind = shape.type_name
    if kind == "structure" and isinstance(value, dict):
        for key, item in value.items():
            if key in shape.members:
                yield from problems_of(item, shape.members[key], f"{path}.{key}")
    elif kind == "list" and isinstance(value, list):
        for i, item in enumerate(value):
            yield from problems_of(item, shape.member, f"{path}[{i}]")
    elif kind == "map" and isinstance(value, dict):
        for key, item in value.items():
            yield from problems_of(item, shape.value, f"{path}.{key}")
    elif kind == "timestamp":
        if not (isinstance(value, datetime) and value.tzinfo is not None
                and value.utcoffset().total_seconds() == 0):
            yield f"{path}: expected a timezone-aware UTC datetime, got {value!r}"
    elif kind == "string" and isinstance(value, str):
        if shape.enum and value not in shape.enum:
            yield f"{path}: {value!r} is not one of {sorted(shape.enum)}"
        pattern = shape.metadata.get("pattern")
        if pattern:
            try:
                if re.match(pattern, value) is None:
                    yield f"{path}: {value!r} does not match {pattern!r}"
            except re.error:
                pass  # a Java-only construct Python cannot compile


def validate(job, shape):
    problems = list(problems_of(job, shape))
    report = ParamValidator().validate(job, shape)
    if report.has_errors():
        problems.append(report.generate_report())
    return problems


CASES = [(None, k) for k in range(20)] + [
    (SCENARIOS / name, 0)
    for name in ("aws-guide-no-interruption.toml", "aws-guide-one-interruption.toml",
                 "aws-guide-two-interruptions-max-wait.toml", "aws-guide-no-capacity.toml",
                 "weibull-gpu.toml", "tick-weibull-gpu.toml")
]


@pytest.mark.filterwarnings("ignore::spotsim.ScenarioWarning")
@pytest.mark.parametrize("path,trial", CASES, ids=lambda v: getattr(v, "name", v))
def test_botocore_accepts_describe(shape, path, trial):
    job = spotsim.describe(path, trial=trial)
    assert isinstance(job, dict)
    assert validate(job, shape) == []
    assert job["CreationTime"] == datetime(2026, 1, 1, tzinfo=timezone.utc)


def test_a_job_that_never_held_an_instance_has_no_training_times(shape):
    with pytest.warns(spotsim.ScenarioWarning):
        job = spotsim.describe(SCENARIOS / "aws-guide-no-capacity.toml")
    assert validate(job, shape) == []
    for absent in ("TrainingStartTime", "TrainingTimeInSeconds", "BillableTimeInSeconds"):
        assert absent not in job


def test_a_fallback_trial_describes_both_jobs(shape):
    scenario = spotsim.Scenario.from_dict({
        "job": {"managed_spot": True, "max_runtime": "12h", "max_wait": "14h",
                "checkpoint_s3_uri": "s3://b/c"},
        "workload": {"training": "10h", "provisioning": "5m", "download": "3m",
                     "upload": "2m"},
        "checkpoint": {"policy": "interval", "interval": "30m", "write": "1m",
                       "restore": "2m"},
        "market": {"model": "exponential", "mean_uptime": "2h", "mean_capacity_wait": "1h"},
        "pricing": {"on_demand_per_hour": 3.825, "spot_discount": 0.7},
        "policy": {"name": "spot-then-on-demand"},
    })
    trials = spotsim.simulate(scenario, trials=200, seed=1, per_trial=True).per_trial
    fell_back = [k for k in range(200) if trials.wall_clock_seconds[k] > 14 * 3600]
    assert fell_back, "no trial of this tight scenario outlived MaxWait"
    jobs = spotsim.describe(scenario, trial=fell_back[0], seed=1)
    assert isinstance(jobs, list) and len(jobs) == 2
    spot, on_demand = jobs
    assert spot["SecondaryStatus"] == "MaxWaitTimeExceeded"
    assert on_demand["EnableManagedSpotTraining"] is False
    assert on_demand["TrainingJobName"] == spot["TrainingJobName"] + "-on-demand"
    # The on-demand job is created when the spot job stops.
    assert on_demand["CreationTime"] == spot["TrainingEndTime"]
    for job in jobs:
        assert validate(job, shape) == []


def test_the_check_fails_on_what_boto3_would_not_return(shape):
    job = spotsim.describe(trial=0)
    assert validate(dict(job, CreationTime="2026-01-01T00:00:00.000Z"), shape) != []
    assert validate(dict(job, TrainingJobStatus="Finished"), shape) != []
    assert validate(dict(job, TrainingTimeInSeconds="12"), shape) != []
    missing = dict(job)
    del missing["TrainingJobArn"]
    assert validate(missing, shape) != []
