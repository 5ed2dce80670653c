//! The floor plan, checked: every file in `src/` imports only from its own layer or below
//! (README, "How it is built"), no two top-level modules import each other through any chain,
//! and no file is longer than 700 lines.
//!
//! Imports are read from the source text: every `crate::name` path outside comments, and the
//! first name of every path in a `crate::{…}` group. A top-level module missing from the table
//! fails the test, so a new module must be given its layer here and in README.

use crate::common::root;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Layers, bottom to top. The same table is in README's "How it is built".
const LAYERS: &[(&str, &[&str])] = &[
    (
        "foundation",
        &[
            "error",
            "units",
            "random",
            "stats",
            "sagemaker",
            "files",
            "data",
        ],
    ),
    ("models", &["market", "policy", "tick"]),
    ("scenario", &["scenario"]),
    ("simulation", &["engine"]),
    ("runs", &["montecarlo", "fit", "backtest"]),
    ("planning", &["plan", "bench"]),
    ("report", &["report"]),
    ("cli", &["cli"]),
];

/// The most lines a file in `src/` may have.
const MAX_LINES: usize = 700;

fn layer_of(module: &str) -> Option<usize> {
    LAYERS
        .iter()
        .position(|(_, modules)| modules.contains(&module))
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The top-level module a file of `src/` belongs to (`None` for lib.rs and main.rs).
fn module_of(src: &Path, file: &Path) -> Option<String> {
    let relative = file.strip_prefix(src).unwrap();
    let first = relative.components().next()?.as_os_str().to_str()?;
    let name = first.strip_suffix(".rs").unwrap_or(first);
    (!matches!(name, "lib" | "main")).then(|| name.to_string())
}

fn is_ident(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// The top-level modules named by `crate::` paths in `text` (comments excluded).
fn crate_imports(text: &str) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    for line in text.lines() {
        let code = match line.find("//") {
            Some(i) => &line[..i],
            None => line,
        };
        let mut rest = code;
        while let Some(i) = rest.find("crate::") {
            // `spotsim_crate::` or `my_crate::` is not the crate root.
            if rest[..i].chars().next_back().is_some_and(is_ident) {
                rest = &rest[i + 7..];
                continue;
            }
            rest = &rest[i + 7..];
            if let Some(group) = rest.strip_prefix('{') {
                let end = group.find('}').unwrap_or(group.len());
                for path in group[..end].split(',') {
                    let name: String = path.trim().chars().take_while(|&c| is_ident(c)).collect();
                    if !name.is_empty() {
                        found.insert(name);
                    }
                }
            } else {
                let name: String = rest.chars().take_while(|&c| is_ident(c)).collect();
                if !name.is_empty() {
                    found.insert(name);
                }
            }
        }
    }
    found
}

/// Module → the other top-level modules it imports, and the files that do so.
fn import_graph() -> BTreeMap<String, BTreeMap<String, Vec<String>>> {
    let src = root().join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.sort();
    let mut graph: BTreeMap<String, BTreeMap<String, Vec<String>>> = BTreeMap::new();
    for file in &files {
        let Some(module) = module_of(&src, file) else {
            continue;
        };
        let text = std::fs::read_to_string(file).unwrap();
        let shown = file.strip_prefix(root()).unwrap().display().to_string();
        let edges = graph.entry(module.clone()).or_default();
        for target in crate_imports(&text) {
            if target != module {
                edges.entry(target).or_default().push(shown.clone());
            }
        }
    }
    graph
}

#[test]
fn the_import_reader_sees_paths_and_groups_but_not_comments() {
    let text = "use crate::engine::Engine;\nuse crate::{market::Market, stats};\n\
                // crate::cli is only mentioned\nlet x = crate::plan::run();\n\
                let y = my_crate::report::x; /// [`crate::bench`]";
    let found: Vec<String> = crate_imports(text).into_iter().collect();
    assert_eq!(found, ["engine", "market", "plan", "stats"]);
}

#[test]
fn every_module_has_a_layer_and_imports_only_from_its_layer_or_below() {
    let graph = import_graph();
    let mut problems = Vec::new();
    for (module, edges) in &graph {
        let Some(from) = layer_of(module) else {
            problems.push(format!("src/{module} has no layer in the table"));
            continue;
        };
        for (target, files) in edges {
            match layer_of(target) {
                None => problems.push(format!("{module} imports {target}, which has no layer")),
                Some(to) if to > from => problems.push(format!(
                    "{module} ({}) imports {target} ({}), a higher layer, in {}",
                    LAYERS[from].0,
                    LAYERS[to].0,
                    files.join(", ")
                )),
                Some(_) => {}
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn no_two_top_level_modules_import_each_other() {
    let graph = import_graph();
    let reaches = |from: &str, to: &str| {
        let mut seen = BTreeSet::new();
        let mut stack = vec![from.to_string()];
        while let Some(module) = stack.pop() {
            for next in graph.get(&module).into_iter().flat_map(|e| e.keys()) {
                if next == to {
                    return true;
                }
                if seen.insert(next.clone()) {
                    stack.push(next.clone());
                }
            }
        }
        false
    };
    let mut circles = Vec::new();
    for (module, edges) in &graph {
        for target in edges.keys() {
            if reaches(target, module) {
                circles.push(format!("{module} → {target} → … → {module}"));
            }
        }
    }
    assert!(circles.is_empty(), "{}", circles.join("\n"));
}

#[test]
fn no_file_in_src_is_longer_than_700_lines() {
    let mut files = Vec::new();
    rust_files(&root().join("src"), &mut files);
    let long: Vec<String> = files
        .iter()
        .filter_map(|file| {
            let lines = std::fs::read_to_string(file).unwrap().lines().count();
            (lines > MAX_LINES).then(|| format!("{} ({lines} lines)", file.display()))
        })
        .collect();
    assert!(
        long.is_empty(),
        "over {MAX_LINES} lines: {}",
        long.join(", ")
    );
}
