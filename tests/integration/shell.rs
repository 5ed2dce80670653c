//! Shell integration: completion scripts load in bash, zsh and fish and complete real
//! subcommands and flags; the man pages render with groff without a warning; colour appears
//! only where asked (`--color`, a terminal without NO_COLOR) and never in a pipe.

use assert_cmd::cargo::cargo_bin_cmd;
use std::path::Path;
use std::process::{Command, Output};

const SPOTSIM: &str = env!("CARGO_BIN_EXE_spotsim");
const ESC: char = '\x1b';

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// `tool` if it is installed; under CI (which installs it) its absence fails the test.
fn tool(path: &'static str, package: &str) -> Option<&'static str> {
    if !Path::new(path).exists() {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "CI=true but {path} is missing: .ci/run installs Debian's {package}"
        );
        eprintln!("skipped: {path} not installed (Debian package {package})");
        return None;
    }
    Some(path)
}

fn run_ok(command: &mut Command) -> String {
    let output = command.output().unwrap();
    assert!(
        output.status.success(),
        "{command:?}: {}{}",
        text(&output.stdout),
        text(&output.stderr)
    );
    text(&output.stdout)
}

fn completion_script(shell: &str) -> String {
    let output = cargo_bin_cmd!("spotsim")
        .args(["completions", shell])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", text(&output.stderr));
    text(&output.stdout)
}

/// What bash offers after `words` (the last one being completed), through the function the
/// script registered with `complete -F`, called as bash itself calls it.
fn bash_completions(words: &[&str]) -> Vec<String> {
    let script = format!(
        "source <('{SPOTSIM}' completions bash)\n\
         complete -p spotsim\n\
         COMP_WORDS=({words})\n\
         COMP_CWORD={cword}\n\
         _spotsim spotsim '{cur}' '{prev}'\n\
         printf '%s\\n' \"${{COMPREPLY[@]}}\"\n",
        words = words
            .iter()
            .map(|w| format!("'{w}'"))
            .collect::<Vec<_>>()
            .join(" "),
        cword = words.len() - 1,
        cur = words[words.len() - 1],
        prev = words[words.len() - 2],
    );
    let stdout = run_ok(Command::new("bash").args(["-c", &script]));
    let mut lines = stdout.lines();
    let registration = lines.next().unwrap_or_default();
    assert!(
        registration.starts_with("complete ") && registration.ends_with("-F _spotsim spotsim"),
        "{registration}"
    );
    lines.map(str::to_string).collect()
}

#[test]
fn bash_completion_loads_and_completes_subcommands_flags_and_values() {
    assert_eq!(bash_completions(&["spotsim", "si"]), ["simulate"]);
    assert_eq!(bash_completions(&["spotsim", "plan", "--ta"]), ["--target"]);
    let formats = bash_completions(&["spotsim", "simulate", "--format", ""]);
    assert_eq!(formats, ["table", "json", "csv", "markdown"]);
    let shells = bash_completions(&["spotsim", "completions", ""]);
    for shell in ["bash", "zsh", "fish", "powershell"] {
        assert!(shells.iter().any(|s| s == shell), "{shells:?}");
    }
    // The global flag is offered under every subcommand.
    assert!(bash_completions(&["spotsim", "merge", "--co"]).contains(&"--color".to_string()));
}

#[test]
fn fish_completion_loads_and_completes() {
    let Some(fish) = tool("/usr/bin/fish", "fish") else {
        return;
    };
    let stdout = run_ok(Command::new(fish).args([
        "--no-config",
        "-c",
        &format!(
            "source ('{SPOTSIM}' completions fish | psub); complete -C 'spotsim sim'; complete -C 'spotsim bench --save'"
        ),
    ]));
    let firsts: Vec<&str> = stdout
        .lines()
        .map(|l| l.split('\t').next().unwrap())
        .collect();
    assert_eq!(firsts, ["simulate", "--save-baseline"], "{stdout}");
}

#[test]
fn zsh_completion_parses_and_registers_for_spotsim() {
    let Some(zsh) = tool("/usr/bin/zsh", "zsh") else {
        return;
    };
    let script = completion_script("zsh");
    assert!(script.starts_with("#compdef spotsim"), "{}", &script[..40]);
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("_spotsim"), &script).unwrap();
    // compinit reads #compdef from the fpath folder and maps the command to the function.
    let stdout = run_ok(Command::new(zsh).args(["-f", "-c"]).arg(format!(
        "fpath=('{}' $fpath); autoload -U compinit; compinit -u -D; print -r -- $_comps[spotsim]",
        dir.path().display()
    )));
    assert_eq!(stdout.trim(), "_spotsim");
    run_ok(Command::new(zsh).arg("-n").arg(dir.path().join("_spotsim")));
}

