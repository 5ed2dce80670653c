//! `spotsim._spotsim`: the Rust half of the Python package.
//!
//! The binding is thin on purpose: it calls the library entry points the command line calls
//! (`Scenario::from_inputs`, `montecarlo::execute` + `SimulationSummary::new`, `plan::plan`,
//! `DescribeTrainingJob::for_trial`) and hands results to Python as the same JSON text the
//! CLI prints, so a number in a notebook is the number `spotsim … --format json` prints for the
//! same scenario, trials and seed. The Python idioms (classes, DataFrames, datetimes) live in
//! `spotsim/__init__.py`.
//!
//! Runs release the GIL and happen on a worker thread while the calling thread polls
//! `PyErr_CheckSignals` ([`run_interruptibly`]): Ctrl-C (a notebook's "interrupt kernel" sends
//! SIGINT too) sets the library's cancellation flag, which runs check between waves of trials,
//! and the call raises `KeyboardInterrupt` once the run has stopped.

use pyo3::create_exception;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict};
use spotsim::error::InputError as LibraryInputError;
use spotsim::montecarlo::{
    Cancel, Ending, Observers, RunInfo, SimulationSummary, TrialRow, execute, with_threads,
};
use spotsim::plan::{GridSetting, GridSpec, OptionSetting, PlanError, PlanOptions};
use spotsim::report::json;
use spotsim::scenario::request::Request;
use spotsim::scenario::source::ScenarioText;
use spotsim::units::duration::parse_duration;
use spotsim::{Engine, Scenario, Simulator};
use std::path::PathBuf;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

create_exception!(
    spotsim,
    InputError,
    PyValueError,
    "Invalid input: a scenario, request, estimator argument or option. Its attributes `file`, \
     `line`, `key` and `message` say where and what; `str()` is the one-line message the \
     command line prints."
);

/// How often the calling thread checks for Ctrl-C while a run works.
const SIGNAL_POLL: Duration = Duration::from_millis(50);

/// The most per-trial rows one call keeps in memory (45 bytes a trial, ≈ 0.45 GB at the
/// limit); beyond it, `spotsim simulate --per-trial FILE` streams them to a file.
const MAX_PER_TRIAL_ROWS: u64 = 10_000_000;

/// `spotsim.InputError` for `error`, with its `file`, `line`, `key` and `message`. Errors
/// about arguments name them as Python spells them: the library's checks of options it shares
/// with the command line say `command line: --max-wait-cap: …`, Python says
/// `arguments: max_wait_cap: …`.
fn python_error(py: Python<'_>, error: LibraryInputError) -> PyErr {
    input_exception(py, error).unwrap_or_else(|failed| failed)
}

fn input_exception(py: Python<'_>, error: LibraryInputError) -> PyResult<PyErr> {
    let mut error = error;
    if error.file == "command line" {
        error.file = "arguments".into();
        error.key = error
            .key
            .map(|key| key.trim_start_matches('-').replace('-', "_"));
    }
    let raised = InputError::new_err(error.to_string());
    let value = raised.value(py);
    let attributes = [
        ("file", error.file.into_pyobject(py)?.into_any()),
        ("line", error.line.into_pyobject(py)?.into_any()),
        ("key", error.key.into_pyobject(py)?.into_any()),
        ("message", error.message.into_pyobject(py)?.into_any()),
    ];
    for (name, attribute) in attributes {
        value.setattr(name, attribute)?;
    }
    Ok(raised)
}

/// An error about the argument `key`.
fn argument_error(py: Python<'_>, key: &str, message: impl Into<String>) -> PyErr {
    python_error(py, LibraryInputError::new("arguments", message).at_key(key))
}

/// Cancellation flags: the library's runs watch a `&'static AtomicBool`. Each run takes one
/// from this free list (or leaks a new one) and returns it cleared, so concurrent runs in
/// several Python threads stop independently and the flags leaked are at most as many as
/// runs ever ran at the same time.
static FLAGS: Mutex<Vec<&'static AtomicBool>> = Mutex::new(Vec::new());

fn take_flag() -> &'static AtomicBool {
    let reused = FLAGS.lock().ok().and_then(|mut free| free.pop());
    reused.unwrap_or_else(|| Box::leak(Box::new(AtomicBool::new(false))))
}

