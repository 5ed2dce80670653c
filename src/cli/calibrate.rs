//! `spotsim calibrate`: a `[market]` section from DescribeTrainingJob documents. How the
//! documents are read and checked is in [`crate::sagemaker::history`]; how transitions become
//! censored samples, and how provisioning and gangs are accounted, in [`crate::fit::calibrate`].

use crate::error::InputError;
use crate::fit::EpisodeFit;
use crate::fit::calibrate::{
    Calibration, CorrelationSource, InstanceTypeError, Samples, Settings, calibrate, extract,
};
use crate::report::fit::{HOUR, ROW_LABELS, cells, hours_string, summary_comment, uptime_keys};
use crate::sagemaker::history::{History, LeftOut, read_history};
use crate::units::duration::{format_duration, parse_duration};
use clap::{Args, ValueEnum};
use serde::Serialize;
use std::fmt::Write as _;
use std::path::PathBuf;

/// Output formats of `calibrate`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CalibrateFormat {
    /// A summary for people, with the `[market]` section.
    Table,
    /// Every number, machine-readable.
    Json,
    /// The `[market]` section alone, with the fit as comments.
    Toml,
}

/// Arguments of `calibrate`.
#[derive(Debug, Args)]
pub struct CalibrateArgs {
    /// DescribeTrainingJob documents: files holding one JSON object, a JSON array or JSON
    /// lines (`-` = standard input).
    #[arg(required = true, value_name = "JOBS")]
    pub jobs: Vec<PathBuf>,
    /// Provisioning time inside every Starting span (e.g. "3m"); without it 0 s is assumed
    /// and said on stderr.
    #[arg(long, value_name = "DURATION")]
    pub provisioning: Option<String>,
    /// The common share (rho, 0 to 1) of each instance's hazard; without it rho is estimated
    /// from two or more gang sizes, or 0 is assumed and said on stderr.
    #[arg(long, value_name = "RHO")]
    pub correlation: Option<f64>,
    /// The instance type to calibrate when the jobs run on several.
    #[arg(long, value_name = "TYPE")]
    pub instance_type: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = CalibrateFormat::Table)]
    pub format: CalibrateFormat,
}

/// The error when none of `read` jobs can be used: names the first file and the first job
/// left out, with its reason.
pub(super) fn nothing_usable(
    files: &[PathBuf],
    read: usize,
    left_out: &[LeftOut],
    what: &str,
) -> InputError {
    let example = left_out
        .first()
        .map(|u| {
            format!(
                ": e.g. {}:{} (job \"{}\"): {}",
                u.file, u.line, u.job, u.reason
            )
        })
        .unwrap_or_default();
    let file = files
        .first()
        .map(|f| f.display().to_string())
        .unwrap_or_default();
    InputError::new(
        file,
        format!("none of the {read} jobs can be {what}{example}"),
    )
}

/// Parses a `--provisioning`-like duration option.
pub(super) fn duration_option(key: &str, text: &str) -> Result<f64, InputError> {
    parse_duration(text)
        .map_err(|message| InputError::new("command line", message).at_key(key.to_string()))
}

/// The settings the command line gives, with what was assumed, each said on stderr.
fn settings(args: &CalibrateArgs) -> Result<(Settings, bool), InputError> {
    let provisioning = args
        .provisioning
        .as_deref()
        .map(|text| duration_option("--provisioning", text))
        .transpose()?;
    if let Some(rho) = args.correlation
        && !(0.0..=1.0).contains(&rho)
    {
        return Err(InputError::new(
            "command line",
            format!("the common share of the hazard is a number from 0 to 1, got {rho}"),
        )
        .at_key("--correlation"));
    }
    Ok((
        Settings {
            provisioning_seconds: provisioning.unwrap_or(0.0),
            correlation: args.correlation,
            instance_type: args.instance_type.clone(),
        },
        provisioning.is_none(),
    ))
}

/// What spotsim assumed, for stderr and the outputs.
pub(super) fn provisioning_note(seconds: f64, assumed: bool) -> String {
    if assumed {
        "provisioning: assumed 0 s (spotsim's [workload] provisioning default; give --provisioning): every Starting span counts as capacity wait and lifetimes start at Downloading".to_string()
    } else {
        format!(
            "provisioning: {} inside every Starting span (given): capacity wait = Starting − provisioning, lifetime = provisioning + held time",
            format_duration(seconds)
        )
    }
}

