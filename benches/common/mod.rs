//! Shared by the criterion benches: read back what criterion measured in this run, so a bench
//! can print ratios and rates against a baseline measured in the same process.

use std::path::Path;

/// Mean time per iteration (ns) of the finished benchmark `group/bench`, from criterion's
/// estimates of this run.
pub fn mean_nanoseconds(group: &str, bench: &str) -> Option<f64> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("target/criterion")
        .join(group)
        .join(bench)
        .join("new/estimates.json");
    let text = std::fs::read_to_string(path).ok()?;
    let value: serde_json::Value = serde_json::from_str(&text).ok()?;
    value["mean"]["point_estimate"].as_f64()
}
