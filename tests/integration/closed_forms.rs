//! Closed forms of checkpoint theory (shared/reference/checkpoint-theory.md) against the
//! Monte Carlo engine on the memoryless (`exponential`) market.
//!
//! # The model the engine implements, in the notation of the reference
//!
//! λ = instance_count / mean_uptime (a gang is held for the minimum of its uptimes), D = mean
//! capacity wait, P = provisioning, d = download, r = restore (only once a durable checkpoint
//! exists), u = upload, W = training, τ = interval, δ = write. Every attempt, the first one
//! included, is: a capacity wait C ~ Exp(D) (no instance, not interruptible), then an uptime
//! U ~ Exp(1/λ) that starts at acquisition and races against everything the attempt still has
//! to do on the instance (provisioning first). Interrupted → a new attempt at once.
//!
//! ## One piece paid on every attempt (reference §1, "R on every attempt")
//!
//! Let Y be what an attempt must run uninterrupted from acquisition (Y = R + L with
//! R = P + d, L = W + u without checkpoints). Attempts are i.i.d.; attempt i succeeds with
//! probability p = e^{−λY}, so the number of attempts N is geometric with E[N] = e^{λY} and
//! the number of interruptions is N − 1: E[interruptions] = e^{λY} − 1. Attempt i lasts
//! C_i + min(U_i, Y), and {N ≥ i} depends only on U_1 … U_{i−1}, so Wald's identity gives
//!
//! ```text
//! E[T] = E[N]·(E[C] + E[min(U, Y)]) = e^{λY}·(D + (1 − e^{−λY})/λ)
//!      = (e^{λY} − 1)/λ + D·e^{λY}.
//! ```
//!
//! (The reference's (e^{λY} − 1)(1/λ + D) charges D only after interruptions; the engine also
//! waits for capacity before the first attempt, hence D·e^{λY}.) The same argument splits
//! E[T] into its parts:
//!
//! ```text
//! capacity waits      E[C_tot] = D·e^{λY}
//! provisioning        E[P_tot] = e^{λY}·E[min(U, P)] = e^{λY}(1 − e^{−λP})/λ
//! held (billed) time  E[H]     = e^{λY}·E[(min(U, Y) − P)⁺] = e^{λY}∫_P^Y e^{−λs} ds
//!                              = (e^{λ(Y−P)} − 1)/λ
//! ```
//!
//! and indeed E[C_tot] + E[P_tot] + E[H] = E[T].
//!
//! ## Periodic checkpoints (reference §2)
//!
//! With durable checkpoints, W splits into k = ⌈W/τ⌉ segments: k − 1 of τ each followed
//! by a write of δ, and a last one of W − (k−1)τ followed by the upload (no write after it).
//! Piece j is the time from checkpoint j − 1 being durable to checkpoint j being durable (the
//! job completing for j = k); it needs X_j = τ + δ (j < k) or X_k = W − (k−1)τ + u of
//! uninterrupted instance time. By memorylessness the uptime left when a piece starts is again
//! Exp(1/λ), so the pieces are independent renewal pieces and E[T] = Σ_j E[piece j]:
//! * piece 1 starts with no checkpoint and pays Y_1 = P + d + X_1 on every attempt (above);
//! * piece j ≥ 2 first runs X_j on the instance it already holds; only if interrupted (prob.
//!   q_j = 1 − e^{−λX_j}, after E[min(U, X_j)] = q_j/λ) does it start the "every attempt"
//!   process with Y'_j = P + d + r + X_j; its capacity waits and provisioning are q_j times
//!   those of that restart process. Hence
//!
//! ```text
//! E[piece j]                  = q_j/λ + q_j·((e^{λY'_j} − 1)/λ + D·e^{λY'_j})
//!                             = (D + 1/λ)·e^{λ(P+d+r)}·(e^{λX_j} − 1)   (reference's standard form)
//! E[interruptions in piece j] = q_j·e^{λY'_j} = e^{λ(P+d+r)}·(e^{λX_j} − 1)
//! ```
//!
//! Without `checkpoint_s3_uri` the writes cost time but are never durable: the whole job is one
//! piece with Y = P + d + W + (k−1)δ + u.
//!
//! Every scenario has MaxRuntime = 28 d and MaxWait = 365 d, hundreds of times the expected
//! wall clock, and every test asserts that every trial completed, so the formulas (which are
//! for an unstopped job) apply unconditionally.