fn return_flag(flag: &'static AtomicBool) {
    flag.store(false, Ordering::SeqCst);
    if let Ok(mut free) = FLAGS.lock() {
        free.push(flag);
    }
}

/// Runs `work` on a worker thread with the GIL released; polls for signals meanwhile. On
/// `KeyboardInterrupt` (or whatever a Python signal handler raised), sets the flag `work` was
/// given, waits for it to stop at its next wave boundary, and returns the exception.
fn run_interruptibly<T: Send>(
    py: Python<'_>,
    work: impl FnOnce(&'static AtomicBool) -> T + Send,
) -> PyResult<T> {
    let flag = take_flag();
    let outcome = py.detach(|| {
        std::thread::scope(|scope| {
            let (done, finished) = mpsc::channel::<()>();
            let worker = scope.spawn(move || {
                let result = work(flag);
                let _ = done.send(());
                result
            });
            let mut raised = None;
            loop {
                match finished.recv_timeout(SIGNAL_POLL) {
                    Err(mpsc::RecvTimeoutError::Timeout) if raised.is_none() => {
                        if let Err(error) = Python::attach(|py| py.check_signals()) {
                            flag.store(true, Ordering::SeqCst);
                            raised = Some(error);
                        }
                    }
                    Err(mpsc::RecvTimeoutError::Timeout) => {}
                    _ => break,
                }
            }
            let result = worker.join();
            (result, raised)
        })
    });
    return_flag(flag);
    match outcome {
        (_, Some(error)) => Err(error),
        (Ok(result), None) => Ok(result),
        (Err(panic), None) => std::panic::resume_unwind(panic),
    }
}

/// A resolved, validated scenario (the Rust half of `spotsim.Scenario`).
#[pyclass(module = "spotsim._spotsim", name = "Scenario", frozen)]
struct PyScenario {
    scenario: Scenario,
}

/// Where a job source (CreateTrainingJob request or SDK estimator arguments) came from.
#[derive(FromPyObject)]
#[pyo3(from_item_all)]
struct JobSource {
    /// `"request"` or `"estimator"`.
    kind: String,
    /// Its JSON text.
    text: String,
    /// How errors name it.
    label: String,
}

#[pymethods]
impl PyScenario {
    /// Reads a scenario as `spotsim simulate SCENARIO [--request|--estimator JOB]` does:
    /// `path` (a file), or `text` named `label` with relative paths resolved against the
    /// current folder, or neither (the embedded default); with the job from `job`.
    /// `generated`: the text was written by spotsim from a dict (its line numbers are not the
    /// user's, so errors name keys only).
    #[staticmethod]
    #[pyo3(signature = (path=None, text=None, label=None, job=None, generated=false))]
    fn load(
        py: Python<'_>,
        path: Option<PathBuf>,
        text: Option<String>,
        label: Option<String>,
        job: Option<JobSource>,
        generated: bool,
    ) -> PyResult<Self> {
        let file = label.clone().unwrap_or_else(|| "<string>".into());
        // A job source is JSON written by the Python side from a dict: its lines are not the
        // user's either.
        let job_label = job.as_ref().map(|job| job.label.clone());
        let loaded = py.detach(|| -> Result<Scenario, LibraryInputError> {
            let job = job
                .map(|job| match job.kind.as_str() {
                    "estimator" => Request::parse_estimator(&job.text, &job.label),
                    _ => Request::parse(&job.text, &job.label),
                })
                .transpose()?;
            let source = match (path, text) {
                (Some(path), _) => ScenarioText::read(&path)?,
                (None, Some(text)) => ScenarioText {
                    text,
                    file: label.unwrap_or_else(|| "<string>".into()),
                    stem: "scenario".into(),
                    base_dir: PathBuf::from("."),
                    embedded_default: false,
                },
                (None, None) => ScenarioText::embedded_default(),
            };
            // As the command line does: `optimal` checkpoint intervals are searched here.
            let mut scenario = Scenario::from_inputs(&source, job.as_ref())?;
            spotsim::montecarlo::prepare(&mut scenario);
            Ok(scenario)
        });
        match loaded {
            Ok(scenario) => Ok(Self { scenario }),
            Err(mut error) => {
                if (generated && error.file == file) || Some(&error.file) == job_label.as_ref() {
                    error.line = None;
                }
                Err(python_error(py, error))
            }
        }
    }

    /// The scenario's name.
    #[getter]
    fn name(&self) -> &str {
        &self.scenario.name
    }

    /// What is valid but probably not meant, and every value spotsim assumed.
    #[getter]
    fn warnings(&self) -> Vec<String> {
        self.scenario.warnings.clone()
    }

    /// `[simulation] trials`.
    #[getter]
    fn trials(&self) -> u64 {
        self.scenario.simulation.trials
    }

    /// `[simulation] seed`.
    #[getter]
    fn seed(&self) -> u64 {
        self.scenario.simulation.seed
    }

    /// The fully resolved scenario as TOML, as `spotsim validate` prints it.
    fn to_toml(&self) -> String {
        self.scenario.to_toml_string()
    }
}

/// How errors name a scenario given as a dict.
const DICT_LABEL: &str = "<dict>";

/// The key path `path` as scenario errors name keys: `[job] max_wait`, `name`,
/// `[market] available[1]`.
fn key_name(path: &[String]) -> String {
    match path {
        [] => "(the dict)".into(),
        [only] => only.clone(),
        [section, rest @ ..] => format!("[{section}] {}", rest.join(".")).replace(".[", "["),
    }
}

/// A plain Python value (what `json.loads` would give, with tuples) as a TOML value.
fn toml_value(
    value: &Bound<'_, PyAny>,
    path: &mut Vec<String>,
) -> Result<toml::Value, LibraryInputError> {
    use pyo3::types::{PyBool, PyFloat, PyInt, PyList, PyString, PyTuple};
    let wrong = |path: &[String], message: String| {
        LibraryInputError::new(DICT_LABEL, message).at_key(key_name(path))
    };
    if value.is_none() {
        return Err(wrong(
            path,
            "None is not a scenario value: leave the key out to use its default".into(),
        ));
    }
    if let Ok(flag) = value.cast::<PyBool>() {
        return Ok(toml::Value::Boolean(flag.is_true()));
    }
    if let Ok(int) = value.cast::<PyInt>() {
        return int
            .extract::<i64>()
            .map(toml::Value::Integer)
            .map_err(|_| wrong(path, format!("{int} does not fit in a 64-bit integer")));
    }
    if let Ok(float) = value.cast::<PyFloat>() {
        return Ok(toml::Value::Float(float.value()));
    }
    if let Ok(text) = value.cast::<PyString>() {
        return text
            .to_cow()
            .map(|t| toml::Value::String(t.into_owned()))
            .map_err(|e| wrong(path, e.to_string()));
    }
    if let Ok(dict) = value.cast::<PyDict>() {
        let mut table = toml::Table::new();
        for (key, item) in dict.iter() {
            let Ok(key) = key.extract::<String>() else {
                return Err(wrong(
                    path,
                    format!(
                        "keys are strings, got {}",
                        key.repr().map_or_else(|_| "?".into(), |r| r.to_string())
                    ),
                ));
            };
            path.push(key.clone());
            let item = toml_value(&item, path)?;
            path.pop();
            table.insert(key, item);
        }
        return Ok(toml::Value::Table(table));
    }
    let items: Option<Vec<Bound<'_, PyAny>>> = if let Ok(list) = value.cast::<PyList>() {
        Some(list.iter().collect())
    } else if let Ok(tuple) = value.cast::<PyTuple>() {
        Some(tuple.iter().collect())
    } else {
        None
    };
    if let Some(items) = items {
        let mut array = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            match path.last_mut() {
                Some(last) => last.push_str(&format!("[{i}]")),
                None => path.push(format!("[{i}]")),
            }
            let converted = toml_value(item, path);
            if let Some(last) = path.last_mut() {
                let end = last.rfind('[').unwrap_or(0);
                last.truncate(end);
            }
            array.push(converted?);
        }
        return Ok(toml::Value::Array(array));
    }
    let kind = value
        .get_type()
        .name()
        .map_or_else(|_| "?".into(), |n| n.to_string());
    Err(wrong(
        path,
        format!("expected a string, number, boolean, list or dict, got a {kind}"),
    ))
}

