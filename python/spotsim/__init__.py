"""spotsim — SageMaker Managed Spot Training, simulated, from Python.

spotsim replays a training job through the lifecycle AWS documents (Starting, Downloading,
Training with checkpoints, Interrupted, Uploading, Stopping, Stopped) against a model of spot
capacity, many thousand times, and answers: which ``MaxWaitTimeInSeconds`` completes the job
with probability ≥ p, what it costs, and what one trial's ``describe_training_job`` would say.

    >>> import spotsim
    >>> summary = spotsim.simulate(trials=10_000, seed=1)      # the embedded default scenario
    >>> round(summary.probability("Completed"), 4)
    0.9742

Every number is the one ``spotsim simulate|plan|describe --format json`` prints for the same
scenario, trials and seed: this package calls the same Rust library. Runs release the GIL
and stop on Ctrl-C (a notebook's "interrupt kernel") with ``KeyboardInterrupt``.

Scenarios come from TOML (``Scenario.from_toml``), a dict with the same keys
(``Scenario.from_dict``), a boto3 ``create_training_job`` request (``Scenario.from_request``)
or SageMaker Python SDK estimator arguments (``Scenario.from_estimator``). What spotsim
assumes on the user's behalf is announced with a ``ScenarioWarning`` and kept in
``Scenario.warnings``; invalid input raises ``InputError`` (a ``ValueError``) naming the file,
line and key.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import tempfile
import warnings
from datetime import date, datetime, timedelta, timezone
from typing import Any, Dict, Iterator, List, Mapping, Optional, Sequence, Union

from . import _spotsim

__all__ = [
    "DEFAULT_TARGET",
    "InputError",
    "Plan",
    "Points",
    "Record",
    "Scenario",
    "ScenarioWarning",
    "Summary",
    "Trials",
    "describe",
    "plan",
    "simulate",
]

__version__: str = _spotsim.__version__

#: The completion-probability target ``plan`` aims for unless told otherwise.
DEFAULT_TARGET: float = _spotsim.DEFAULT_TARGET

InputError = _spotsim.InputError

PathLike = Union[str, "os.PathLike[str]"]
Duration = Union[int, float, str, timedelta]


class ScenarioWarning(UserWarning):
    """Something valid but probably not meant, or a value spotsim assumed for the scenario
    (the command line prints these on stderr as ``warning: …``)."""


# -- scenarios -----------------------------------------------------------------------------

#: How errors name a scenario given as TOML text.
_TEXT_LABEL = "<string>"


def _input_error(file: str, key: Optional[str], message: str) -> Exception:
    """An ``InputError`` raised on the Python side, shaped like the library's."""
    shown = f"{file}: {key}: {message}" if key else f"{file}: {message}"
    error = InputError(shown)
    error.file, error.line, error.key, error.message = file, None, key, message
    return error