#[test]
fn powershell_completion_registers_a_native_completer() {
    // No PowerShell on Debian: check the registration and that it knows the subcommands.
    let script = completion_script("powershell");
    assert!(script.contains("Register-ArgumentCompleter -Native -CommandName 'spotsim'"));
    for name in ["simulate", "plan", "merge", "completions", "man"] {
        assert!(script.contains(&format!("'{name}'")), "{name}");
    }
}

/// The page formatted by groff (words separated by single spaces, no hyphenation) and groff's
/// warnings (all of them, `-ww`).
fn render_man(page: &[u8]) -> (String, String) {
    let Some(groff) = tool("/usr/bin/groff", "groff-base") else {
        return (String::new(), String::new());
    };
    let mut child = Command::new(groff)
        .args(["-man", "-Tutf8", "-ww", "-rLL=100n", "-rHY=0"])
        .env("GROFF_NO_SGR", "1")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child.stdin.take().unwrap().write_all(page).unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success());
    // Strip overstrike (bold is "c\bc", underline "_\bc") to plain text.
    let mut plain = String::new();
    for c in text(&output.stdout).chars() {
        if c == '\u{8}' {
            plain.pop();
        } else {
            plain.push(c);
        }
    }
    // Justification stretches spaces; compare words.
    let words = plain.split_whitespace().collect::<Vec<_>>().join(" ");
    (words, text(&output.stderr))
}