/// The TOML text of a scenario given as a dict with the scenario file's keys.
#[pyfunction]
fn toml_of_dict(py: Python<'_>, scenario: &Bound<'_, PyDict>) -> PyResult<String> {
    let value = toml_value(scenario.as_any(), &mut Vec::new()).map_err(|e| python_error(py, e))?;
    toml::to_string(&value).map_err(|e| {
        python_error(
            py,
            LibraryInputError::new(DICT_LABEL, format!("cannot be written as a scenario: {e}")),
        )
    })
}

/// Trials as the command line accepts them (1 … `MAX_TRIALS`).
fn checked_trials(py: Python<'_>, trials: Option<i128>, default: u64) -> PyResult<u64> {
    let Some(trials) = trials else {
        return Ok(default);
    };
    let max = spotsim::units::limits::MAX_TRIALS;
    u64::try_from(trials)
        .ok()
        .filter(|t| (1..=max).contains(t))
        .ok_or_else(|| {
            argument_error(
                py,
                "trials",
                format!("expected between 1 and {max} trials, got {trials}"),
            )
        })
}

fn checked_seed(py: Python<'_>, seed: Option<i128>, default: u64) -> PyResult<u64> {
    let Some(seed) = seed else {
        return Ok(default);
    };
    u64::try_from(seed).map_err(|_| {
        argument_error(
            py,
            "seed",
            format!("expected a whole number from 0 to {}, got {seed}", u64::MAX),
        )
    })
}