def _plain(value: Any, file: str, key: str) -> Any:
    """``value`` with Python-only types written as the scenario's TOML writes them: datetimes
    as ISO-8601 UTC text, timedeltas as seconds, paths as text, NumPy scalars as numbers."""
    if isinstance(value, Mapping):
        return {k: _plain(v, file, f"{key}.{k}" if key else str(k)) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v, file, key) for v in value]
    if isinstance(value, datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            raise _input_error(
                file,
                key,
                f"the datetime {value.isoformat()} has no time zone; give one, e.g. "
                "datetime(2026, 1, 1, tzinfo=timezone.utc)",
            )
        utc = value.astimezone(timezone.utc)
        return utc.strftime("%Y-%m-%dT%H:%M:%S") + f".{utc.microsecond // 1000:03d}Z"
    if isinstance(value, date):
        return value.isoformat() + "T00:00:00Z"
    if isinstance(value, timedelta):
        seconds = value.total_seconds()
        return int(seconds) if seconds == int(seconds) else f"{seconds!r}s"
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    if isinstance(value, (bool, int, float, str)) or value is None:
        return value
    # NumPy and other numeric scalars.
    if hasattr(value, "__index__"):
        return int(value.__index__())
    if hasattr(value, "__float__"):
        return float(value)
    return value


def _request_json(request: Mapping[str, Any], file: str) -> str:
    """A request or estimator arguments as JSON; values JSON cannot hold (an SDK session, an
    estimator object) are written as their ``str()``, which spotsim reports or ignores like
    any value it does not simulate."""
    if not isinstance(request, Mapping):
        raise _input_error(file, None, f"expected a dict, got a {type(request).__name__}")
    return json.dumps(_plain(request, file, ""), default=str, allow_nan=False)


_SECTIONS = ("workload", "checkpoint", "market", "pricing", "policy", "simulation")


class Scenario:
    """A resolved, validated scenario: the job (what ``CreateTrainingJob`` would say), its
    workload, checkpoints, spot market and prices, and the Monte Carlo settings.

    Build one with ``from_toml``, ``from_dict``, ``from_request``, ``from_estimator`` or
    ``default``. Warnings (values spotsim assumed, likely mistakes) are issued as
    ``ScenarioWarning`` when the scenario is built and kept in ``warnings``.
    """

    __slots__ = ("_inner",)

    def __init__(self, _inner: Any) -> None:
        if not isinstance(_inner, _spotsim.Scenario):
            raise TypeError(
                "build a Scenario with Scenario.from_toml, from_dict, from_request, "
                "from_estimator or default"
            )
        self._inner = _inner

    @classmethod
    def _load(cls, **kwargs: Any) -> "Scenario":
        scenario = cls(_spotsim.Scenario.load(**kwargs))
        for warning in scenario.warnings:
            warnings.warn(warning, ScenarioWarning, stacklevel=3)
        return scenario

    @classmethod
    def default(cls) -> "Scenario":
        """The embedded default scenario (what ``spotsim simulate`` runs without one): a
        20-hour job on one ml.p3.2xlarge with 30-minute checkpoints."""
        return cls._load()

    @classmethod
    def from_toml(cls, path_or_text: PathLike) -> "Scenario":
        """A scenario file (a path, ``pathlib.Path`` or ``file://PATH``) or TOML text.

        A ``str`` is read as TOML text when it holds a newline or ``=``, and as a path
        otherwise; relative paths inside TOML text (traces, requests) resolve against the
        current folder, inside a file against the file's folder.
        """
        if isinstance(path_or_text, os.PathLike):
            return cls._load(path=os.fspath(path_or_text))
        if not isinstance(path_or_text, str):
            raise TypeError(
                f"expected a path or TOML text, got a {type(path_or_text).__name__}"
            )
        if "\n" in path_or_text or "=" in path_or_text:
            return cls._load(text=path_or_text, label=_TEXT_LABEL)
        return cls._load(path=path_or_text[len("file://"):]
                         if path_or_text.startswith("file://") else path_or_text)

    @classmethod
    def from_dict(cls, scenario: Mapping[str, Any]) -> "Scenario":
        """A scenario from a dict with the scenario file's keys, e.g.
        ``{"job": {"max_wait": "48h", …}, "workload": {"training": "20h"}, …}``.

        Durations are seconds (numbers), text with units (``"90m"``) or ``timedelta``;
        ``start_time`` may be a timezone-aware ``datetime``. Unknown keys are errors, as in a
        file."""
        text = _spotsim.toml_of_dict(_plain(scenario, _spotsim.DICT_LABEL, ""))
        return cls._load(text=text, label=_spotsim.DICT_LABEL, generated=True)

    @classmethod
    def _with_job(
        cls,
        kind: str,
        label: str,
        job: Mapping[str, Any],
        sections: Mapping[str, Any],
    ) -> "Scenario":
        source = {"kind": kind, "text": _request_json(job, label), "label": label}
        given = {name: value for name, value in sections.items() if value is not None}
        if not given:
            # As `spotsim simulate --request FILE` without a scenario: the embedded default's
            # workload, market and prices, each stated in a ScenarioWarning, and an error when
            # the default's price is for another instance type.
            return cls._load(job=source)
        text = _spotsim.toml_of_dict(_plain(given, _spotsim.DICT_LABEL, ""))
        return cls._load(text=text, label=_spotsim.DICT_LABEL, job=source, generated=True)

    @classmethod
    def from_request(
        cls,
        request: Mapping[str, Any],
        *,
        workload: Optional[Mapping[str, Any]] = None,
        checkpoint: Optional[Mapping[str, Any]] = None,
        market: Optional[Mapping[str, Any]] = None,
        pricing: Optional[Mapping[str, Any]] = None,
        policy: Optional[Mapping[str, Any]] = None,
        simulation: Optional[Mapping[str, Any]] = None,
        name: Optional[str] = None,
        start_time: Optional[Union[str, datetime]] = None,
    ) -> "Scenario":
        """The job of a ``CreateTrainingJob`` request — the keyword arguments of boto3's
        ``sagemaker.create_training_job(**request)`` — with the rest of the scenario from the
        sections given (the scenario file's ``[workload]``, ``[market]``, … as dicts).

        Without any section, the embedded default scenario supplies them (each value is
        announced in a ``ScenarioWarning``), as ``spotsim simulate --request FILE`` does.
        """
        sections: Dict[str, Any] = dict(
            zip(_SECTIONS, (workload, checkpoint, market, pricing, policy, simulation))
        )
        sections.update(name=name, start_time=start_time)
        return cls._with_job("request", "<request>", request, sections)

    @classmethod
    def from_estimator(
        cls,
        *,
        workload: Optional[Mapping[str, Any]] = None,
        checkpoint: Optional[Mapping[str, Any]] = None,
        market: Optional[Mapping[str, Any]] = None,
        pricing: Optional[Mapping[str, Any]] = None,
        policy: Optional[Mapping[str, Any]] = None,
        simulation: Optional[Mapping[str, Any]] = None,
        **estimator_kwargs: Any,
    ) -> "Scenario":
        """The job of a SageMaker Python SDK ``Estimator(**estimator_kwargs)`` — its names:
        ``instance_type``, ``instance_count``, ``use_spot_instances``, ``max_run``,
        ``max_wait``, ``checkpoint_s3_uri``, ``max_retry_attempts``, … — with the rest of the
        scenario from the sections given, as in ``from_request``.

        ``max_run`` defaults to the SDK's 86,400 s (announced in a ``ScenarioWarning``).
        Arguments that do not change the simulated job (``entry_point``, ``role``, …) are
        accepted; unknown ones are reported, naming the closest argument.
        """
        sections: Dict[str, Any] = dict(
            zip(_SECTIONS, (workload, checkpoint, market, pricing, policy, simulation))
        )
        return cls._with_job("estimator", "<estimator>", estimator_kwargs, sections)

    @property
    def name(self) -> str:
        """The scenario's name (the training-job names of ``describe`` derive from it)."""
        return self._inner.name

    @property
    def warnings(self) -> List[str]:
        """What spotsim assumed and what is probably not meant, one sentence each."""
        return self._inner.warnings

    @property
    def trials(self) -> int:
        """``[simulation] trials``: what ``simulate`` and ``plan`` run unless told."""
        return self._inner.trials

    @property
    def seed(self) -> int:
        """``[simulation] seed``."""
        return self._inner.seed

    def to_toml(self) -> str:
        """The fully resolved scenario as TOML (as ``spotsim validate`` prints it): every key
        with its effective value, durations in seconds. Read back, it is the same scenario."""
        return self._inner.to_toml()

    def __repr__(self) -> str:
        return f"<spotsim.Scenario {self.name!r}: {self.trials} trials, seed {self.seed}>"


ScenarioLike = Union[Scenario, Mapping[str, Any], str, "os.PathLike[str]", None]


def _scenario(scenario: ScenarioLike) -> Scenario:
    if scenario is None:
        return Scenario.default()
    if isinstance(scenario, Scenario):
        return scenario
    if isinstance(scenario, Mapping):
        return Scenario.from_dict(scenario)
    return Scenario.from_toml(scenario)


# -- results -------------------------------------------------------------------------------


class Record(Mapping):
    """A read-only JSON object with attribute access: ``summary.metrics.cost_usd.mean`` is
    ``summary["metrics"]["cost_usd"]["mean"]``. ``None`` stands for JSON ``null`` (a figure
    that is undefined, e.g. the savings when no trial completed)."""

    __slots__ = ("_data",)

    def __init__(self, data: Mapping[str, Any]) -> None:
        object.__setattr__(self, "_data", data)

    @staticmethod
    def _wrap(value: Any) -> Any:
        if isinstance(value, dict):
            return Record(value)
        if isinstance(value, list):
            return [Record._wrap(v) for v in value]
        return value

    def __getitem__(self, key: str) -> Any:
        return Record._wrap(self._data[key])

    def __getattr__(self, key: str) -> Any:
        try:
            return Record._wrap(self._data[key])
        except KeyError:
            raise AttributeError(key) from None

    def __setattr__(self, key: str, value: Any) -> None:
        raise AttributeError("spotsim results are read-only")

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __dir__(self) -> List[str]:
        return sorted(set(super().__dir__()) | {k for k in self._data if k.isidentifier()})

    def to_dict(self) -> Dict[str, Any]:
        """A deep copy as plain dicts and lists (what ``json.loads`` of the CLI's output
        gives)."""
        return json.loads(json.dumps(self._data))

    def __repr__(self) -> str:
        return f"Record({self._data!r})"


_OUTCOMES = ("Completed", "MaxWaitTimeExceeded", "MaxRuntimeExceeded", "Failed")


#: The numeric columns of ``spotsim simulate --per-trial FILE`` after ``trial`` and
#: ``outcome``: name, NumPy dtype, meaning.
_TRIAL_COLUMNS = (
    ("wall_clock_seconds", "float64", "CreationTime → terminal status"),
    ("training_time_seconds", "float64", "TrainingTimeInSeconds, unrounded"),
    ("billable_time_seconds", "float64", "BillableTimeInSeconds, unrounded"),
    ("interruptions", "uint32", "Spot interruptions"),
    ("cost_usd", "float64", "The job's cost in USD"),
)


def _trial_column(name: str, dtype: str, meaning: str) -> Any:
    return property(lambda self: self._columns[name], doc=f"{meaning} (``{dtype}``).")


class Trials:
    """Per-trial results in trial order, as read-only NumPy arrays (``simulate(…,
    per_trial=True)``): the columns of ``spotsim simulate --per-trial FILE``."""

    __slots__ = ("_columns", "_outcomes")

    def __init__(self, columns: Mapping[str, Any]) -> None:
        import numpy as np

        # Views of the bytes the run filled: no copy.
        self._columns: Dict[str, Any] = {
            name: np.frombuffer(columns[name], dtype=dtype) for name, dtype, _ in _TRIAL_COLUMNS
        }
        self._columns["trial"] = np.frombuffer(columns["trial"], dtype=np.uint64)
        self._columns["outcome"] = np.frombuffer(columns["outcome"], dtype=np.uint8)
        self._outcomes: List[str] = list(columns["outcomes"])

    def __len__(self) -> int:
        return len(self._columns["trial"])

    trial: Any = _trial_column("trial", "uint64", "Trial index k: trial k of describe(…, trial=k)")
    wall_clock_seconds: Any = _trial_column(*_TRIAL_COLUMNS[0])
    training_time_seconds: Any = _trial_column(*_TRIAL_COLUMNS[1])
    billable_time_seconds: Any = _trial_column(*_TRIAL_COLUMNS[2])
    interruptions: Any = _trial_column(*_TRIAL_COLUMNS[3])
    cost_usd: Any = _trial_column(*_TRIAL_COLUMNS[4])

    @property
    def outcome(self) -> Any:
        """Terminal status (``Completed``, ``MaxWaitTimeExceeded``, ``MaxRuntimeExceeded``,
        ``Failed``), a NumPy array of ``str``."""
        import numpy as np

        return np.asarray(self._outcomes)[self._columns["outcome"]]

    def to_pandas(self) -> Any:
        """A DataFrame with one row per trial, indexed by ``trial``; ``outcome`` is a
        categorical of the four terminal statuses."""
        import pandas as pd

        data: Dict[str, Any] = {
            "outcome": pd.Categorical.from_codes(
                self._columns["outcome"].astype("int8"), categories=self._outcomes
            )
        }
        data.update((name, self._columns[name]) for name, _, _ in _TRIAL_COLUMNS)
        return pd.DataFrame(data, index=pd.Index(self.trial, name="trial"))

    def __repr__(self) -> str:
        return f"<spotsim.Trials: {len(self)} trials>"


_METRIC_STATISTICS = ("mean", "stderr", "std", "min", "p50", "p90", "p95", "p99", "max")


class Summary(Record):
    """The Monte Carlo summary of ``simulate``: the document ``spotsim simulate --format
    json`` prints (``scenario``, ``trials``, ``seed``, ``outcomes``, ``metrics``,
    ``on_demand_cost_usd``, ``true_savings_percent``, ``run``), with attribute access."""

    __slots__ = ("per_trial",)

    per_trial: Optional[Trials]

    def __init__(self, data: Mapping[str, Any], per_trial: Optional[Trials] = None) -> None:
        super().__init__(data)
        object.__setattr__(self, "per_trial", per_trial)

    def probability(self, outcome: str = "Completed") -> float:
        """The fraction of trials that ended with ``outcome`` (``Completed``,
        ``MaxWaitTimeExceeded``, ``MaxRuntimeExceeded`` or ``Failed``)."""
        if outcome not in self._data["outcomes"]:
            raise KeyError(f"unknown outcome {outcome!r}: one of {', '.join(_OUTCOMES)}")
        return self._data["outcomes"][outcome]["probability"]

    def to_pandas(self) -> Any:
        """The metrics as a DataFrame: one row per metric (``wall_clock_seconds``,
        ``cost_usd``, …), one column per statistic (``mean``, ``stderr``, ``std``, ``min``,
        ``p50``, ``p90``, ``p95``, ``p99``, ``max``), all ``float64`` (NaN where undefined)."""
        import pandas as pd

        metrics = self._data["metrics"]
        rows = [
            [_float(metrics[name].get(stat)) for stat in _METRIC_STATISTICS]
            for name in metrics
        ]
        return pd.DataFrame(
            rows,
            index=pd.Index(list(metrics), name="metric"),
            columns=list(_METRIC_STATISTICS),
            dtype="float64",
        )

    def outcomes_to_pandas(self) -> Any:
        """The outcomes as a DataFrame: one row per terminal status, columns ``count``
        (``int64``), ``probability``, ``ci95_low``, ``ci95_high`` (``float64``)."""
        import pandas as pd

        outcomes = self._data["outcomes"]
        frame = pd.DataFrame(
            {
                "count": [outcomes[o]["count"] for o in outcomes],
                "probability": [_float(outcomes[o]["probability"]) for o in outcomes],
                "ci95_low": [_float(outcomes[o]["ci95"][0]) for o in outcomes],
                "ci95_high": [_float(outcomes[o]["ci95"][1]) for o in outcomes],
            },
            index=pd.Index(list(outcomes), name="outcome"),
        )
        return frame.astype({"count": "int64"})

    def __repr__(self) -> str:
        data = self._data
        return (
            f"<spotsim.Summary {data['scenario']!r}: {data['trials']} trials, seed "
            f"{data['seed']}, P(Completed) = {self.probability('Completed'):.4f}, mean cost "
            f"${_float(data['metrics']['cost_usd']['mean']):.2f}>"
        )


def _float(value: Optional[float]) -> float:
    return math.nan if value is None else float(value)


class Points(Sequence):
    """The plan's curve: one point per MaxWait evaluated (each a ``Record`` of the plan
    JSON's ``points``)."""

    __slots__ = ("_points", "_rows")

    def __init__(self, points: List[Dict[str, Any]], rows: List[Dict[str, Any]]) -> None:
        self._points = points
        self._rows = rows

    def __getitem__(self, index: Any) -> Any:
        return Record._wrap(self._points[index])

    def __len__(self) -> int:
        return len(self._points)

    def to_pandas(self) -> Any:
        """The curve as a DataFrame with the columns of ``plan.csv``: ``max_wait_seconds``,
        ``max_wait_hours``, ``trials``, ``completed_count``, ``p_completed`` and its
        ``ci95_low``/``ci95_high``, … ``cost_mean_usd`` … ``meets_target``, ``recommended``.
        Counts and seconds are ``int64``, flags ``bool``, everything else ``float64`` (NaN
        where undefined)."""
        import pandas as pd

        frame = pd.DataFrame.from_records(self._rows)
        types = {}
        for column in frame.columns:
            if column in ("max_wait_seconds", "trials", "completed_count"):
                types[column] = "int64"
            elif column in ("meets_target", "recommended"):
                types[column] = "bool"
            else:
                types[column] = "float64"
        return frame.astype(types)

    def __repr__(self) -> str:
        return f"<spotsim.Points: {len(self)} MaxWait values>"


#: The charts of a plan, in the order of the plan report.
CHARTS = (
    "plan-completion",
    "plan-cost",
    "wall-clock-cdf",
    "cost-histogram",
    "status-timeline",
)


class Plan(Record):
    """The MaxWait plan of ``plan``: the document ``spotsim plan --format json`` prints
    (``recommendation``, ``points``, ``advice``, ``simulation`` at the recommended MaxWait,
    …) with attribute access, the curve as ``points`` and the report's charts."""

    __slots__ = ("_inner", "_charts")

    def __init__(self, inner: Any) -> None:
        super().__init__(json.loads(inner.json()))
        object.__setattr__(self, "_inner", inner)
        object.__setattr__(self, "_charts", None)

    @property
    def recommendation(self) -> Optional[Record]:
        """The recommended MaxWait (``max_wait_seconds``, ``p_completed``,
        ``p_completed_ci95``, ``cost_mean_usd``, ``cost_per_completed_job_usd``, …, ``text``),
        or ``None`` when no MaxWait on the grid reaches the target (see ``advice``)."""
        return Record._wrap(self._data["recommendation"])

    @property
    def points(self) -> Points:
        """The cost/risk curve over MaxWait; ``plan.points.to_pandas()`` is ``plan.csv``."""
        return Points(self._data["points"], json.loads(self._inner.rows_json()))

    def _chart_files(self) -> Dict[str, bytes]:
        if self._charts is None:
            folder = tempfile.mkdtemp(prefix="spotsim-plan-")
            try:
                self._inner.write_files(folder)
                charts = {}
                for name in CHARTS:
                    for extension in ("svg", "png"):
                        path = os.path.join(folder, f"{name}.{extension}")
                        if os.path.exists(path):
                            with open(path, "rb") as file:
                                charts[f"{name}.{extension}"] = file.read()
            finally:
                shutil.rmtree(folder, ignore_errors=True)
            object.__setattr__(self, "_charts", charts)
        return self._charts

    def chart(self, name: str = "plan-completion", format: str = "svg") -> bytes:
        """One chart of the plan report as SVG or PNG bytes (no matplotlib needed).

        ``name``: ``plan-completion`` (P(Completed) vs MaxWait with its 95 % band and the
        recommended point), ``plan-cost``, ``wall-clock-cdf``, ``cost-histogram`` or
        ``status-timeline`` (the last three at the recommended MaxWait)."""
        if name not in CHARTS:
            raise ValueError(f"unknown chart {name!r}: one of {', '.join(CHARTS)}")
        if format not in ("svg", "png"):
            raise ValueError(f"unknown chart format {format!r}: svg or png")
        return self._chart_files()[f"{name}.{format}"]

    def save_chart(self, path: PathLike, name: str = "plan-completion") -> None:
        """Writes one chart to ``path``; its extension (``.svg`` or ``.png``) is the format."""
        extension = os.path.splitext(os.fspath(path))[1].lower().lstrip(".")
        with open(path, "wb") as file:
            file.write(self.chart(name, extension))

    def save(self, folder: PathLike) -> None:
        """Writes what ``spotsim plan --output FOLDER`` writes: plan.csv, plan.json,
        report.md, report.html and every chart as SVG and PNG. The files appear together or
        not at all; they replace those of an earlier report in the folder, other files are
        left alone, and a file spotsim read (the scenario, a trace) is never overwritten."""
        self._inner.save(os.fspath(folder))

    def _repr_svg_(self) -> str:
        """Jupyter shows a plan as its completion chart."""
        return self.chart("plan-completion", "svg").decode("utf-8")

    def __repr__(self) -> str:
        recommendation = self._data["recommendation"]
        text = recommendation["text"] if recommendation else "no MaxWait reaches the target"
        return f"<spotsim.Plan {self._data['scenario']!r}: {text}>"


# -- runs ----------------------------------------------------------------------------------


def simulate(
    scenario: ScenarioLike = None,
    *,
    trials: Optional[int] = None,
    seed: Optional[int] = None,
    threads: Optional[int] = None,
    per_trial: bool = False,
) -> Summary:
    """Runs ``trials`` Monte Carlo trials of ``scenario`` (default: the embedded default
    scenario; a dict, path or TOML text are read as ``Scenario`` would) and summarises them.

    ``trials`` and ``seed`` default to the scenario's ``[simulation]``; ``threads`` to all
    cores (the result does not depend on it). ``per_trial=True`` also keeps every trial's
    result in ``summary.per_trial`` (``Trials``: NumPy arrays, ``.to_pandas()``).

    The summary is the document ``spotsim simulate --format json`` prints for the same
    scenario, trials and seed. Ctrl-C raises ``KeyboardInterrupt`` within a wave of trials.
    """
    scenario = _scenario(scenario)
    text, columns = _spotsim.simulate(
        scenario._inner, trials=trials, seed=seed, threads=threads, per_trial=per_trial
    )
    return Summary(json.loads(text), Trials(columns) if columns is not None else None)


def plan(
    scenario: ScenarioLike = None,
    *,
    target: float = DEFAULT_TARGET,
    deadline: Optional[Duration] = None,
    trials: Optional[int] = None,
    seed: Optional[int] = None,
    threads: Optional[int] = None,
    max_wait_cap: Optional[Duration] = None,
    grid_step: Optional[Duration] = None,
    points: Optional[int] = None,
    checkpoint_intervals: Optional[Sequence[Duration]] = None,
    objective: str = "cost",
) -> Plan:
    """Recommends how to run ``scenario``, with the cost/risk curve over MaxWait — the plan
    ``spotsim plan --format json`` prints.

    ``objective="cost"`` (the default, as on the command line) recommends the purchase option
    (managed spot at a MaxWait, spot-then-on-demand at a switch time, on-demand) with the
    lowest expected cost per completed job whose lower 95 % bound of P(done by ``deadline``)
    — of P(Completed) without a deadline — reaches ``target``; ``objective="max-wait"`` the
    smallest MaxWait of the scenario's own policy that reaches it. ``deadline`` (wall clock
    from CreationTime, ``plan --deadline``) replaces the scenario's ``[job] deadline``.

    Durations (``deadline``, ``max_wait_cap``, ``grid_step``, ``checkpoint_intervals``) are
    seconds, text such as ``"72h"``, or ``timedelta``.
    """
    scenario = _scenario(scenario)
    inner = _spotsim.plan(
        scenario._inner,
        target,
        trials=trials,
        seed=seed,
        threads=threads,
        max_wait_cap=_duration(max_wait_cap),
        grid_step=_duration(grid_step),
        points=points,
        checkpoint_intervals=None
        if checkpoint_intervals is None
        else [d.total_seconds() if isinstance(d, timedelta) else d for d in checkpoint_intervals],
        deadline=_duration(deadline),
        objective=objective,
    )
    return Plan(inner)


def _duration(value: Optional[Duration]) -> Optional[Union[float, str]]:
    """A duration argument as the extension takes it: seconds or text such as "36h"."""
    if value is None:
        return None
    if isinstance(value, timedelta):
        return value.total_seconds()
    return value


#: DescribeTrainingJob members that are timestamps (boto3 returns them as ``datetime``).
_TIMESTAMPS = ("CreationTime", "TrainingStartTime", "TrainingEndTime", "LastModifiedTime")
_TRANSITION_TIMESTAMPS = ("StartTime", "EndTime")


def _timestamp(text: str) -> datetime:
    """``2026-01-01T00:06:32.375Z`` as a timezone-aware UTC ``datetime``."""
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=timezone.utc)