use super::common;
use spotsim::Simulator;
use spotsim::montecarlo::{Aggregate, run_parallel};
use spotsim::stats::Metric;
use spotsim::{Engine, Outcome, Scenario};

/// Spot price per instance-hour in every scenario here.
const SPOT_PER_HOUR: f64 = 1.1475;

/// Parameters of one regime, in seconds.
#[derive(Debug, Clone, Copy)]
struct Regime {
    name: &'static str,
    instance_count: u32,
    training: f64,
    provisioning: f64,
    download: f64,
    upload: f64,
    /// `None` = policy "none".
    interval: Option<f64>,
    write: f64,
    restore: f64,
    /// Whether `checkpoint_s3_uri` is set.
    durable: bool,
    mean_uptime: f64,
    mean_capacity_wait: f64,
}

const BASE: Regime = Regime {
    name: "",
    instance_count: 1,
    training: 3600.0,
    provisioning: 0.0,
    download: 0.0,
    upload: 0.0,
    interval: None,
    write: 0.0,
    restore: 0.0,
    durable: false,
    mean_uptime: 3600.0,
    mean_capacity_wait: 0.0,
};

/// Expected values of one regime, from the closed forms.
#[derive(Debug, Clone, Copy, Default)]
struct Expected {
    wall: f64,
    interruptions: f64,
    capacity_wait: f64,
    provisioning: f64,
}

impl Expected {
    /// Instance-held (billed) time: what is neither waiting for capacity nor provisioning.
    fn held(&self) -> f64 {
        self.wall - self.capacity_wait - self.provisioning
    }

    fn scaled(self, q: f64) -> Self {
        Self {
            wall: q * self.wall,
            interruptions: q * self.interruptions,
            capacity_wait: q * self.capacity_wait,
            provisioning: q * self.provisioning,
        }
    }

    fn plus(self, other: Self) -> Self {
        Self {
            wall: self.wall + other.wall,
            interruptions: self.interruptions + other.interruptions,
            capacity_wait: self.capacity_wait + other.capacity_wait,
            provisioning: self.provisioning + other.provisioning,
        }
    }
}

impl Regime {
    fn lambda(&self) -> f64 {
        f64::from(self.instance_count) / self.mean_uptime
    }

    /// Segments of training: k = ⌈W/τ⌉ when W > τ (the engine's rule), else 1.
    fn segments(&self) -> u32 {
        match self.interval {
            Some(tau) if self.training > tau => (self.training / tau).ceil() as u32,
            _ => 1,
        }
    }

    /// Uninterrupted instance time of each renewal piece after provisioning, download and
    /// restore: X_j = τ + δ for j < k, X_k = W − (k−1)τ + u. Without durable checkpoints the
    /// whole job is one piece, writes included.
    fn pieces(&self) -> Vec<f64> {
        let k = self.segments();
        if k == 1 {
            return vec![self.training + self.upload];
        }
        let tau = self.interval.expect("k > 1 needs an interval");
        if !self.durable {
            return vec![self.training + f64::from(k - 1) * self.write + self.upload];
        }
        let mut pieces = vec![tau + self.write; k as usize - 1];
        pieces.push(self.training - f64::from(k - 1) * tau + self.upload);
        pieces
    }

    /// §1 with every attempt (the first included) paying capacity wait, then `y` seconds of
    /// instance time from acquisition (provisioning first).
    fn every_attempt(&self, y: f64) -> Expected {
        let lambda = self.lambda();
        let attempts = (lambda * y).exp();
        Expected {
            wall: (attempts - 1.0) / lambda + self.mean_capacity_wait * attempts,
            interruptions: attempts - 1.0,
            capacity_wait: self.mean_capacity_wait * attempts,
            provisioning: attempts * (1.0 - (-lambda * self.provisioning).exp()) / lambda,
        }
    }

    /// A piece after a durable checkpoint: `x` on the instance already held; after an
    /// interruption, restarts paying P + d + r on every attempt.
    fn continuation(&self, x: f64) -> Expected {
        let lambda = self.lambda();
        let q = 1.0 - (-lambda * x).exp();
        let restart = self.provisioning + self.download + self.restore;
        let first_try = Expected {
            wall: q / lambda,
            interruptions: q,
            ..Expected::default()
        };
        let piece = first_try.plus(self.every_attempt(restart + x).scaled(q));
        // Cross-check against the standard form (D + 1/λ)e^{λR'}(e^{λx} − 1).
        let standard = (self.mean_capacity_wait + 1.0 / lambda)
            * (lambda * restart).exp()
            * (lambda * x).exp_m1();
        assert!(
            (piece.wall - standard).abs() <= 1e-9 * standard,
            "{}: {} vs {standard}",
            self.name,
            piece.wall
        );
        piece
    }

