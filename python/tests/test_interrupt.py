"""Runs release the GIL, and Ctrl-C (SIGINT, what a notebook's "interrupt kernel" sends)
stops a long run with KeyboardInterrupt within moments."""

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time

import pytest
import spotsim

LONG_RUN = textwrap.dedent("""
    import sys, time
    import spotsim
    {call}
    print("started", flush=True)
    started = time.monotonic()
    try:
        {run}
        print("finished")
    except KeyboardInterrupt:
        print(f"interrupted after {{time.monotonic() - started:.2f}} s", flush=True)
        # The process goes on normally: another run works.
        print("then", spotsim.simulate(trials=1000).trials, flush=True)
""")


@pytest.mark.skipif(sys.platform == "win32", reason="SIGINT is POSIX")
@pytest.mark.parametrize(
    "run",
    [
        # ≈ an hour of work on two cores: only an interruption ends it within the timeout.
        "spotsim.simulate(trials=10**10)",
        "spotsim.plan(trials=10**9)",
        "spotsim.simulate(trials=10**9, threads=1)",
    ],
)
def test_ctrl_c_interrupts_a_long_run(run):
    program = LONG_RUN.format(call="", run=run)
    child = subprocess.Popen([sys.executable, "-c", program], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline().strip() == "started"
        time.sleep(1.0)
        child.send_signal(signal.SIGINT)
        out, err = child.communicate(timeout=60)
    finally:
        if child.poll() is None:
            child.kill()
    lines = out.splitlines()
    assert lines[0].startswith("interrupted after "), out + err
    # The run stops at the next wave of trials: well within a few seconds of the signal.
    assert float(lines[0].split()[2]) < 1.0 + 5.0, out
    assert lines[1] == "then 1000", out + err
    assert child.returncode == 0, err


def test_the_gil_is_released_while_simulating():
    """A Python thread keeps running while another simulates."""
    ticks = []
    stop = threading.Event()

    def count():
        while not stop.is_set():
            ticks.append(time.monotonic())
            time.sleep(0.005)

    counter = threading.Thread(target=count)
    counter.start()
    try:
        started = time.monotonic()
        spotsim.simulate(trials=2_000_000, seed=1, threads=1)
        finished = time.monotonic()
    finally:
        stop.set()
        counter.join()
    during = [t for t in ticks if started < t < finished]
    # With the GIL held for the whole run, the counter would not tick at all meanwhile.
    assert finished - started > 0.1
    assert len(during) >= 5, (len(during), finished - started)


def test_runs_in_threads_give_the_same_numbers():
    results = {}

    def run(seed):
        results[seed] = spotsim.simulate(trials=50_000, seed=seed, threads=1).to_dict()

    threads = [threading.Thread(target=run, args=(s,)) for s in (1, 2, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    alone = spotsim.simulate(trials=50_000, seed=2, threads=1).to_dict()
    for key in ("outcomes", "metrics"):
        assert results[2][key] == alone[key]