fn man_page(args: &[&str]) -> Output {
    cargo_bin_cmd!("spotsim")
        .arg("man")
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn man_pages_render_without_warnings_and_document_every_command() {
    let top = man_page(&[]);
    assert!(top.status.success());
    assert!(top.stdout.starts_with(b".ie \\n(.g") || top.stdout.starts_with(b".TH"));
    let (page, warnings) = render_man(&top.stdout);
    if page.is_empty() {
        return; // groff missing outside CI
    }
    assert_eq!(warnings, "", "groff warnings on spotsim(1)");
    assert!(
        page.contains("spotsim - simulator and cost planner for SageMaker Managed Spot Training"),
        "{page}"
    );
    for section in [
        "SYNOPSIS",
        "OPTIONS",
        "EXIT STATUS",
        "ENVIRONMENT",
        "NO_COLOR",
    ] {
        assert!(page.contains(section), "{section}");
    }
    let commands = [
        "simulate",
        "describe",
        "validate",
        "plan",
        "merge",
        "bench",
        "fit",
        "completions",
        "man",
    ];
    for command in commands {
        assert!(page.contains(&format!("spotsim-{command}(1)")), "{command}");
        let sub = man_page(&[command]);
        assert!(sub.status.success(), "{command}");
        let (page, warnings) = render_man(&sub.stdout);
        assert_eq!(warnings, "", "groff warnings on spotsim-{command}(1)");
        assert!(page.contains(&format!("spotsim {command}")), "{page}");
    }
    let (simulate, _) = render_man(&man_page(&["simulate"]).stdout);
    for flag in [
        "--trials",
        "--seed",
        "--shard-count",
        "--partial",
        "--color",
    ] {
        assert!(simulate.contains(flag), "{flag}");
    }
}

#[test]
fn man_for_an_unknown_command_exits_2_naming_the_choices() {
    let output = man_page(&["simulat"]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = text(&output.stderr);
    assert!(
        stderr.contains("no subcommand \"simulat\"") && stderr.contains("simulate, describe"),
        "{stderr}"
    );
    assert_eq!(stderr.trim().lines().count(), 1);
}

#[test]
fn man_page_opens_with_man() {
    let Some(man) = tool("/usr/bin/man", "man-db") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("spotsim.1");
    std::fs::write(&file, man_page(&[]).stdout).unwrap();
    let output = Command::new(man)
        .arg("-l")
        .arg(&file)
        .env("MANPAGER", "cat")
        .env("MANWIDTH", "100")
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", text(&output.stderr));
    assert_eq!(text(&output.stderr), "");
    assert!(text(&output.stdout).contains("EXIT STATUS"));
}

// ---- colour ----

fn spotsim(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = cargo_bin_cmd!("spotsim");
    command
        .args(args)
        .env_remove("NO_COLOR")
        .env("TERM", "xterm");
    for (key, value) in env {
        command.env(key, value);
    }
    command.output().unwrap()
}

const PLAN: [&str; 4] = ["plan", "--trials", "2000", "--quiet"];
const RECOMMENDATION: &str = "Set MaxWaitTimeInSeconds = ";

/// The lines of `stdout` that carry an escape code.
fn coloured_lines(stdout: &str) -> Vec<&str> {
    stdout.lines().filter(|l| l.contains(ESC)).collect()
}

#[test]
fn piped_output_has_no_escape_codes_unless_forced() {
    let plain = spotsim(&PLAN, &[]);
    assert!(plain.status.success());
    assert!(!text(&plain.stdout).contains(ESC));
    let bad = spotsim(&["simulate", "/nonexistent/scenario.toml"], &[]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(
        text(&bad.stderr).starts_with("Error: "),
        "{}",
        text(&bad.stderr)
    );

    // --color always: the recommendation line only, green, and the same text underneath;
    // it overrides NO_COLOR, as the NO_COLOR convention asks of a command-line flag.
    let forced = spotsim(
        &[&PLAN[..], &["--color", "always"]].concat(),
        &[("NO_COLOR", "1")],
    );
    let stdout = text(&forced.stdout);
    let coloured = coloured_lines(&stdout);
    assert_eq!(coloured.len(), 1, "{stdout}");
    assert!(coloured[0].starts_with(&format!("\x1b[1;32m{RECOMMENDATION}")));
    assert!(coloured[0].ends_with("\x1b[0m"));
    assert_eq!(
        stdout.replace("\x1b[1;32m", "").replace("\x1b[0m", ""),
        text(&plain.stdout)
    );
    let bad = spotsim(
        &["--color=always", "simulate", "/nonexistent/scenario.toml"],
        &[],
    );
    assert!(text(&bad.stderr).starts_with("\x1b[1;31mError:\x1b[0m "));

    // Machine formats are never coloured.
    let json = spotsim(
        &[&PLAN[..], &["--color", "always", "--format", "json"]].concat(),
        &[],
    );
    assert!(!text(&json.stdout).contains(ESC));

    let invalid = spotsim(&[&PLAN[..], &["--color", "sometimes"]].concat(), &[]);
    assert_eq!(invalid.status.code(), Some(2));
    assert!(
        !text(&invalid.stderr).contains(ESC),
        "a pipe: clap's error is plain too"
    );
}

/// Runs spotsim on a pseudo-terminal (util-linux `script`), returning what the terminal showed.
fn on_terminal(args: &[&str], env: &[(&str, &str)]) -> Option<String> {
    let script = tool("/usr/bin/script", "bsdutils")?;
    let line = std::iter::once(SPOTSIM)
        .chain(args.iter().copied())
        .map(|w| format!("'{w}'"))
        .collect::<Vec<_>>()
        .join(" ");
    let mut command = Command::new(script);
    command
        .args(["--quiet", "--return", "--command", &line, "/dev/null"])
        .env_remove("NO_COLOR")
        .env("TERM", "xterm");
    for (key, value) in env {
        command.env(key, value);
    }
    let output = command.output().unwrap();
    Some(text(&output.stdout))
}

#[test]
fn a_terminal_gets_colour_unless_no_color_term_dumb_or_never() {
    let Some(shown) = on_terminal(&PLAN, &[]) else {
        return;
    };
    let coloured = coloured_lines(&shown);
    assert_eq!(coloured.len(), 1, "{shown}");
    assert!(coloured[0].contains(RECOMMENDATION));
    for env in [&[("NO_COLOR", "1")][..], &[("TERM", "dumb")][..]] {
        let shown = on_terminal(&PLAN, env).unwrap();
        assert!(shown.contains(RECOMMENDATION), "{shown}");
        assert!(!shown.contains(ESC), "{env:?}: {shown}");
    }
    let never = on_terminal(&[&PLAN[..], &["--color", "never"]].concat(), &[]).unwrap();
    assert!(never.contains(RECOMMENDATION) && !never.contains(ESC));
    // clap's own help follows the flag too.
    let help = on_terminal(&["--color", "never", "plan", "--help"], &[]).unwrap();
    assert!(help.contains("--target") && !help.contains(ESC), "{help}");
    let error = on_terminal(&["simulate", "/nonexistent/scenario.toml"], &[]).unwrap();
    assert!(error.starts_with("\x1b[1;31mError:\x1b[0m "), "{error}");
}