    /// The closed-form expectations (see the module comment).
    fn expected(&self) -> Expected {
        let pieces = self.pieces();
        let mut total = self.every_attempt(self.provisioning + self.download + pieces[0]);
        for &x in &pieces[1..] {
            total = total.plus(self.continuation(x));
        }
        total
    }

    fn toml(&self, trials: u64, seed: u64) -> String {
        let uri = if self.durable {
            "checkpoint_s3_uri = \"s3://bucket/closed-forms\"\n"
        } else {
            ""
        };
        let policy = match self.interval {
            Some(tau) => format!("policy = \"interval\"\ninterval = {tau:?}\n"),
            None => "policy = \"none\"\n".to_string(),
        };
        format!(
            r#"name = "closed-forms"

[job]
instance_count = {count}
managed_spot = true
max_runtime = "28d"
max_wait = "365d"
{uri}
[workload]
training = {training:?}
provisioning = {provisioning:?}
download = {download:?}
upload = {upload:?}

[checkpoint]
{policy}write = {write:?}
restore = {restore:?}

[market]
model = "exponential"
mean_uptime = {uptime:?}
mean_capacity_wait = {wait:?}

[pricing]
on_demand_per_hour = 3.825
spot_per_hour = {SPOT_PER_HOUR:?}

[simulation]
trials = {trials}
seed = {seed}
"#,
            count = self.instance_count,
            training = self.training,
            provisioning = self.provisioning,
            download = self.download,
            upload = self.upload,
            write = self.write,
            restore = self.restore,
            uptime = self.mean_uptime,
            wait = self.mean_capacity_wait,
        )
    }

    fn scenario(&self, trials: u64, seed: u64) -> Scenario {
        let scenario = common::parse(&self.toml(trials, seed));
        assert_eq!(scenario.job.max_runtime_seconds, 28.0 * 86_400.0);
        assert_eq!(scenario.job.max_wait_seconds, Some(365.0 * 86_400.0));
        scenario
    }

    /// Runs `trials` trials in parallel and asserts that every one of them completed.
    fn simulate(&self, trials: u64, seed: u64) -> Aggregate {
        let engine = Engine::new(&self.scenario(trials, seed));
        let aggregate = run_parallel(&engine, trials, None);
        assert_eq!(aggregate.trials, trials);
        assert_eq!(
            aggregate.count(Outcome::Completed),
            trials,
            "{}: every trial must complete for the closed form to apply",
            self.name
        );
        aggregate
    }
}

/// Asserts |mean − expected| ≤ 4 standard errors (the sample's own), and, when
/// `max_relative` is given, a relative error below it. Returns (mean, stderr).
fn assert_close(
    what: &str,
    metric: &Metric,
    expected: f64,
    max_relative: Option<f64>,
) -> (f64, f64) {
    let summary = metric.summary();
    let (mean, se) = (summary.mean, summary.stderr);
    let z = (mean - expected) / se;
    let relative = (mean - expected).abs() / expected.abs();
    eprintln!(
        "{what}: formula {expected:.4}, simulated {mean:.4} ± {se:.4} (z = {z:+.2}, rel {:.3} %)",
        100.0 * relative
    );
    assert!(se.is_finite() && se > 0.0, "{what}: no spread ({se})");
    assert!(
        z.abs() <= 4.0,
        "{what}: simulated mean {mean} is {z:.2} standard errors ({se}) from the closed form {expected}"
    );
    if let Some(limit) = max_relative {
        assert!(
            relative < limit,
            "{what}: simulated mean {mean} is {:.3} % from the closed form {expected}",
            100.0 * relative
        );
    }
    (mean, se)
}

/// Wall clock within 4 SE and 1 %.
fn assert_wall_clock(regime: &Regime, aggregate: &Aggregate, expected: f64) {
    let what = format!("{} wall clock", regime.name);
    assert_close(&what, &aggregate.wall_clock_seconds, expected, Some(0.01));
}

// ---------------------------------------------------------------------------------------------
// 1. No checkpoints: E[T] = (e^{λY} − 1)/λ + D·e^{λY}, Y = P + d + W + u.
// ---------------------------------------------------------------------------------------------

