//! The Can't Be Late comparison on the shared traces: mean cost and billed on-demand / spot
//! hours of greedy, Uniform Progress, the omniscient lower bound and on-demand over random
//! windows of each p3.2xlarge zone, with the paper's Table 3 set-up (C = 48 h, R = 60 h,
//! d = 0.2 h). R is taken as the last whole tick of the traces' 195 s rows within 60 h:
//! 1,107 ticks = 215,865 s (59.96 h); the tick clock only accepts deadlines it can observe.
//! Every policy sees the same windows (the same seed).
//!
//! `cargo run --release --example cant_be_late_table [WINDOWS]` (default 300).

use spotsim::{Engine, Scenario, Simulator};
use std::path::Path;

use spotsim::market::distribution::AWS_P3_ZONES as ZONES;
const POLICIES: [&str; 4] = ["greedy", "uniform-progress", "omniscient", "on-demand"];

fn main() {
    let windows: u64 = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(300);
    let scenarios = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    println!(
        "| zone | {} |",
        POLICIES
            .map(|p| format!("{p}: $ (OD h / spot h)"))
            .join(" | ")
    );
    println!("|---|{}", "---:|".repeat(POLICIES.len()));
    let mut totals = [(0.0, 0.0, 0.0); POLICIES.len()];
    for zone in ZONES {
        let text = std::fs::read_to_string(scenarios.join(format!("tick-v100-{zone}.toml")))
            .expect("scenario");
        let mut cells = Vec::new();
        for (i, policy) in POLICIES.iter().enumerate() {
            let variant = text
                .replace("max_runtime = 215670", "max_runtime = 215865")
                .replace("max_wait = 215670", "max_wait = 215865")
                .replace("training = 143780", "training = \"48h\"")
                .replace("deadline = 215670", "deadline = 215865")
                .replace(
                    "name = \"uniform-progress\"",
                    &format!("name = \"{policy}\""),
                );
            let scenario =
                Scenario::from_toml_in(&variant, zone, zone, &scenarios).expect("valid variant");
            let engine = Engine::new(&scenario);
            let (mut cost, mut od_hours, mut spot_hours) = (0.0, 0.0, 0.0);
            for trial in 0..windows {
                let outcome = engine.run(trial);
                cost += outcome.cost_usd;
                let od = outcome.on_demand_cost_usd / scenario.pricing.on_demand_per_hour;
                od_hours += od;
                spot_hours += outcome.training_time_seconds / 3600.0 - od;
            }
            let n = windows as f64;
            let (c, o, s) = (cost / n, od_hours / n, spot_hours / n);
            totals[i].0 += c / ZONES.len() as f64;
            totals[i].1 += o / ZONES.len() as f64;
            totals[i].2 += s / ZONES.len() as f64;
            cells.push(format!("{c:.2} ({o:.1} / {s:.1})"));
        }
        println!("| {zone} | {} |", cells.join(" | "));
    }
    let cells: Vec<String> = totals
        .iter()
        .map(|(c, o, s)| format!("**{c:.2}** ({o:.1} / {s:.1})"))
        .collect();
    println!("| mean of zones | {} |", cells.join(" | "));
}