fn checked_threads(py: Python<'_>, threads: Option<i128>) -> PyResult<Option<usize>> {
    let Some(threads) = threads else {
        return Ok(None);
    };
    if (1..=1024).contains(&threads) {
        Ok(Some(threads as usize))
    } else {
        Err(argument_error(
            py,
            "threads",
            format!("expected 1 to 1024 worker threads, got {threads}"),
        ))
    }
}

/// Per-trial results as columns: raw native-endian bytes NumPy reads without a copy.
#[derive(Default)]
struct Columns {
    trial: Vec<u64>,
    outcome: Vec<u8>,
    wall_clock_seconds: Vec<f64>,
    training_time_seconds: Vec<f64>,
    billable_time_seconds: Vec<f64>,
    interruptions: Vec<u32>,
    cost_usd: Vec<f64>,
}

/// The outcomes in the order of their codes in [`Columns::outcome`].
const OUTCOMES: [&str; 4] = [
    "Completed",
    "MaxWaitTimeExceeded",
    "MaxRuntimeExceeded",
    "Failed",
];

impl Columns {
    fn push(&mut self, rows: &[TrialRow]) {
        for row in rows {
            self.trial.push(row.trial);
            let code = OUTCOMES.iter().position(|o| *o == row.outcome);
            self.outcome.push(code.unwrap_or(OUTCOMES.len()) as u8);
            self.wall_clock_seconds.push(row.wall_clock_seconds);
            self.training_time_seconds.push(row.training_time_seconds);
            self.billable_time_seconds.push(row.billable_time_seconds);
            self.interruptions.push(row.interruptions);
            self.cost_usd.push(row.cost_usd);
        }
    }