/// Six regimes, λY = 0.1, 1 and 2.5, each bare (R = D = 0) and with R = P + d, upload and D
/// (policy "none", no `checkpoint_s3_uri`).
///
/// | regime                | W      | P+d+u       | M     | D     | λY  | E[T] (s)     |
/// |-----------------------|--------|-------------|-------|-------|-----|--------------|
/// | rare, bare            | 1 h    | 0           | 10 h  | 0     | 0.1 | 3,786.2      |
/// | rare, R + D           | 54 m   | 3+1+2 m     | 10 h  | 10 m  | 0.1 | 4,449.3      |
/// | frequent, bare        | 2 h    | 0           | 2 h   | 0     | 1   | 12,371.6     |
/// | frequent, R + D       | 1h 45m | 5+5+5 m     | 2 h   | 20 m  | 1   | 15,633.6     |
/// | very frequent, bare   | 5 h    | 0           | 2 h   | 0     | 2.5 | 80,514.0     |
/// | very frequent, R + D  | 4h 30m | 10+10+10 m  | 2 h   | 30 m  | 2.5 | 102,442.4    |
///
/// E.g. rare bare: 36,000·(e^{0.1} − 1) = 3,786.2 s; very frequent with R + D:
/// 7,200·(e^{2.5} − 1) + 1,800·e^{2.5} = 80,514.0 + 21,928.5 = 102,442.4 s.
#[test]
fn no_checkpoints_wall_clock_matches_restart_from_scratch() {
    let rare = Regime {
        name: "rare, bare",
        training: 3600.0,
        mean_uptime: 36_000.0,
        ..BASE
    };
    let rare_rd = Regime {
        name: "rare, R + D",
        training: 3240.0,
        provisioning: 180.0,
        download: 60.0,
        upload: 120.0,
        mean_capacity_wait: 600.0,
        ..rare
    };
    let frequent = Regime {
        name: "frequent, bare",
        training: 7200.0,
        mean_uptime: 7200.0,
        ..BASE
    };
    let frequent_rd = Regime {
        name: "frequent, R + D",
        training: 6300.0,
        provisioning: 300.0,
        download: 300.0,
        upload: 300.0,
        mean_capacity_wait: 1200.0,
        ..frequent
    };
    let very = Regime {
        name: "very frequent, bare",
        training: 18_000.0,
        mean_uptime: 7200.0,
        ..BASE
    };
    let very_rd = Regime {
        name: "very frequent, R + D",
        training: 16_200.0,
        provisioning: 600.0,
        download: 600.0,
        upload: 600.0,
        mean_capacity_wait: 1800.0,
        ..very
    };
    let cases = [
        (rare, 100_000, 101, 0.1),
        (rare_rd, 100_000, 102, 0.1),
        (frequent, 200_000, 103, 1.0),
        (frequent_rd, 200_000, 104, 1.0),
        (very, 400_000, 105, 2.5),
        (very_rd, 400_000, 106, 2.5),
    ];
    for (regime, trials, seed, lambda_y) in cases {
        let y = regime.provisioning + regime.download + regime.training + regime.upload;
        assert!(
            (regime.lambda() * y - lambda_y).abs() < 1e-12,
            "{}",
            regime.name
        );
        let lambda = regime.lambda();
        let d = regime.mean_capacity_wait;
        let formula = (lambda * y).exp_m1() / lambda + d * (lambda * y).exp();
        let expected = regime.expected();
        assert!((expected.wall - formula).abs() <= 1e-9 * formula);
        let aggregate = regime.simulate(trials, seed);
        assert_wall_clock(&regime, &aggregate, formula);
    }
}

// ---------------------------------------------------------------------------------------------
// 2. No checkpoints: E[interruptions] = e^{λY} − 1 (independent of D).
// ---------------------------------------------------------------------------------------------

