//! Embeds the git commit the binary was built from (`SPOTSIM_GIT_COMMIT`), for the provenance
//! line of reports. A build outside a git checkout (a source tarball, a crate download) says
//! "unknown" instead of failing.

use std::process::Command;

fn git(args: &[&str]) -> Option<String> {
    let output = Command::new("git").args(args).output().ok()?;
    output
        .status
        .success()
        .then(|| String::from_utf8_lossy(&output.stdout).trim().to_string())
}

fn main() {
    let commit = git(&["rev-parse", "--short=12", "HEAD"]).filter(|c| !c.is_empty());
    let described = commit.unwrap_or_else(|| "unknown".to_string());
    println!("cargo:rustc-env=SPOTSIM_GIT_COMMIT={described}");
    // Rebuild when HEAD moves: the HEAD file of this checkout (a worktree has its own) and the
    // ref it points to.
    if let Some(git_dir) = git(&["rev-parse", "--git-dir"]) {
        println!("cargo:rerun-if-changed={git_dir}/HEAD");
        if let Some(reference) = git(&["symbolic-ref", "-q", "HEAD"])
            && let Some(common) = git(&["rev-parse", "--git-common-dir"])
        {
            println!("cargo:rerun-if-changed={common}/{reference}");
        }
    }
    println!("cargo:rerun-if-changed=build.rs");
}
