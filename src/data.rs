//! Where shipped data files are found: the Spot Instance Advisor feed, traces and price
//! files that scenarios name.
//!
//! spotsim ships without data; it reads the shared data folder (`../shared/data` beside a
//! checkout, described in its README) at run time, so no path may be fixed when the binary is
//! built: an installed binary, a CI clone and a developer's checkout all find the same files.
//!
//! A data file named by a scenario (a relative path) is looked up, in this order:
//! 1. relative to the scenario file's folder (what the scenario says);
//! 2. under the folder named by `SPOTSIM_DATA` (or its older spelling `SPOTSIM_SHARED_DATA`);
//! 3. under `../shared/data` seen from the current directory (a checkout's neighbour);
//! 4. under `../shared/data` beside the checkout the running executable was built in (the
//!    first ancestor folder of the executable holding a `Cargo.toml`).
//!
//! In steps 2–4 a path that spells out `…/shared/data/` is taken from there on
//! (`../../shared/data/traces/x.csv` → `traces/x.csv`), so the shipped scenarios work wherever
//! the data folder is mounted. An absolute path is used as given. When nothing is found, the
//! error lists every place looked at, in order.

use std::path::{Path, PathBuf};

/// The environment variable naming the shared data folder.
pub const DATA_ENV: &str = "SPOTSIM_DATA";
/// The older spelling of [`DATA_ENV`], still honoured after it.
pub const LEGACY_DATA_ENV: &str = "SPOTSIM_SHARED_DATA";

/// The lookup order, in words, for error messages and `--help`.
pub const LOOKUP_ORDER: &str = "the scenario's folder, then $SPOTSIM_DATA, then ../shared/data from the current directory, then ../shared/data beside the checkout of the spotsim executable";

/// A candidate data folder and where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    /// How the folder was found (`$SPOTSIM_DATA`, `./../shared/data`, …).
    pub origin: String,
    /// The folder.
    pub folder: PathBuf,
}

/// The candidate shared data folders, in lookup order (steps 2–4 of the module doc), whether
/// or not they exist.
pub fn candidates() -> Vec<Candidate> {
    let mut found = Vec::new();
    for variable in [DATA_ENV, LEGACY_DATA_ENV] {
        if let Some(dir) = std::env::var_os(variable).filter(|v| !v.is_empty()) {
            found.push(Candidate {
                origin: format!("${variable}"),
                folder: PathBuf::from(dir),
            });
        }
    }
    found.push(Candidate {
        origin: "the current directory's ../shared/data".into(),
        folder: PathBuf::from("../shared/data"),
    });
    if let Some(checkout) = executable_checkout() {
        found.push(Candidate {
            origin: "../shared/data beside the executable's checkout".into(),
            folder: checkout.join("../shared/data"),
        });
    }
    found
}

/// The first ancestor folder of the running executable that holds a `Cargo.toml` (the
/// checkout it was built in: `…/checkout/target/release/spotsim`).
fn executable_checkout() -> Option<PathBuf> {
    let executable = std::env::current_exe().ok()?;
    executable
        .ancestors()
        .skip(1)
        .find(|folder| folder.join("Cargo.toml").is_file())
        .map(Path::to_path_buf)
}

/// The shared data folder: the first candidate that exists, else the first candidate (so that
/// an error names where it looked first).
pub fn shared_data_dir() -> PathBuf {
    let all = candidates();
    all.iter()
        .find(|c| c.folder.is_dir())
        .or(all.first())
        .map(|c| c.folder.clone())
        .unwrap_or_else(|| PathBuf::from("../shared/data"))
}

/// The part of `given` below its last `shared/data/` component, or all of it.
fn inside_data_folder(given: &Path) -> PathBuf {
    let parts: Vec<_> = given.components().collect();
    let at = parts
        .windows(2)
        .rposition(|w| w[0].as_os_str() == "shared" && w[1].as_os_str() == "data");
    match at {
        Some(i) => parts[i + 2..].iter().collect(),
        None => given.to_path_buf(),
    }
}

/// A data file that could not be found, with every place looked at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotFound {
    /// The places looked at, in order, each with how it was found.
    pub tried: Vec<(String, PathBuf)>,
}

impl NotFound {
    /// "looked in A (the scenario's folder), B ($SPOTSIM_DATA), …".
    pub fn describe(&self) -> String {
        let places: Vec<String> = self
            .tried
            .iter()
            .map(|(origin, path)| format!("{} ({origin})", path.display()))
            .collect();
        format!(
            "not found; looked in {} — set {DATA_ENV} to the shared data folder or give a path that exists",
            places.join(", ")
        )
    }
}

/// Finds the data file `given` (as a scenario wrote it) for a scenario in `base_dir`, in the
/// lookup order of the module doc.
pub fn resolve(base_dir: &Path, given: &str) -> Result<PathBuf, NotFound> {
    let given_path = Path::new(given);
    if given_path.is_absolute() {
        return if given_path.exists() {
            Ok(given_path.to_path_buf())
        } else {
            Err(NotFound {
                tried: vec![("as given".into(), given_path.to_path_buf())],
            })
        };
    }
    let beside = base_dir.join(given_path);
    if beside.exists() {
        return Ok(beside);
    }
    let mut tried = vec![("the scenario's folder".to_string(), beside)];
    let inside = inside_data_folder(given_path);
    for candidate in candidates() {
        let path = candidate.folder.join(&inside);
        if path.exists() {
            return Ok(path);
        }
        tried.push((candidate.origin, path));
    }
    Err(NotFound { tried })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_through_shared_data_keep_their_inner_part() {
        assert_eq!(
            inside_data_folder(Path::new("../../shared/data/traces/x/us-west-2a.csv")),
            PathBuf::from("traces/x/us-west-2a.csv")
        );
        assert_eq!(
            inside_data_folder(Path::new("traces/y.json")),
            PathBuf::from("traces/y.json")
        );
        // A folder merely named "data" is not the shared data folder.
        assert_eq!(
            inside_data_folder(Path::new("my/data/t.csv")),
            PathBuf::from("my/data/t.csv")
        );
    }

    #[test]
    fn a_file_beside_the_scenario_wins_and_a_missing_one_lists_every_place() {
        let dir = std::env::temp_dir().join(format!("spotsim-data-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("trace.csv"), "x").unwrap();
        assert_eq!(resolve(&dir, "trace.csv"), Ok(dir.join("trace.csv")));
        let missing = resolve(&dir, "../../shared/data/nowhere/none.csv").unwrap_err();
        assert_eq!(missing.tried[0].0, "the scenario's folder");
        assert!(missing.tried.len() >= 2, "{missing:?}");
        assert!(
            missing.tried[1..]
                .iter()
                .all(|(_, p)| p.ends_with("nowhere/none.csv")),
            "{missing:?}"
        );
        assert!(missing.describe().contains("SPOTSIM_DATA"));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