/// | regime                         | Y = P + d + W + u       | M     | D    | e^{λY} − 1 |
/// |--------------------------------|-------------------------|-------|------|------------|
/// | rare, R                        | 5 + 5 + 20 + 0 m        | 10 h  | 0    | 0.05127    |
/// | long capacity waits            | 0 + 0 + 1 h + 0         | 1 h   | 1 h  | 1.71828    |
/// | long provisioning (interrupts) | 30 + 0 + 30 + 0 m       | 1 h   | 5 m  | 1.71828    |
/// | very frequent, R + D           | 10 + 5 + 2h 40m + 5 m   | 1 h   | 10 m | 19.0855    |
#[test]
fn no_checkpoints_interruption_count_matches() {
    let rare = Regime {
        name: "rare, R",
        training: 1200.0,
        provisioning: 300.0,
        download: 300.0,
        mean_uptime: 36_000.0,
        ..BASE
    };
    let waits = Regime {
        name: "long capacity waits",
        training: 3600.0,
        mean_uptime: 3600.0,
        mean_capacity_wait: 3600.0,
        ..BASE
    };
    let provisioning = Regime {
        name: "long provisioning",
        training: 1800.0,
        provisioning: 1800.0,
        mean_uptime: 3600.0,
        mean_capacity_wait: 300.0,
        ..BASE
    };
    let very = Regime {
        name: "very frequent, R + D",
        training: 9600.0,
        provisioning: 600.0,
        download: 300.0,
        upload: 300.0,
        mean_uptime: 3600.0,
        mean_capacity_wait: 600.0,
        ..BASE
    };
    let cases = [
        (rare, 100_000, 201),
        (waits, 100_000, 202),
        (provisioning, 100_000, 203),
        (very, 200_000, 204),
    ];
    for (regime, trials, seed) in cases {
        let y = regime.provisioning + regime.download + regime.training + regime.upload;
        let formula = (regime.lambda() * y).exp_m1();
        assert!((regime.expected().interruptions - formula).abs() <= 1e-12 * formula);
        let aggregate = regime.simulate(trials, seed);
        let what = format!("{} interruptions", regime.name);
        assert_close(&what, &aggregate.interruptions, formula, None);
        assert_wall_clock(&regime, &aggregate, regime.expected().wall);
    }
}

// ---------------------------------------------------------------------------------------------
// 3. Periodic checkpoints: E[T] = Σ pieces (module comment).
// ---------------------------------------------------------------------------------------------

/// | regime               | W    | τ    | δ  | r  | P/d/u    | M    | D    | k  | E[T] (s)  |
/// |----------------------|------|------|----|----|----------|------|------|----|-----------|
/// | τ ≪ M                | 10 h | 10 m | 0  | 0  | 0        | 4 h  | 0    | 60 | 36,760.5  |
/// | τ ≈ M, δ > 0         | 8 h  | 2 h  | 2m | 0  | 0        | 2 h  | 0    | 4  | 50,473.3  |
/// | default-like         | 20 h | 30 m | 1m | 2m | 5/3/2 m  | 4 h  | 20 m | 40 | 91,485.0  |
/// | frequent + waits     | 6 h  | 1 h  | 5m | 5m | 5/5/5 m  | 1 h  | 30 m | 6  | 83,008.2  |
/// | uneven last segment  | 5 h  | 2 h  | 3m | 1m | 2/1/1 m  | 3 h  | 5 m  | 3  | 27,258.6  |
/// | not durable (no S3)  | 2 h  | 30 m | 2m | —  | 2/1/1 m  | 4 h  | 5 m  | 1  | 10,867.4  |
///
/// (k = pieces; "not durable": writes are taken but `checkpoint_s3_uri` is unset, so the job
/// is one piece of Y = P + d + W + 3δ + u = 2 h 10 m: E[T] = 14,400(e^{7800/14400} − 1) +
/// 300·e^{7800/14400} = 10,351.7 + 515.7 s.)
#[test]
fn periodic_checkpoints_wall_clock_is_the_sum_of_renewal_pieces() {
    let fine = Regime {
        name: "tau << M",
        training: 36_000.0,
        interval: Some(600.0),
        durable: true,
        mean_uptime: 14_400.0,
        ..BASE
    };
    let coarse = Regime {
        name: "tau ~ M, delta > 0",
        training: 28_800.0,
        interval: Some(7200.0),
        durable: true,
        write: 120.0,
        mean_uptime: 7200.0,
        ..BASE
    };
    let default_like = Regime {
        name: "default-like",
        training: 72_000.0,
        provisioning: 300.0,
        download: 180.0,
        upload: 120.0,
        interval: Some(1800.0),
        durable: true,
        write: 60.0,
        restore: 120.0,
        mean_uptime: 14_400.0,
        mean_capacity_wait: 1200.0,
        ..BASE
    };
    let frequent = Regime {
        name: "frequent + capacity waits",
        training: 21_600.0,
        provisioning: 300.0,
        download: 300.0,
        upload: 300.0,
        interval: Some(3600.0),
        durable: true,
        write: 300.0,
        restore: 300.0,
        mean_uptime: 3600.0,
        mean_capacity_wait: 1800.0,
        ..BASE
    };
    let uneven = Regime {
        name: "uneven last segment",
        training: 18_000.0,
        provisioning: 120.0,
        download: 60.0,
        upload: 60.0,
        interval: Some(7200.0),
        durable: true,
        write: 180.0,
        restore: 60.0,
        mean_uptime: 10_800.0,
        mean_capacity_wait: 300.0,
        ..BASE
    };
    let not_durable = Regime {
        name: "not durable",
        training: 7200.0,
        provisioning: 120.0,
        download: 60.0,
        upload: 60.0,
        interval: Some(1800.0),
        write: 120.0,
        restore: 600.0,
        durable: false,
        mean_uptime: 14_400.0,
        mean_capacity_wait: 300.0,
        ..BASE
    };
    assert_eq!(fine.pieces().len(), 60);
    assert_eq!(uneven.pieces(), vec![7380.0, 7380.0, 3660.0]);
    assert_eq!(not_durable.pieces(), vec![7200.0 + 3.0 * 120.0 + 60.0]);
    let cases = [
        (fine, 100_000, 301),
        (coarse, 200_000, 302),
        (default_like, 100_000, 303),
        (frequent, 100_000, 304),
        (uneven, 100_000, 305),
        (not_durable, 100_000, 306),
    ];
    for (regime, trials, seed) in cases {
        let expected = regime.expected();
        let aggregate = regime.simulate(trials, seed);
        assert_wall_clock(&regime, &aggregate, expected.wall);
        let what = format!("{} interruptions", regime.name);
        assert_close(
            &what,
            &aggregate.interruptions,
            expected.interruptions,
            None,
        );
    }
}

