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

/// The manifest's cases, the distinct inputs they run, and the other files of the folder.
fn corpus_counts() -> (usize, usize, Vec<String>) {
    let folder = root().join("tests/corpus");
    let manifest = std::fs::read_to_string(folder.join("EXPECTATIONS.txt")).expect("manifest");
    let inputs: Vec<&str> = manifest
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| l.split(" | ").next().unwrap_or_default())
        .collect();
    let mut distinct = inputs.clone();
    distinct.sort_unstable();
    distinct.dedup();
    let mut others: Vec<String> = std::fs::read_dir(&folder)
        .expect("the corpus folder")
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name != "EXPECTATIONS.txt" && !distinct.contains(&name.as_str()))
        .collect();
    others.sort_unstable();
    (inputs.len(), distinct.len(), others)
}

#[test]
fn readme_counts_the_corpus_as_it_is() {
    let (cases, inputs, others) = corpus_counts();
    // Every other file is there because an input names it.
    let folder = root().join("tests/corpus");
    let texts: Vec<String> = std::fs::read_dir(&folder)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .map(|p| String::from_utf8_lossy(&std::fs::read(p).unwrap()).into_owned())
        .collect();
    for name in &others {
        assert!(
            texts.iter().any(|t| t.contains(name.as_str())),
            "tests/corpus/{name} is neither a case nor named by one"
        );
    }
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let words = readme.split_whitespace().collect::<Vec<_>>().join(" ");
    for figure in [
        format!("holds {inputs} malformed inputs"),
        format!("checked in {cases} cases"),
        format!("and {} files that those inputs name", others.len()),
    ] {
        assert!(words.contains(&figure), "README should say \"{figure}\"");
    }
}
