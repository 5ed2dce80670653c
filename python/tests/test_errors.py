"""Bad input raises `spotsim.InputError` (a ValueError) carrying the file, line and key and the
one-line message the command line prints — never a panic, a hang or a silent default."""

import os
import subprocess
import sys
import textwrap
from datetime import datetime

import pytest
import spotsim

BAD_DURATION = '[job]\nmax_wait = "abc"\n'


def test_a_bad_file_gives_the_cli_message(cli, tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text(BAD_DURATION)
    with pytest.raises(spotsim.InputError) as raised:
        spotsim.Scenario.from_toml(path)
    error = raised.value
    assert isinstance(error, ValueError)
    assert (error.file, error.line, error.key) == (str(path), 2, "[job] max_wait")
    assert "expected a duration" in error.message and '"abc"' in error.message
    done = cli("validate", path, check=False)
    assert done.returncode == 2
    assert done.stderr.strip() == f"Error: {error}"
    assert str(error) == f"{path}:2: [job] max_wait: {error.message}"


def test_toml_text_is_named_string_with_its_line():
    with pytest.raises(spotsim.InputError) as raised:
        spotsim.Scenario.from_toml(BAD_DURATION)
    assert (raised.value.file, raised.value.line, raised.value.key) == (
        "<string>", 2, "[job] max_wait"
    )


def test_a_dict_error_names_the_key_and_no_line():
    with pytest.raises(spotsim.InputError) as raised:
        spotsim.Scenario.from_dict({"job": {"max_wiat": "48h"}})
    error = raised.value
    assert (error.file, error.line, error.key) == ("<dict>", None, "[job] max_wiat")
    assert "unknown field `max_wiat`" in error.message
    with pytest.raises(spotsim.InputError, match=r"\[workload\] training: .*None"):
        spotsim.Scenario.from_dict({"workload": {"training": None}})
    with pytest.raises(spotsim.InputError, match=r"\[market\] available\[1\]: .*got a set"):
        spotsim.Scenario.from_dict({"market": {"available": [["0s", "1h"], {"2h"}]}})
    with pytest.raises(spotsim.InputError, match="does not fit in a 64-bit integer"):
        spotsim.Scenario.from_dict({"simulation": {"seed": 2**70}})
    with pytest.raises(spotsim.InputError, match="has no time zone"):
        spotsim.Scenario.from_dict({"start_time": datetime(2026, 1, 1)})


def test_a_request_error_names_the_request_member():
    request = {
        "ResourceConfig": {"InstanceType": "ml.p3.2xlarge", "InstanceCount": 1},
        "StoppingCondition": {"MaxRuntimeInSeconds": 7200, "MaxWaitTimeInSeconds": 3600},
        "EnableManagedSpotTraining": True,
    }
    with pytest.raises(spotsim.InputError) as raised:
        spotsim.Scenario.from_request(request, workload={"training": "1h"})
    error = raised.value
    assert (error.file, error.line, error.key) == (
        "<request>", None, "StoppingCondition.MaxWaitTimeInSeconds"
    )
    assert "must be equal to or greater than MaxRuntimeInSeconds (7200)" in error.message


def test_an_estimator_on_another_instance_type_needs_its_own_price():
    with pytest.raises(spotsim.InputError) as raised:
        spotsim.Scenario.from_estimator(instance_type="ml.g5.2xlarge", use_spot_instances=True,
                                        max_run=3600, max_wait=7200)
    assert raised.value.key == "[pricing] on_demand_per_hour"


@pytest.mark.parametrize(
    "call,key",
    [
        (lambda: spotsim.simulate(trials=0), "trials"),
        (lambda: spotsim.simulate(trials=10**13), "trials"),
        (lambda: spotsim.simulate(seed=-1), "seed"),
        (lambda: spotsim.simulate(threads=0), "threads"),
        (lambda: spotsim.simulate(trials=20_000_000, per_trial=True), "per_trial"),
        (lambda: spotsim.plan(target=1.5), "target"),
        (lambda: spotsim.plan(max_wait_cap="1h"), "max_wait_cap"),
        (lambda: spotsim.plan(grid_step="fortnight"), "grid_step"),
        (lambda: spotsim.plan(grid_step="1h", points=10), "grid_step"),
        (lambda: spotsim.plan(checkpoint_intervals=[-5.0]), "checkpoint_intervals"),
        (lambda: spotsim.plan(deadline="fortnight"), "deadline"),
        (lambda: spotsim.plan(deadline=0), "deadline"),
        (lambda: spotsim.plan(objective="cheapest"), "objective"),
        (lambda: spotsim.describe(trial=-1), "trial"),
    ],
)
def test_bad_arguments_name_the_argument(call, key):
    with pytest.raises(spotsim.InputError) as raised:
        call()
    assert (raised.value.file, raised.value.key) == ("arguments", key)
    assert str(raised.value).startswith(f"arguments: {key}: ")


def test_plan_needs_managed_spot():
    scenario = spotsim.Scenario.from_dict({
        "job": {"managed_spot": False, "max_runtime": "10h"},
        "workload": {"training": "5h"},
        "pricing": {"on_demand_per_hour": 1.0},
        "policy": {"name": "on-demand"},
    })
    with pytest.raises(spotsim.InputError, match="only to managed spot"):
        spotsim.plan(scenario)


def test_missing_files_folders_and_fifos_are_input_errors(tmp_path):
    with pytest.raises(spotsim.InputError, match="No such file"):
        spotsim.Scenario.from_toml(tmp_path / "absent.toml")
    with pytest.raises(spotsim.InputError, match="a folder"):
        spotsim.Scenario.from_toml(tmp_path)
    link = tmp_path / "link.toml"
    link.symlink_to(tmp_path / "absent.toml")
    with pytest.raises(spotsim.InputError):
        spotsim.Scenario.from_toml(link)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs are POSIX")
def test_a_fifo_nobody_writes_is_refused_not_waited_on(tmp_path):
    fifo = tmp_path / "scenario.toml"
    os.mkfifo(fifo)
    # In a child process, so that a hang fails the test instead of stopping the suite.
    program = textwrap.dedent(f"""
        import spotsim
        try:
            spotsim.Scenario.from_toml({str(fifo)!r})
        except spotsim.InputError as error:
            print("InputError:", error)
    """)
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True,
                          timeout=60)
    assert done.stdout.startswith(f"InputError: {fifo}"), done.stdout + done.stderr


def test_unknown_charts_and_outcomes_are_value_errors():
    planned = spotsim.plan(trials=200)
    with pytest.raises(ValueError, match="unknown chart"):
        planned.chart("pie")
    with pytest.raises(ValueError, match="svg or png"):
        planned.chart("plan-cost", "gif")
    with pytest.raises(KeyError):
        spotsim.simulate(trials=10).probability("Finished")


def test_results_are_read_only():
    summary = spotsim.simulate(trials=10)
    with pytest.raises(AttributeError):
        summary.trials = 5
    with pytest.raises(TypeError):
        spotsim.Scenario("default")
