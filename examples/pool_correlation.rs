//! The common share ρ of spot interruptions in the shared 32-instance p3.2xlarge pool
//! (`traces/parcae-p3-pool-events/p3trace.csv`), matched to gangs of 2, 4, 8 and 16
//! (method in `spotsim::fit::correlation`): losses as recorded (one-minute resolution) and
//! with drops within 3 minutes joined, each ρ with its delta-method standard error and, as a
//! check, the bootstrap standard error and bias over 2,000 resamples of the losses (fixed
//! seed).
//!
//! `cargo run --release --example pool_correlation`

use spotsim::fit::correlation::{PoolLoss, gang_correlation, pool_losses};
use spotsim::market::distribution::shared_data_dir;
use spotsim::market::trace_data::TraceData;
use spotsim::random::{Stream, stream_rng};

const RESAMPLES: u64 = 2000;

fn main() {
    let path = shared_data_dir().join("traces/parcae-p3-pool-events/p3trace.csv");
    let data = TraceData::load(&path, None, 2.0).unwrap_or_else(|e| panic!("{e}"));
    println!("| losses joined within | losses (instances) | N = 2 | N = 4 | N = 8 | N = 16 |");
    println!("|---|---:|---:|---:|---:|---:|");
    for (label, window) in [("— (as recorded, 1 min)", 0.0), ("3 min", 180.0)] {
        let losses = pool_losses(&data.times, &data.values, window);
        let reclaimed: u32 = losses.iter().map(|l| l.lost).sum();
        let mut cells = Vec::new();
        for n in [2, 4, 8, 16] {
            let c = gang_correlation(&losses, n).expect("losses with enough alive");
            let (boot_se, boot_bias) = bootstrap(&losses, n, c.rho);
            cells.push(format!(
                "ρ = {:.2} ± {:.2} (N_eff {:.1}; bootstrap ± {:.2}, bias {:+.3})",
                c.rho, c.rho_se, c.effective_gang_size, boot_se, boot_bias
            ));
        }
        println!(
            "| {label} | {} ({reclaimed}) | {} |",
            losses.len(),
            cells.join(" | ")
        );
    }
}

/// Bootstrap standard error and bias of ρ for gangs of `n`: resamples of the losses with
/// replacement, drawn from spotsim's own seeded streams.
fn bootstrap(losses: &[PoolLoss], n: u32, rho: f64) -> (f64, f64) {
    use rand::Rng;
    let estimates: Vec<f64> = (0..RESAMPLES)
        .filter_map(|r| {
            let mut rng = stream_rng(2026, r, Stream::Policy);
            let sample: Vec<PoolLoss> = (0..losses.len())
                .map(|_| losses[(rng.next_u64() % losses.len() as u64) as usize])
                .collect();
            gang_correlation(&sample, n).map(|c| c.rho)
        })
        .collect();
    let k = estimates.len() as f64;
    let mean = estimates.iter().sum::<f64>() / k;
    let sd = (estimates.iter().map(|e| (e - mean).powi(2)).sum::<f64>() / (k - 1.0)).sqrt();
    (sd, mean - rho)
}