fn correlation_note(calibration: &Calibration, samples: &Samples) -> String {
    let c = &calibration.correlation;
    let sizes: Vec<String> = samples
        .gangs
        .iter()
        .map(|g| g.instance_count.to_string())
        .collect();
    match c.source {
        CorrelationSource::SingleInstances => {
            "correlation: every job ran on one instance, ρ does not matter".to_string()
        }
        CorrelationSource::Given => format!("correlation: ρ = {} (given)", c.rho),
        CorrelationSource::Assumed => format!(
            "correlation: assumed ρ = 0 (independent instances; give --correlation): every job ran a gang of {}, which cannot tell ρ from the hazard; one instance's lifetime below rests on it, the gang's does not",
            sizes.join(", ")
        ),
        CorrelationSource::Estimated => match c.se {
            Some(se) => format!(
                "correlation: ρ = {:.3} ± {:.3} (profile likelihood over gang sizes {})",
                c.rho,
                se,
                sizes.join(", ")
            ),
            None => format!(
                "correlation: ρ = {:.3} at the edge of [0, 1] (profile likelihood over gang sizes {}; no standard error at the edge)",
                c.rho,
                sizes.join(", ")
            ),
        },
    }
}

pub(super) fn run(args: CalibrateArgs) -> anyhow::Result<()> {
    let (settings, provisioning_assumed) = settings(&args)?;
    let history = read_history(&args.jobs)?;
    let samples = extract(&history, &settings).map_err(|error| {
        let message = match error {
            InstanceTypeError::NotChosen { .. } => format!("{error} with --instance-type"),
            InstanceTypeError::NotRun { .. } => error.to_string(),
        };
        InputError::new("command line", message).at_key("--instance-type")
    })?;
    if samples.gangs.is_empty() {
        let error = nothing_usable(
            &args.jobs,
            history.jobs.len(),
            &samples.unused,
            "calibrated from",
        );
        return Err(error.into());
    }
    let calibration = calibrate(&samples, &settings);
    let report = Report::new(&history, &samples, &calibration, provisioning_assumed);
    for note in report.stderr_notes() {
        eprintln!("calibrate: {note}");
    }
    let text = match args.format {
        CalibrateFormat::Table => report.table(),
        CalibrateFormat::Json => crate::report::json(&report.json()),
        CalibrateFormat::Toml => report.toml()?,
    };
    super::stdout::print(text)
}

/// The recommended `[market]` keys, in order, and how they were chosen.
struct Market {
    keys: Vec<(&'static str, toml::Value)>,
    notes: Vec<String>,
}

/// Everything one run reports.
struct Report<'a> {
    history: &'a History,
    samples: &'a Samples,
    calibration: &'a Calibration,
    provisioning_assumed: bool,
    market: Result<Market, String>,
}

impl<'a> Report<'a> {
    fn new(
        history: &'a History,
        samples: &'a Samples,
        calibration: &'a Calibration,
        provisioning_assumed: bool,
    ) -> Self {
        Self {
            history,
            samples,
            calibration,
            provisioning_assumed,
            market: market(calibration),
        }
    }

    /// Assumptions the user did not state, and copies counted once: said on stderr.
    fn stderr_notes(&self) -> Vec<String> {
        let mut notes = Vec::new();
        if self.provisioning_assumed {
            notes.push(provisioning_note(0.0, true));
        }
        if self.calibration.correlation.source == CorrelationSource::Assumed {
            notes.push(correlation_note(self.calibration, self.samples));
        }
        for (name, at) in &self.history.duplicates {
            notes.push(format!(
                "job \"{name}\" is given again at {at} with the same document: counted once"
            ));
        }
        notes
    }