/// Daly's complete model T_w(τ) = M e^{R/M}(e^{(τ+δ)/M} − 1)·W/τ assumes every segment is
/// followed by a write, the first attempt pays no R, no capacity waits and no upload. With
/// D = 0, u = 0, r = 0 (so the restart cost is R = P + d in every piece) and W = kτ, the
/// engine's sum of pieces differs from it by exactly two terms:
///   E[T] = T_w + M(e^{R/M} − 1)              (piece 1 pays R on every attempt, also the first)
///              − M e^{(R+τ)/M}(e^{δ/M} − 1)  (no write after the last segment).
/// M = 2 h, W = 10 h, τ = 1 h (k = 10):
/// * δ = 0, R = 0: E[T] = T_w = 7200·(e^{0.5} − 1)·10 = 46,707.9 s;
/// * δ = 5 m, R = 0: T_w = 51,758.6, correction −505.1 → 51,253.5 s;
/// * δ = 5 m, R = P = 10 m: T_w = 56,256.6, +625.7, −549.0 → 56,333.4 s.
#[test]
fn daly_complete_model_holds_up_to_the_engine_s_two_exact_differences() {
    let m = 7200.0;
    let (w, tau) = (36_000.0, 3600.0);
    let base = Regime {
        training: w,
        interval: Some(tau),
        durable: true,
        mean_uptime: m,
        ..BASE
    };
    let cases = [
        (
            Regime {
                name: "Daly, delta = 0, R = 0",
                ..base
            },
            100_000,
            401,
        ),
        (
            Regime {
                name: "Daly, delta = 5 m, R = 0",
                write: 300.0,
                ..base
            },
            100_000,
            402,
        ),
        (
            Regime {
                name: "Daly, delta = 5 m, R = 10 m",
                write: 300.0,
                provisioning: 600.0,
                ..base
            },
            100_000,
            403,
        ),
    ];
    for (regime, trials, seed) in cases {
        let (r, delta) = (regime.provisioning + regime.download, regime.write);
        let t_w = m * (r / m).exp() * ((tau + delta) / m).exp_m1() * w / tau;
        let exact = t_w + m * (r / m).exp_m1() - m * ((r + tau) / m).exp() * (delta / m).exp_m1();
        if r == 0.0 && delta == 0.0 {
            assert!((exact - t_w).abs() <= 1e-9 * t_w);
        }
        let sum_of_pieces = regime.expected().wall;
        assert!(
            (sum_of_pieces - exact).abs() <= 1e-9 * exact,
            "{}: sum of pieces {sum_of_pieces} vs Daly-derived {exact}",
            regime.name
        );
        let aggregate = regime.simulate(trials, seed);
        assert_wall_clock(&regime, &aggregate, exact);
    }
}

