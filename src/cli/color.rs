//! Colour on the terminal, used sparingly: the plan's recommendation line, the `Error:` label
//! and regressed metrics in `bench`. Everything else stays plain, so that what a user pastes
//! into a ticket reads the same as what they saw.
//!
//! `--color auto` (the default) colours a stream only when it is a terminal, `TERM` is not
//! `dumb` and `NO_COLOR` is unset or empty. The NO_COLOR convention (no-color.org) lets a
//! command-line flag override the variable, so `--color always` colours even then, and
//! `--color never` never does. Pipes, files and CI logs therefore get no escape codes unless
//! asked for. The codes are the three SGR sequences every terminal since the VT100 knows:
//! bold, a foreground colour, reset.

use std::borrow::Cow;
use std::ffi::{OsStr, OsString};
use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, Ordering};

/// When to colour (`--color`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum ColorChoice {
    /// Only on a terminal, and not when NO_COLOR is set or TERM is dumb.
    #[default]
    Auto,
    /// Always, even into a pipe or a file, and even when NO_COLOR is set.
    Always,
    /// Never.
    Never,
}

impl ColorChoice {
    /// Whether a stream gets colour, given whether it is a terminal and the values of
    /// `NO_COLOR` and `TERM`.
    pub fn enabled(
        self,
        is_terminal: bool,
        no_color: Option<&OsStr>,
        term: Option<&OsStr>,
    ) -> bool {
        match self {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                is_terminal
                    && no_color.is_none_or(OsStr::is_empty)
                    && term.is_none_or(|t| t != "dumb")
            }
        }
    }

    /// The same choice for clap's own help and usage messages.
    fn to_clap(self) -> clap::ColorChoice {
        match self {
            ColorChoice::Auto => clap::ColorChoice::Auto,
            ColorChoice::Always => clap::ColorChoice::Always,
            ColorChoice::Never => clap::ColorChoice::Never,
        }
    }
}

/// An output stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stream {
    /// Standard output.
    Stdout,
    /// Standard error.
    Stderr,
}

/// What a coloured piece of text means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Paint {
    /// The answer the user came for (bold green).
    Good,
    /// An error or a regression (bold red).
    Bad,
}

static STDOUT: AtomicBool = AtomicBool::new(false);
static STDERR: AtomicBool = AtomicBool::new(false);

/// Decides, once per process, which streams get colour.
pub fn init(choice: ColorChoice) {
    let no_color = std::env::var_os("NO_COLOR");
    let term = std::env::var_os("TERM");
    let decide = |is_terminal| choice.enabled(is_terminal, no_color.as_deref(), term.as_deref());
    STDOUT.store(decide(std::io::stdout().is_terminal()), Ordering::Relaxed);
    STDERR.store(decide(std::io::stderr().is_terminal()), Ordering::Relaxed);
}

fn enabled(stream: Stream) -> bool {
    match stream {
        Stream::Stdout => STDOUT.load(Ordering::Relaxed),
        Stream::Stderr => STDERR.load(Ordering::Relaxed),
    }
}

fn wrap(paint: Paint, text: &str) -> String {
    let code = match paint {
        Paint::Good => "\x1b[1;32m",
        Paint::Bad => "\x1b[1;31m",
    };
    format!("{code}{text}\x1b[0m")
}

/// `text` coloured for `stream`, or unchanged when that stream gets no colour.
pub fn paint(stream: Stream, paint: Paint, text: &str) -> Cow<'_, str> {
    if enabled(stream) {
        Cow::Owned(wrap(paint, text))
    } else {
        Cow::Borrowed(text)
    }
}

/// `text` with every line for which `selected` holds coloured (line endings kept plain).
pub fn paint_lines(
    stream: Stream,
    paint: Paint,
    text: &str,
    selected: impl Fn(&str) -> bool,
) -> Cow<'_, str> {
    paint_lines_if(enabled(stream), paint, text, selected)
}