    fn into_dict(self, py: Python<'_>) -> PyResult<Bound<'_, PyDict>> {
        fn bytes_of<T: Copy>(values: &[T]) -> &[u8] {
            // SAFETY: plain integers and floats have no padding or invalid bit patterns; the
            // slice covers exactly the vector's initialised elements.
            unsafe {
                std::slice::from_raw_parts(values.as_ptr().cast(), std::mem::size_of_val(values))
            }
        }
        let dict = PyDict::new(py);
        dict.set_item("trial", PyBytes::new(py, bytes_of(&self.trial)))?;
        dict.set_item("outcome", PyBytes::new(py, &self.outcome))?;
        for (name, values) in [
            ("wall_clock_seconds", &self.wall_clock_seconds),
            ("training_time_seconds", &self.training_time_seconds),
            ("billable_time_seconds", &self.billable_time_seconds),
            ("cost_usd", &self.cost_usd),
        ] {
            dict.set_item(name, PyBytes::new(py, bytes_of(values)))?;
        }
        dict.set_item(
            "interruptions",
            PyBytes::new(py, bytes_of(&self.interruptions)),
        )?;
        dict.set_item("outcomes", OUTCOMES.to_vec())?;
        Ok(dict)
    }
}

/// `spotsim simulate --format json` of `scenario`: the summary's JSON text, and the per-trial
/// columns when asked for.
#[pyfunction]
#[pyo3(signature = (scenario, trials=None, seed=None, threads=None, per_trial=false))]
fn simulate<'py>(
    py: Python<'py>,
    scenario: &PyScenario,
    trials: Option<i128>,
    seed: Option<i128>,
    threads: Option<i128>,
    per_trial: bool,
) -> PyResult<(String, Option<Bound<'py, PyDict>>)> {
    let scenario = &scenario.scenario;
    let trials = checked_trials(py, trials, scenario.simulation.trials)?;
    let seed = checked_seed(py, seed, scenario.simulation.seed)?;
    let threads = checked_threads(py, threads)?;
    if per_trial && trials > MAX_PER_TRIAL_ROWS {
        return Err(argument_error(
            py,
            "per_trial",
            format!(
                "per-trial results of {trials} trials would not fit in memory; at most {MAX_PER_TRIAL_ROWS} are kept (stream more to a CSV file with `spotsim simulate --per-trial FILE`)"
            ),
        ));
    }
    let (result, columns) = run_interruptibly(py, |flag| {
        let started = Instant::now();
        let engine = Engine::new(scenario).with_seed(seed);
        let mut columns = per_trial.then(Columns::default);
        let result = {
            let mut sink = |rows: &[TrialRow]| {
                if let Some(columns) = columns.as_mut() {
                    columns.push(rows);
                }
                Ok(())
            };
            let mut observers = Observers {
                per_trial: if per_trial { Some(&mut sink) } else { None },
                progress: None,
                cancel: Some(flag),
            };
            with_threads(threads, || {
                execute(&engine, 0..trials, None, &mut observers)
            })
        };
        let summary = result.map(|result| {
            let used = threads.unwrap_or_else(rayon::current_num_threads);
            let run = RunInfo::measured(started, used, result.aggregate.trials);
            let summary = SimulationSummary::new(scenario, &engine, seed, &result.aggregate, run);
            (json(&summary), result.ending)
        });
        (summary, columns)
    })?;
    let (text, ending) = result.map_err(|e| pyo3::exceptions::PyOSError::new_err(e.to_string()))?;
    if ending == Ending::Cancelled {
        // Only a signal cancels, and its exception was raised above; a cancellation without
        // one (a handler that returned) still must not pass for a whole run.
        return Err(pyo3::exceptions::PyKeyboardInterrupt::new_err(
            "the run was interrupted",
        ));
    }
    let columns = columns.map(|c| c.into_dict(py)).transpose()?;
    Ok((text, columns))
}

/// A duration argument: seconds (a number) or text such as "36h".
#[derive(FromPyObject)]
enum DurationArg {
    Seconds(f64),
    Text(String),
}

impl DurationArg {
    fn seconds(&self, py: Python<'_>, key: &str) -> PyResult<f64> {
        match self {
            Self::Seconds(seconds) if seconds.is_finite() && *seconds >= 0.0 => Ok(*seconds),
            Self::Seconds(seconds) => Err(argument_error(
                py,
                key,
                format!("expected a duration of at least 0 seconds, got {seconds}"),
            )),
            Self::Text(text) => parse_duration(text).map_err(|e| argument_error(py, key, e)),
        }
    }
}

/// The planner's result: the plan (for its charts) and its JSON.
#[pyclass(module = "spotsim._spotsim", name = "PlanResult", frozen)]
struct PyPlan {
    plan: spotsim::plan::Plan,
    scenario_toml: String,
    /// The provenance and assumptions its reports open with.
    context: spotsim::report::output::ReportContext,
}

#[pymethods]
impl PyPlan {
    /// `spotsim plan --format json`.
    fn json(&self) -> String {
        spotsim::report::export::exporter(spotsim::report::Format::Json).plan(&self.plan)
    }

    /// The rows of plan.csv as JSON (one object per MaxWait).
    fn rows_json(&self) -> String {
        json(&spotsim::report::plan::rows(&self.plan))
    }