// ---------------------------------------------------------------------------------------------
// 4. Gangs: instance_count = 4 with mean_uptime 4·M is one instance with M.
// ---------------------------------------------------------------------------------------------

/// The gang is held for the minimum of 4 uptimes Exp(4M), which is Exp(M): λ = 4/(4M) = 1/M.
/// * no checkpoints, M = 2 h (mean_uptime 8 h), W = 1h 45m, P = d = u = 5 m, D = 20 m:
///   λY = 1, E[T] = 7200(e − 1) + 1200e = 15,633.6 s, E[interruptions] = e − 1 = 1.718;
/// * checkpoints τ = 30 m, δ = 1 m, r = 2 m, W = 6 h, P/d/u = 5/3/2 m, M = 1 h (mean_uptime
///   4 h), D = 10 m: sum of 12 pieces = 41,503.9 s, E[interruptions] = 9.739.
#[test]
fn gang_of_four_behaves_like_one_instance_with_a_quarter_of_the_uptime() {
    let plain = Regime {
        name: "gang of 4, no checkpoints",
        instance_count: 4,
        training: 6300.0,
        provisioning: 300.0,
        download: 300.0,
        upload: 300.0,
        mean_uptime: 4.0 * 7200.0,
        mean_capacity_wait: 1200.0,
        ..BASE
    };
    let checkpointed = Regime {
        name: "gang of 4, checkpoints",
        instance_count: 4,
        training: 21_600.0,
        provisioning: 300.0,
        download: 180.0,
        upload: 120.0,
        interval: Some(1800.0),
        durable: true,
        write: 60.0,
        restore: 120.0,
        mean_uptime: 4.0 * 3600.0,
        mean_capacity_wait: 600.0,
    };
    for (gang, trials, seed) in [(plain, 200_000, 501), (checkpointed, 100_000, 502)] {
        let single = Regime {
            instance_count: 1,
            mean_uptime: gang.mean_uptime / 4.0,
            ..gang
        };
        assert_eq!(gang.lambda(), single.lambda());
        let expected = single.expected();
        let aggregate = gang.simulate(trials, seed);
        assert_wall_clock(&gang, &aggregate, expected.wall);
        let what = format!("{} interruptions", gang.name);
        assert_close(
            &what,
            &aggregate.interruptions,
            expected.interruptions,
            None,
        );
        // Four instances are billed: cost = held · price · 4 / 3600 on average too.
        let cost = aggregate.cost_usd.summary().mean;
        let held = aggregate.training_time_seconds.summary().mean;
        assert!((cost - held * SPOT_PER_HOUR * 4.0 / 3600.0).abs() <= 1e-9 * cost);
    }
}

// ---------------------------------------------------------------------------------------------
// 5. Cost conservation and the decomposition of the wall clock.
// ---------------------------------------------------------------------------------------------

/// Per-trial totals of the quantities the decomposition needs.
#[derive(Debug, Default)]
struct Totals {
    wall: Metric,
    held: Metric,
    capacity_wait: Metric,
    provisioning: Metric,
}

impl Totals {
    fn merge(mut self, other: &Totals) -> Self {
        self.wall += &other.wall;
        self.held += &other.held;
        self.capacity_wait += &other.capacity_wait;
        self.provisioning += &other.provisioning;
        self
    }
}

/// Runs every trial (on two threads), checks per trial that it completed, that its cost is
/// exactly held · spot price · instance_count / 3600, and that what is neither capacity wait
/// nor held time is provisioning: between one P (the successful attempt) and P per attempt.
fn per_trial_totals(regime: &Regime, trials: u64, seed: u64) -> Totals {
    let engine = Engine::new(&regime.scenario(trials, seed));
    let count = f64::from(regime.instance_count);
    let p = regime.provisioning;
    let run = |first: u64, end: u64| {
        let mut totals = Totals::default();
        for trial in first..end {
            let t = engine.run(trial);
            assert_eq!(
                t.outcome,
                Outcome::Completed,
                "{} trial {trial}",
                regime.name
            );
            let cost = t.training_time_seconds * SPOT_PER_HOUR * count / 3600.0;
            assert!(
                (t.cost_usd - cost).abs() <= 1e-12 * cost,
                "{} trial {trial}: cost {} but held {} s",
                regime.name,
                t.cost_usd,
                t.training_time_seconds
            );
            let provisioning =
                t.wall_clock_seconds - t.capacity_wait_seconds - t.training_time_seconds;
            let attempts = f64::from(t.interruptions) + 1.0;
            let slack = 1e-9 * t.wall_clock_seconds;
            assert!(
                provisioning >= p - slack && provisioning <= p * attempts + slack,
                "{} trial {trial}: {provisioning} s neither waiting nor held, {attempts} attempts",
                regime.name
            );
            totals.wall.add(t.wall_clock_seconds);
            totals.held.add(t.training_time_seconds);
            totals.capacity_wait.add(t.capacity_wait_seconds);
            totals.provisioning.add(provisioning);
        }
        totals
    };
    let half = trials / 2;
    std::thread::scope(|scope| {
        let second = scope.spawn(|| run(half, trials));
        let first = run(0, half);
        first.merge(&second.join().expect("worker panicked"))
    })
}

