"""Figures a person can check by hand, through the Python API: the AWS guide's lifecycles,
conservation of time and money, the limits no Completed trial may pass."""

import math
from datetime import timedelta

import pytest
import spotsim
from conftest import SCENARIOS

# aws-guide-no-interruption: capacity from the start, never lost. Held time is Downloading
# (5 min) + 4 h of training + 3 checkpoint writes of 60 s (after hours 1, 2 and 3; none after
# the last segment) + Uploading (5 min); provisioning (5 min) comes first and is not billed.
HELD_SECONDS = 300 + 4 * 3600 + 3 * 60 + 300
WALL_CLOCK_SECONDS = 300 + HELD_SECONDS
SPOT_PER_HOUR, ON_DEMAND_PER_HOUR = 1.1475, 3.825


@pytest.fixture(scope="module")
def no_interruption():
    with pytest.warns(spotsim.ScenarioWarning):
        return spotsim.Scenario.from_toml(SCENARIOS / "aws-guide-no-interruption.toml")


def test_the_uninterrupted_job_costs_what_its_held_time_costs(no_interruption):
    summary = spotsim.simulate(no_interruption, trials=3)
    assert summary.probability("Completed") == 1.0
    assert summary.metrics.wall_clock_seconds.mean == WALL_CLOCK_SECONDS
    assert summary.metrics.training_time_seconds.mean == HELD_SECONDS
    assert summary.metrics.cost_usd.mean == pytest.approx(
        HELD_SECONDS * SPOT_PER_HOUR / 3600, rel=1e-9
    )
    # Billable = held × spot/on-demand = 30 % of 15,180 s; AWS's formula then says 70 %.
    assert summary.metrics.billable_time_seconds.mean == pytest.approx(HELD_SECONDS * 0.3)
    assert summary.metrics.savings_percent.mean == pytest.approx(70.0)


def test_describe_shows_case_1_of_the_aws_guide(no_interruption):
    job = spotsim.describe(no_interruption, trial=0)
    statuses = [t["Status"] for t in job["SecondaryStatusTransitions"]]
    assert statuses == ["Starting", "Downloading", "Training", "Uploading", "Completed"]
    assert (job["TrainingJobStatus"], job["SecondaryStatus"]) == ("Completed", "Completed")
    assert job["TrainingTimeInSeconds"] == HELD_SECONDS
    assert job["BillableTimeInSeconds"] == round(HELD_SECONDS * SPOT_PER_HOUR / ON_DEMAND_PER_HOUR)
    assert job["TrainingEndTime"] - job["CreationTime"] == timedelta(seconds=WALL_CLOCK_SECONDS)
    assert job["TrainingStartTime"] - job["CreationTime"] == timedelta(seconds=300)


def test_describe_shows_case_3_of_the_aws_guide():
    with pytest.warns(spotsim.ScenarioWarning):
        job = spotsim.describe(SCENARIOS / "aws-guide-two-interruptions-max-wait.toml")
    statuses = [t["Status"] for t in job["SecondaryStatusTransitions"]]
    assert statuses == ["Starting", "Downloading", "Training", "Interrupted"] * 2 + [
        "Starting", "Downloading", "Training", "Stopping", "MaxWaitTimeExceeded"
    ]
    assert (job["TrainingJobStatus"], job["SecondaryStatus"]) == (
        "Stopped", "MaxWaitTimeExceeded"
    )
    # MaxWait (8 h) stops the job at exactly CreationTime + MaxWait.
    stopping = job["SecondaryStatusTransitions"][-2]
    assert stopping["StartTime"] - job["CreationTime"] == timedelta(hours=8)


def test_transitions_are_one_contiguous_list_ending_in_a_point():
    for trial in range(30):
        job = spotsim.describe(trial=trial)
        transitions = job["SecondaryStatusTransitions"]
        assert transitions[0]["StartTime"] == job["CreationTime"]
        for before, after in zip(transitions, transitions[1:]):
            assert before["EndTime"] == after["StartTime"]
        assert transitions[-1]["StartTime"] == transitions[-1]["EndTime"]
        assert transitions[-1]["EndTime"] == job["TrainingEndTime"] == job["LastModifiedTime"]


def test_no_completed_trial_passes_max_wait_or_max_runtime():
    scenario = spotsim.Scenario.default()
    trials = spotsim.simulate(scenario, trials=20_000, seed=5, per_trial=True).per_trial
    completed = trials.outcome == "Completed"
    assert completed.sum() > 0 and (~completed).sum() > 0
    # The default scenario: MaxWait 30 h, MaxRuntime 28 h.
    assert trials.wall_clock_seconds[completed].max() <= 30 * 3600
    assert trials.training_time_seconds.max() <= 28 * 3600 + 1e-6
    stopped = trials.outcome == "MaxWaitTimeExceeded"
    assert (trials.wall_clock_seconds[stopped] >= 30 * 3600).all()


def test_trial_k_depends_only_on_seed_and_k():
    whole = spotsim.simulate(trials=5000, seed=21, per_trial=True).per_trial
    head = spotsim.simulate(trials=100, seed=21, per_trial=True).per_trial
    assert head.cost_usd.tolist() == whole.cost_usd[:100].tolist()
    other = spotsim.simulate(trials=100, seed=22, per_trial=True).per_trial
    assert other.cost_usd.tolist() != head.cost_usd.tolist()
    for k in (0, 17, 99):
        job = spotsim.describe(trial=k, seed=21)
        assert job["TrainingJobStatus"] == ("Completed" if head.outcome[k] == "Completed"
                                            else "Stopped")
        held = job.get("TrainingTimeInSeconds", 0)
        assert held == round(head.training_time_seconds[k])


def test_the_completion_probability_agrees_with_its_standard_error():
    """Two disjoint sets of trials estimate the same probability: they differ by less than
    four standard errors of the difference."""
    a = spotsim.simulate(trials=40_000, seed=1)
    b = spotsim.simulate(trials=40_000, seed=2)
    p = (a.probability() + b.probability()) / 2
    se = math.sqrt(2 * p * (1 - p) / 40_000)
    assert abs(a.probability() - b.probability()) < 4 * se


def test_the_plan_recommends_the_smallest_max_wait_whose_lower_bound_reaches_the_target():
    planned = spotsim.plan(trials=3000, seed=4, target=0.9, objective="max-wait")
    frame = planned.points.to_pandas()
    meeting = frame[frame.p_completed_ci95_low >= 0.9]
    assert planned.recommendation.max_wait_seconds == meeting.max_wait_seconds.min()
    assert frame.recommended.sum() == 1
    assert frame.loc[frame.recommended, "max_wait_seconds"].item() == (
        planned.recommendation.max_wait_seconds
    )
    # Common random numbers: the curve never falls as MaxWait grows.
    assert frame.p_completed.is_monotonic_increasing