    /// Lines describing what was read and assumed (each after `prefix`).
    fn preamble(&self, prefix: &str) -> String {
        let c = self.calibration;
        let used: usize = self.samples.gangs.iter().map(|g| g.jobs).sum();
        let mut out = String::new();
        let _ = writeln!(
            out,
            "{prefix}{} jobs read, {used} used on {} ({} not used)",
            self.history.jobs.len(),
            c.instance_type,
            self.samples.unused.len()
        );
        for line in [
            provisioning_note(c.provisioning_seconds, self.provisioning_assumed),
            "lifetimes are fitted conditional on surviving provisioning (delayed entry); attempts interrupted while Starting are counted, not fitted".to_string(),
            correlation_note(c, self.samples),
            "KS = sup_t |F_KM(t) - F_fit(t)|, Kaplan-Meier from all episodes (censored included); for one instance's uptime each gang size against its own fitted lifetime (conditional on surviving provisioning), the largest shown".to_string(),
        ] {
            let _ = writeln!(out, "{prefix}{line}");
        }
        for gang in &self.samples.gangs {
            if gang.short_starts > 0 {
                let _ = writeln!(
                    out,
                    "{prefix}warning: {} Starting spans of gangs of {} are shorter than the provisioning time: their capacity wait is taken as 0 (is --provisioning too long?)",
                    gang.short_starts, gang.instance_count
                );
            }
        }
        out
    }

    fn table(&self) -> String {
        let mut out = "spotsim calibrate\n".to_string();
        out += &self.preamble("  ");
        let c = self.calibration;
        let _ = writeln!(out);
        let _ = writeln!(
            out,
            "{:<22} {:>24} {:>20}",
            "", "one instance's uptime", "capacity wait"
        );
        let (up, wait) = (cells(&c.uptime), cells(&c.capacity_wait));
        for ((label, up), wait) in ROW_LABELS.iter().zip(&up).zip(&wait) {
            let _ = writeln!(out, "{label:<22} {up:>24} {wait:>20}");
        }
        let _ = writeln!(out);
        let _ = writeln!(
            out,
            "{:<6} {:>5} {:>20} {:>20} {:>22} {:>16} {:>16}",
            "gang",
            "jobs",
            "uptimes (censored)",
            "lost provisioning",
            "waits (censored)",
            "gang exp mean h",
            "gang Weibull k"
        );
        for g in &c.gangs {
            let na = || "n/a".to_string();
            let _ = writeln!(
                out,
                "{:<6} {:>5} {:>20} {:>20} {:>22} {:>16} {:>16}",
                g.instance_count,
                g.jobs,
                format!("{} ({})", g.uptime.n, g.uptime.censored),
                g.provisioning_losses,
                format!("{} ({})", g.capacity_wait.n, g.capacity_wait.censored),
                g.uptime.exponential.map_or_else(na, |e| format!(
                    "{:.3} ± {:.3}",
                    e.mean_seconds / HOUR,
                    e.mean_se_seconds / HOUR
                )),
                g.uptime
                    .weibull
                    .map_or_else(na, |w| format!("{:.3} ± {:.3}", w.shape, w.shape_se)),
            );
        }
        let _ = writeln!(out);
        match &self.market {
            Ok(market) => {
                for note in &market.notes {
                    let _ = writeln!(out, "# {note}");
                }
                out += &market_section(market);
            }
            Err(why) => {
                let _ = writeln!(out, "No [market] section: {why}");
            }
        }
        if !self.samples.unused.is_empty() {
            let _ = writeln!(out, "\nNot used ({}):", self.samples.unused.len());
            for u in &self.samples.unused {
                let _ = writeln!(
                    out,
                    "  {}:{} (job \"{}\"): {}",
                    u.file, u.line, u.job, u.reason
                );
            }
        }
        out
    }