fn paint_lines_if(
    enabled: bool,
    paint: Paint,
    text: &str,
    selected: impl Fn(&str) -> bool,
) -> Cow<'_, str> {
    if !enabled {
        return Cow::Borrowed(text);
    }
    Cow::Owned(
        text.split_inclusive('\n')
            .map(|line| {
                let body = line.trim_end_matches('\n');
                if selected(body) {
                    wrap(paint, body) + &line[body.len()..]
                } else {
                    line.to_string()
                }
            })
            .collect(),
    )
}

/// The `--color` value on a raw command line (the last one before `--`), so that clap's own
/// help and errors follow it too: clap prints those before the parsed flag exists.
pub(crate) fn clap_choice(args: &[OsString]) -> clap::ColorChoice {
    let mut choice = ColorChoice::Auto;
    let mut words = args.iter().skip(1).map(|a| a.to_string_lossy());
    while let Some(word) = words.next() {
        let value = match word.strip_prefix("--color=") {
            _ if word == "--" => break,
            _ if word == "--color" => words.next(),
            Some(value) => Some(Cow::Owned(value.to_string())),
            None => None,
        };
        if let Some(parsed) = value.and_then(|v| clap::ValueEnum::from_str(&v, false).ok()) {
            choice = parsed;
        }
    }
    choice.to_clap()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auto_colours_only_a_terminal_without_no_color_or_a_dumb_term() {
        let auto = ColorChoice::Auto;
        let xterm = Some(OsStr::new("xterm-256color"));
        assert!(auto.enabled(true, None, xterm));
        assert!(auto.enabled(true, None, None));
        assert!(!auto.enabled(false, None, xterm), "a pipe or a file");
        assert!(!auto.enabled(true, Some(OsStr::new("1")), xterm));
        // no-color.org: an empty NO_COLOR does not count as set.
        assert!(auto.enabled(true, Some(OsStr::new("")), xterm));
        assert!(!auto.enabled(true, None, Some(OsStr::new("dumb"))));
    }

    #[test]
    fn the_flag_overrides_the_environment_and_the_terminal() {
        let no_color = Some(OsStr::new("1"));
        assert!(ColorChoice::Always.enabled(false, no_color, Some(OsStr::new("dumb"))));
        assert!(!ColorChoice::Never.enabled(true, None, Some(OsStr::new("xterm"))));
    }

    #[test]
    fn clap_follows_the_last_color_flag_before_the_separator() {
        let args = |words: &[&str]| -> Vec<OsString> {
            std::iter::once("spotsim")
                .chain(words.iter().copied())
                .map(OsString::from)
                .collect()
        };
        assert_eq!(clap_choice(&args(&["plan"])), clap::ColorChoice::Auto);
        assert_eq!(
            clap_choice(&args(&["--color", "never", "plan", "--help"])),
            clap::ColorChoice::Never
        );
        assert_eq!(
            clap_choice(&args(&["plan", "--color=always", "--color=never"])),
            clap::ColorChoice::Never
        );
        assert_eq!(
            clap_choice(&args(&["merge", "--", "--color=never"])),
            clap::ColorChoice::Auto
        );
        // A bad value is left for clap to report.
        assert_eq!(
            clap_choice(&args(&["--color", "sometimes"])),
            clap::ColorChoice::Auto
        );
    }

    #[test]
    fn lines_are_wrapped_without_their_line_ending() {
        assert_eq!(wrap(Paint::Bad, "x"), "\x1b[1;31mx\x1b[0m");
        let text = "a\nREGRESSED b\nc\n";
        assert_eq!(
            paint_lines_if(true, Paint::Bad, text, |l| l.starts_with("REG")),
            "a\n\x1b[1;31mREGRESSED b\x1b[0m\nc\n"
        );
        assert_eq!(paint_lines_if(false, Paint::Bad, text, |_| true), text);
    }
}
