//! Arguments several subcommands share, declared once and flattened into each
//! (`#[command(flatten)]`), and the command line's own spelling of the library's choices (the
//! library's types know nothing of clap).

use crate::error::InputError;
use crate::report::Format;
use clap::Args;

/// Output formats of summaries as the command line spells them (`--format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SummaryFormat {
    /// Aligned table for the terminal.
    Table,
    /// The pinned JSON document.
    Json,
    /// One row per quantity.
    Csv,
    /// Markdown tables.
    Markdown,
}

impl From<SummaryFormat> for Format {
    fn from(format: SummaryFormat) -> Self {
        match format {
            SummaryFormat::Table => Format::Table,
            SummaryFormat::Json => Format::Json,
            SummaryFormat::Csv => Format::Csv,
            SummaryFormat::Markdown => Format::Markdown,
        }
    }
}

/// `--format` of `simulate`, `plan`, `merge` and `bench`.
#[derive(Debug, Clone, Copy, Args)]
pub struct FormatArgs {
    /// Output format.
    #[arg(long = "format", value_enum, default_value_t = SummaryFormat::Table)]
    pub summary_format: SummaryFormat,
}

impl FormatArgs {
    /// The format to render in.
    pub fn format(&self) -> Format {
        self.summary_format.into()
    }
}

/// `--format` and `--output DIR` of the commands that write report folders (`simulate`,
/// `plan`, `merge`, `compare`): the terminal output's format, and the folder that receives
/// every format, the charts and report.html.
#[derive(Debug, Clone, Args)]
pub struct ReportArgs {
    /// Output format of the terminal report.
    #[command(flatten)]
    pub format: FormatArgs,
    /// Also write the report folder here: the results in every format, the charts (SVG, PNG)
    /// and a self-contained report.html (README lists each command's files).
    #[arg(long, value_name = "DIR")]
    pub output: Option<std::path::PathBuf>,
}

impl ReportArgs {
    /// The format to render the terminal output in.
    pub fn format(&self) -> Format {
        self.format.format()
    }
}

/// `--trials`, `--seed` and `--threads` of the commands that run trials (`simulate`, `plan`).
#[derive(Debug, Clone, Copy, Args)]
pub struct RunArgs {
    /// Number of trials (default: the scenario's `[simulation] trials`; `plan` runs the same
    /// trials at every MaxWait); 1_000_000 and 1e6 are accepted.
    #[arg(long, allow_hyphen_values = true, value_parser = super::input::parse_trials)]
    pub trials: Option<u64>,
    /// Seed (default: the scenario's `[simulation] seed`).
    #[arg(long, allow_hyphen_values = true)]
    pub seed: Option<u64>,
    /// Worker threads (default: all cores). The output does not depend on it.
    #[arg(long, allow_hyphen_values = true, value_parser = clap::value_parser!(u16).range(1..=1024))]
    pub threads: Option<u16>,
}

/// `--quiet` and `--yes` of the commands that run trials (`simulate`, `plan`).
#[derive(Debug, Clone, Copy, Args)]
pub struct InteractionArgs {
    /// No progress bar.
    #[arg(long, short)]
    pub quiet: bool,
    /// Run even when the run is estimated to take more than an hour.
    #[arg(long)]
    pub yes: bool,
}

/// `--deadline` of the commands that summarise trials (`simulate`, `plan`, `compare`).
#[derive(Debug, Clone, Default, Args)]
pub struct DeadlineArgs {
    /// Wall-clock deadline from CreationTime, e.g. "48h" (overrides `[job] deadline`):
    /// summaries report P(Completed by it); `plan` targets it.
    #[arg(long, value_name = "DURATION")]
    pub deadline: Option<String>,
}

impl DeadlineArgs {
    /// Sets the scenario's deadline from `--deadline`, if given.
    pub fn apply(&self, scenario: &mut crate::scenario::Scenario) -> Result<(), InputError> {
        let Some(text) = &self.deadline else {
            return Ok(());
        };
        let error = |message: String| InputError::new("command line", message).at_key("--deadline");
        let seconds = crate::units::duration::parse_duration(text).map_err(error)?;
        scenario.job.deadline_seconds =
            Some(crate::scenario::check_deadline_seconds(seconds).map_err(error)?);
        Ok(())
    }
}