    fn json(&self) -> JsonReport<'_> {
        let c = self.calibration;
        JsonReport {
            instance_type: &c.instance_type,
            provisioning_seconds: c.provisioning_seconds,
            provisioning: if self.provisioning_assumed {
                "assumed"
            } else {
                "given"
            },
            jobs: JobCounts {
                read: self.history.jobs.len(),
                used: self.samples.gangs.iter().map(|g| g.jobs).sum(),
                not_used: self.samples.unused.len(),
            },
            correlation: &c.correlation,
            uptime: UptimeJson {
                fit: &c.uptime,
                provisioning_losses: self
                    .samples
                    .gangs
                    .iter()
                    .map(|g| g.provisioning_losses)
                    .sum(),
                entry_seconds: c.provisioning_seconds,
            },
            capacity_wait: &c.capacity_wait,
            gangs: &c.gangs,
            market: self.market.as_ref().ok().map(|m| {
                m.keys
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.clone()))
                    .collect()
            }),
            notes: match &self.market {
                Ok(m) => m.notes.clone(),
                Err(why) => vec![format!("no [market] section: {why}")],
            },
            not_used: &self.samples.unused,
        }
    }

    fn toml(&self) -> Result<String, InputError> {
        let market = self.market.as_ref().map_err(|why| {
            InputError::new("command line", format!("no [market] section: {why}"))
                .at_key("--format toml")
        })?;
        let mut out = "# spotsim calibrate\n".to_string();
        out += &self.preamble("# ");
        for (name, fit) in [
            ("uptime of one instance", &self.calibration.uptime),
            ("capacity wait", &self.calibration.capacity_wait),
        ] {
            let _ = writeln!(out, "{}", summary_comment(name, fit));
        }
        for note in &market.notes {
            let _ = writeln!(out, "# {note}");
        }
        for u in &self.samples.unused {
            let _ = writeln!(
                out,
                "# not used: {}:{} (job \"{}\"): {}",
                u.file, u.line, u.job, u.reason
            );
        }
        out += &market_section(market);
        Ok(out)
    }
}

fn market_section(market: &Market) -> String {
    let mut out = "[market]\n".to_string();
    for (key, value) in &market.keys {
        let _ = writeln!(out, "{key} = {value}");
    }
    out
}

/// The `[market]` keys: the uptime model with the lower AIC (per instance), the exponential
/// mean capacity wait (the markets' capacity waits are exponential), and ρ when it is not 0.
fn market(c: &Calibration) -> Result<Market, String> {
    let up = &c.uptime;
    let Some(exponential) = up.exponential else {
        return Err(format!(
            "no attempt ended Interrupted: all {} lifetimes are censored, so the data bound the mean lifetime from below only",
            up.n
        ));
    };
    let mut notes = Vec::new();
    let mut keys = uptime_keys(
        up,
        &exponential,
        &["shape", "scale", "mean_capacity_wait", "correlation"],
        &mut notes,
    );
    let wait = &c.capacity_wait;
    let wait_seconds = match (wait.exponential, wait.mean_seconds) {
        (Some(e), _) => {
            notes.push(format!(
                "mean_capacity_wait = exponential (censoring-aware) mean wait, {:.3} ± {:.3} h; the exponential and weibull markets model capacity waits as exponential{}",
                e.mean_seconds / HOUR,
                e.mean_se_seconds / HOUR,
                if wait.best == Some("weibull") {
                    " (a Weibull fits them better by AIC)"
                } else {
                    ""
                }
            ));
            e.mean_seconds
        }
        (None, Some(mean)) if mean > 0.0 => {
            notes.push("no complete capacity wait: mean_capacity_wait = the mean observed (censored) wait, a lower bound".into());
            mean
        }
        _ => {
            notes.push(
                "every capacity wait was 0 (after provisioning): mean_capacity_wait = 0".into(),
            );
            0.0
        }
    };
    keys.push(("mean_capacity_wait", hours_string(wait_seconds).into()));
    if c.correlation.rho > 0.0 {
        keys.push((
            "correlation",
            toml::Value::Float((c.correlation.rho * 1e4).round() / 1e4),
        ));
    }
    Ok(Market { keys, notes })
}

#[derive(Serialize)]
struct JobCounts {
    read: usize,
    used: usize,
    not_used: usize,
}

#[derive(Serialize)]
struct UptimeJson<'a> {
    #[serde(flatten)]
    fit: &'a EpisodeFit,
    /// Attempts whose capacity was lost while provisioning (not in the fit).
    provisioning_losses: usize,
    /// Every lifetime entered the sample at this age (the provisioning time).
    entry_seconds: f64,
}

#[derive(Serialize)]
struct JsonReport<'a> {
    instance_type: &'a str,
    provisioning_seconds: f64,
    provisioning: &'static str,
    jobs: JobCounts,
    correlation: &'a crate::fit::calibrate::CorrelationEstimate,
    uptime: UptimeJson<'a>,
    capacity_wait: &'a EpisodeFit,
    gangs: &'a [crate::fit::calibrate::GangFit],
    market: Option<toml::Table>,
    notes: Vec<String>,
    not_used: &'a [LeftOut],
}