    /// Writes what `spotsim plan --output FOLDER` writes (plan.csv, plan.json, report.md,
    /// report.html, the charts as SVG and PNG) into `folder`, all together or none, never
    /// over a file this process read.
    fn save(&self, py: Python<'_>, folder: PathBuf) -> PyResult<()> {
        let set = spotsim::files::output::ReportFolder::new(
            &folder,
            spotsim::report::output::plan_files(),
            "folder",
        )
        .map_err(|e| python_error(py, e))?;
        py.detach(|| {
            let staging = set.stage()?;
            spotsim::report::output::write_plan_files(
                &self.plan,
                staging.path(),
                &self.scenario_toml,
                &self.context,
            )?;
            staging.commit()
        })
        .map_err(|e| {
            pyo3::exceptions::PyOSError::new_err(format!(
                "could not write the plan into '{}': {e}",
                folder.display()
            ))
        })
    }

    /// Writes the plan's files into `folder` (a fresh temporary folder) without the checks of
    /// [`PyPlan::save`]: the charts are read back from there.
    fn write_files(&self, py: Python<'_>, folder: PathBuf) -> PyResult<()> {
        py.detach(|| {
            spotsim::report::output::write_plan_files(
                &self.plan,
                &folder,
                &self.scenario_toml,
                &self.context,
            )
        })
        .map_err(|e| pyo3::exceptions::PyOSError::new_err(e.to_string()))
    }
}

/// What a plan's reports state first: their provenance (the Python call in place of a
/// command line) and the scenario's assumptions in words.
fn plan_context(
    scenario: &spotsim::Scenario,
    options: &PlanOptions,
) -> spotsim::report::output::ReportContext {
    use spotsim::report::provenance::{Provenance, ScenarioIdentity, assumptions};
    let mut provenance = Provenance::now(
        vec![ScenarioIdentity::of(scenario)],
        options.trials,
        options.seed,
    );
    provenance.command_line = format!(
        "spotsim.plan(target={}, trials={}, seed={}) in Python",
        options.target, options.trials, options.seed
    );
    spotsim::report::output::ReportContext {
        provenance,
        assumptions: assumptions(scenario),
    }
}

/// `spotsim plan` of `scenario`.
#[pyfunction]
#[pyo3(signature = (scenario, target, trials=None, seed=None, threads=None, max_wait_cap=None, grid_step=None, points=None, checkpoint_intervals=None, deadline=None, objective=None))]
#[allow(clippy::too_many_arguments)]
fn plan(
    py: Python<'_>,
    scenario: &PyScenario,
    target: f64,
    trials: Option<i128>,
    seed: Option<i128>,
    threads: Option<i128>,
    max_wait_cap: Option<DurationArg>,
    grid_step: Option<DurationArg>,
    points: Option<usize>,
    checkpoint_intervals: Option<Vec<DurationArg>>,
    deadline: Option<DurationArg>,
    objective: Option<String>,
) -> PyResult<PyPlan> {
    // `deadline` is `plan --deadline`: it replaces the scenario's `[job] deadline`.
    let mut with_deadline;
    let scenario = match deadline {
        Some(deadline) => {
            let seconds = deadline.seconds(py, "deadline")?;
            with_deadline = scenario.scenario.clone();
            with_deadline.job.deadline_seconds = Some(
                spotsim::scenario::check_deadline_seconds(seconds)
                    .map_err(|e| argument_error(py, "deadline", e))?,
            );
            &with_deadline
        }
        None => &scenario.scenario,
    };
    let mut options = PlanOptions::from_scenario(scenario);
    options.objective = match objective.as_deref() {
        None | Some("cost") => spotsim::plan::Objective::Cost,
        Some("max-wait" | "max_wait") => spotsim::plan::Objective::MaxWait,
        Some(other) => {
            return Err(argument_error(
                py,
                "objective",
                format!("expected \"cost\" or \"max-wait\", got {other:?}"),
            ));
        }
    };
    options.trials = checked_trials(py, trials, scenario.simulation.trials)?;
    options.seed = checked_seed(py, seed, scenario.simulation.seed)?;
    options.threads = checked_threads(py, threads)?;
    options.target = target;
    if grid_step.is_some() && points.is_some() {
        return Err(argument_error(
            py,
            "grid_step",
            "give grid_step or points, not both",
        ));
    }
    options.grid = GridSpec {
        cap_seconds: max_wait_cap
            .map(|d| d.seconds(py, "max_wait_cap"))
            .transpose()?,
        step_seconds: grid_step.map(|d| d.seconds(py, "grid_step")).transpose()?,
        points,
    };
    options.checkpoint_intervals = checkpoint_intervals
        .unwrap_or_default()
        .iter()
        .map(|d| d.seconds(py, "checkpoint_intervals"))
        .collect::<PyResult<_>>()?;
    // The plan JSON of `spotsim plan --format json`, with the run at the recommended MaxWait
    // the charts need.
    options.detail = true;
    let context = plan_context(scenario, &options);
    let planned = run_interruptibly(py, |flag| {
        let mut options = options;
        options.cancel = Cancel::when(flag);
        spotsim::plan::plan(scenario, &options, None)
    })?;
    match planned {
        Ok(plan) => Ok(PyPlan {
            plan,
            scenario_toml: scenario.to_toml_string(),
            context,
        }),
        Err(PlanError::Input(error)) => Err(python_error(py, error)),
        Err(PlanError::Option(error)) => {
            let argument = match error.setting() {
                OptionSetting::Target => "target",
                OptionSetting::Trials => "trials",
                OptionSetting::CheckpointIntervals => "checkpoint_intervals",
            };
            Err(argument_error(py, argument, error.to_string()))
        }
        Err(PlanError::Grid(error)) => {
            let argument = match error.setting() {
                GridSetting::Cap => "max_wait_cap",
                GridSetting::Step => "grid_step",
                GridSetting::Points => "points",
            };
            Err(argument_error(py, argument, error.to_string()))
        }
        Err(PlanError::Cancelled) => Err(pyo3::exceptions::PyKeyboardInterrupt::new_err(
            "the plan was interrupted",
        )),
    }
}