/// Cost is conserved trial by trial (cost = TrainingTime · spot price · instances / 3600), so
/// the mean cost is the mean held time times the same factor; and the wall clock splits into
/// capacity waits, provisioning and held time, each matching its closed form.
///
/// * gang of 2, no checkpoints: mean_uptime 4 h (M = 2 h), W = 1h 45m, P = d = u = 5 m,
///   D = 20 m, Y = 2 h, λY = 1:
///   E[T] = 7200(e − 1) + 1200e = 15,633.6 s; E[C] = 1200e = 3,261.9 s;
///   E[prov] = e·7200(1 − e^{−1/24}) = 798.7 s; E[H] = 7200(e^{23/24} − 1) = 11,572.9 s.
/// * 3 instances, checkpoints: mean_uptime 9 h (M = 3 h), W = 8 h, τ = 1 h, δ = 2 m, r = 3 m,
///   P/d/u = 10/5/5 m, D = 15 m: E[T] = 44,672.3 s, E[C] = 4,267.1 s, E[prov] = 2,767.2 s,
///   E[H] = 37,638.1 s (pieces as in the module comment).
#[test]
fn cost_is_conserved_and_held_time_matches_its_closed_form() {
    let plain = Regime {
        name: "cost, gang of 2, no checkpoints",
        instance_count: 2,
        training: 6300.0,
        provisioning: 300.0,
        download: 300.0,
        upload: 300.0,
        mean_uptime: 14_400.0,
        mean_capacity_wait: 1200.0,
        ..BASE
    };
    let checkpointed = Regime {
        name: "cost, 3 instances, checkpoints",
        instance_count: 3,
        training: 28_800.0,
        provisioning: 600.0,
        download: 300.0,
        upload: 300.0,
        interval: Some(3600.0),
        durable: true,
        write: 120.0,
        restore: 180.0,
        mean_uptime: 32_400.0,
        mean_capacity_wait: 900.0,
    };
    // The held-time closed form of the no-checkpoint case, E[H] = (e^{λ(Y−P)} − 1)/λ.
    let lambda = plain.lambda();
    let y = 7200.0;
    let held = (lambda * (y - plain.provisioning)).exp_m1() / lambda;
    assert!((plain.expected().held() - held).abs() <= 1e-9 * held);

    for (regime, trials, seed) in [(plain, 200_000, 601), (checkpointed, 100_000, 602)] {
        let expected = regime.expected();
        let totals = per_trial_totals(&regime, trials, seed);
        let name = regime.name;
        assert_close(
            &format!("{name} wall clock"),
            &totals.wall,
            expected.wall,
            Some(0.01),
        );
        assert_close(
            &format!("{name} held"),
            &totals.held,
            expected.held(),
            Some(0.01),
        );
        assert_close(
            &format!("{name} capacity wait"),
            &totals.capacity_wait,
            expected.capacity_wait,
            None,
        );
        assert_close(
            &format!("{name} provisioning"),
            &totals.provisioning,
            expected.provisioning,
            None,
        );

        // The same through the parallel Monte Carlo aggregate.
        let aggregate = regime.simulate(trials, seed);
        let cost = aggregate.cost_usd.summary().mean;
        let held = aggregate.training_time_seconds.summary().mean;
        let factor = SPOT_PER_HOUR * f64::from(regime.instance_count) / 3600.0;
        assert!(
            (cost - held * factor).abs() <= 1e-9 * cost,
            "{name}: mean cost {cost} vs mean held {held} s"
        );
        assert_eq!(held, totals.held.summary().mean);
        assert_eq!(
            aggregate.wall_clock_seconds.summary().mean,
            totals.wall.summary().mean
        );
    }
}