def _with_datetimes(job: Dict[str, Any]) -> Dict[str, Any]:
    for key in _TIMESTAMPS:
        if key in job:
            job[key] = _timestamp(job[key])
    for transition in job.get("SecondaryStatusTransitions", []):
        for key in _TRANSITION_TIMESTAMPS:
            if key in transition:
                transition[key] = _timestamp(transition[key])
    return job


def describe(
    scenario: ScenarioLike = None, *, trial: int = 0, seed: Optional[int] = None
) -> Union[Dict[str, Any], List[Dict[str, Any]]]:
    """Trial ``trial`` of ``scenario`` as boto3's ``describe_training_job`` returns it: a dict
    with AWS's member names and timestamps as timezone-aware UTC ``datetime`` objects.

    Trial k is the trial ``simulate`` ran as trial k (same seed). When the scenario's policy
    is ``spot-then-on-demand`` and the trial fell back to on-demand after MaxWait, it created
    two training jobs: the result is then a list of their two responses, as ``spotsim
    describe`` prints a JSON array.
    """
    scenario = _scenario(scenario)
    if isinstance(trial, bool) or not isinstance(trial, int):
        if not hasattr(trial, "__index__"):
            raise TypeError(f"trial: expected an int, got a {type(trial).__name__}")
        trial = trial.__index__()
    document = json.loads(_spotsim.describe(scenario._inner, trial, seed=seed))
    if isinstance(document, list):
        return [_with_datetimes(job) for job in document]
    return _with_datetimes(document)