/// `spotsim describe --trial K`: the JSON text of the trial's DescribeTrainingJob response
/// (a JSON array of two when spot-then-on-demand fell back to on-demand).
#[pyfunction]
#[pyo3(signature = (scenario, trial, seed=None))]
fn describe(
    py: Python<'_>,
    scenario: &PyScenario,
    trial: i128,
    seed: Option<i128>,
) -> PyResult<String> {
    let scenario = &scenario.scenario;
    let trial = u64::try_from(trial).map_err(|_| {
        argument_error(
            py,
            "trial",
            format!("expected a trial index ≥ 0, got {trial}"),
        )
    })?;
    let seed = checked_seed(py, seed, scenario.simulation.seed)?;
    let engine = Engine::new(scenario).with_seed(seed);
    let (outcome, timeline) = py
        .detach(|| spotsim::engine::timeline::record(&engine, trial))
        .map_err(|e| {
            python_error(
                py,
                LibraryInputError::new(scenario.name.clone(), e.to_string()).at_key("[market]"),
            )
        })?;
    let jobs = spotsim::report::describe::DescribeTrainingJob::for_trial(
        scenario, trial, &outcome, &timeline,
    );
    Ok(match jobs.as_slice() {
        [(_, only)] => json(only),
        _ => json(&jobs.iter().map(|(_, d)| d).collect::<Vec<_>>()),
    })
}

/// The version of the spotsim library the package was built with.
const VERSION: &str = env!("CARGO_PKG_VERSION");

#[pymodule]
fn _spotsim(module: &Bound<'_, PyModule>) -> PyResult<()> {
    module.add_class::<PyScenario>()?;
    module.add_class::<PyPlan>()?;
    module.add_function(wrap_pyfunction!(simulate, module)?)?;
    module.add_function(wrap_pyfunction!(plan, module)?)?;
    module.add_function(wrap_pyfunction!(describe, module)?)?;
    module.add_function(wrap_pyfunction!(toml_of_dict, module)?)?;
    module.add("DICT_LABEL", DICT_LABEL)?;
    module.add("InputError", module.py().get_type::<InputError>())?;
    module.add("__version__", VERSION)?;
    module.add("DEFAULT_TARGET", spotsim::plan::DEFAULT_TARGET)?;
    Ok(())
}
