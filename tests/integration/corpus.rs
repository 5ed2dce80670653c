//! The corpus of malformed inputs (`tests/corpus/`, one file per failure mode, listed in
//! `EXPECTATIONS.txt`): each exits with status 2, prints one short line naming the file and
//! the location (line or key) with the expected words — and without the words it must not
//! echo (a secret in a file named as a trace) — and never panics.

use crate::common::root;
use assert_cmd::cargo::cargo_bin_cmd;

#[test]
fn every_malformed_input_exits_2_with_a_located_one_line_error() {
    let folder = root().join("tests/corpus");
    let manifest = std::fs::read_to_string(folder.join("EXPECTATIONS.txt")).expect("manifest");
    let mut checked = 0;
    for line in manifest
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
    {
        let fields: Vec<&str> = line.split(" | ").collect();
        let [file, command, expected, ref forbidden @ ..] = fields[..] else {
            panic!("bad manifest line: {line}");
        };
        let path = folder.join(file);
        let output = cargo_bin_cmd!("spotsim")
            .arg(command)
            .arg(&path)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{file}: {stderr}");
        assert!(
            !stderr.contains("panicked") && !stderr.contains("RUST_BACKTRACE"),
            "{file}: {stderr}"
        );
        let message = stderr.trim();
        assert_eq!(
            message.lines().count(),
            1,
            "{file}: one line, got: {message}"
        );
        assert!(
            message.contains(expected),
            "{file}: expected '{expected}' in: {message}"
        );
        for word in forbidden {
            let word = word.strip_prefix('!').expect("extra fields are !words");
            assert!(
                !message.contains(word),
                "{file}: echoes '{word}': {message}"
            );
        }
        // Never a pasted 100 KB value: input is quoted as short excerpts.
        assert!(
            message.len() < 1500,
            "{file}: a message of {} bytes",
            message.len()
        );
        // The location: the file named (as given or as opened by a scenario) with a line, or a key.
        let named = message.contains("tests/corpus/") || message.contains("command line");
        assert!(named, "{file}: the message names no file: {message}");
        let shown = message.strip_prefix("Error: ").unwrap_or(message);
        let file_and_line = shown.split(": ").next().unwrap_or("");
        let has_line = file_and_line
            .rsplit_once(':')
            .is_some_and(|(_, line)| !line.is_empty() && line.bytes().all(|b| b.is_ascii_digit()));
        let located = has_line
            || message.contains(".toml:")
            || message.contains(".csv:")
            || message.contains(".json:")
            || message.contains("] ")
            || message.contains("data[")
            || message.contains("key");
        assert!(
            located,
            "{file}: the message gives no line or key: {message}"
        );
        checked += 1;
    }
    assert!(checked >= 110, "the corpus has {checked} cases");
}
