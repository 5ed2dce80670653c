//! Tick clock ("Can't Be Late" reference simulator): the spec's test vectors, invariants on
//! many real windows, the omniscient lower bound, and the error cases.

use crate::common::shared_data;
use spotsim::market::price::SpotPrice;
use spotsim::tick::policies::{
    Greedy, OnDemandOnly, RcThreshold, Scripted, TickPolicy, UniformProgress,
};
use spotsim::tick::{Instance, TickError, TickInput, TickResult, omniscient, simulate};
use std::collections::HashMap;
use std::sync::OnceLock;
use std::time::Instant;

// ---------------------------------------------------------------------------------------------
// Data (read at run time from the shared folder; never copied into the repository)
// ---------------------------------------------------------------------------------------------

/// The spec's hours in seconds, as the reference converts them (`h·3600`).
fn h(hours: f64) -> f64 {
    hours * 3600.0
}
use spotsim::market::distribution::AWS_P3_ZONES as ZONES;

/// SkyNomad V100 parameters (spec §2.1, case a).
const V100_C_H: f64 = 39.93888888888889;
const V100_R_H: f64 = 59.90833333333333;
const V100_D_H: f64 = 0.2;
const V100_OD: f64 = 3.06;
/// Literal `k·R_h` start hours of the results CSV (spec §2.4).
const V100_STARTS: [f64; 5] = [
    179.725,
    299.5416666666667,
    419.35833333333335,
    479.26666666666665,
    838.7166666666667,
];

/// One zone of the 2023-02-15 p3.2xlarge data, in the simulator's convention.
struct Zone {
    /// `true` = spot not available (availability == 0).
    preempted: Vec<bool>,
    /// Integer seconds between the first two timestamps.
    gap: f64,
    /// Per-tick spot prices, aligned with the rows.
    prices: SpotPrice,
}

/// Seconds since 1970-01-01 of `YYYY-MM-DD HH:MM:SS` (UTC).
fn parse_timestamp(s: &str) -> i64 {
    let num = |x: &str| -> i64 {
        x.parse()
            .unwrap_or_else(|e| panic!("bad timestamp {s:?}: {e}"))
    };
    let (date, time) = s
        .trim()
        .split_once(' ')
        .unwrap_or_else(|| panic!("bad timestamp {s:?}"));
    let d: Vec<i64> = date.split('-').map(num).collect();
    let hms: Vec<i64> = time.split(':').map(num).collect();
    assert!(d.len() == 3 && hms.len() == 3, "bad timestamp {s:?}");
    // Days from civil (proleptic Gregorian).
    let (y, m, day) = (if d[1] <= 2 { d[0] - 1 } else { d[0] }, d[1], d[2]);
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    days * 86_400 + hms[0] * 3600 + hms[1] * 60 + hms[2]
}

fn load_zones() -> HashMap<String, Zone> {
    let dir = shared_data().join("traces/aws-p3.2xlarge-2023-02-15");
    let prices_path = dir.join("spot-prices-per-tick.json");
    let file = std::fs::File::open(&prices_path)
        .unwrap_or_else(|e| panic!("cannot open {}: {e}", prices_path.display()));
    let mut prices: HashMap<String, Vec<f64>> =
        serde_json::from_reader(std::io::BufReader::new(file))
            .unwrap_or_else(|e| panic!("cannot parse {}: {e}", prices_path.display()));
    ZONES
        .iter()
        .map(|zone| {
            let path = dir.join(format!("{zone}.csv"));
            let mut reader = csv::Reader::from_path(&path)
                .unwrap_or_else(|e| panic!("cannot open {}: {e}", path.display()));
            let headers = reader.headers().expect("csv header").clone();
            assert_eq!(
                headers.iter().collect::<Vec<_>>(),
                ["date", "availability"],
                "{}",
                path.display()
            );
            let mut times = Vec::new();
            let mut preempted = Vec::new();
            for (i, row) in reader.records().enumerate() {
                let row = row.unwrap_or_else(|e| panic!("{}: row {i}: {e}", path.display()));
                if times.len() < 2 {
                    times.push(parse_timestamp(&row[0]));
                }
                let available: f64 = row[1]
                    .trim()
                    .parse()
                    .unwrap_or_else(|e| panic!("{}: row {i}: {e}", path.display()));
                preempted.push(available == 0.0);
            }
            let gap = (times[1] - times[0]) as f64;
            let key = format!("{zone}_v100_1");
            let prices = prices
                .remove(&key)
                .unwrap_or_else(|| panic!("{} has no key {key}", prices_path.display()));
            assert_eq!(prices.len(), preempted.len(), "{zone}: prices not aligned");
            (
                zone.to_string(),
                Zone {
                    preempted,
                    gap,
                    prices: SpotPrice::per_row(prices, gap),
                },
            )
        })
        .collect()
}

fn zones() -> &'static HashMap<String, Zone> {
    static ZONES_DATA: OnceLock<HashMap<String, Zone>> = OnceLock::new();
    ZONES_DATA.get_or_init(load_zones)
}

fn zone(name: &str) -> &'static Zone {
    &zones()[name]
}

/// A V100 window of `zone` starting at `start_h` (window = deadline).
fn v100_input(z: &Zone, start_h: f64) -> TickInput<'_> {
    TickInput {
        preempted: &z.preempted,
        gap_seconds: z.gap,
        spot_price: &z.prices,
        on_demand_price: V100_OD,
        compute_seconds: h(V100_C_H),
        deadline_seconds: h(V100_R_H),
        overhead_seconds: h(V100_D_H),
        start_seconds: h(start_h),
        window_seconds: Some(h(V100_R_H)),
    }
}

/// Deterministic pseudo-random numbers (SplitMix64).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// Random V100 start hours inside the trace (the window and its +1 price row fit).
fn random_starts(z: &Zone, n: usize, seed: u64) -> Vec<f64> {
    let mut rng = Rng(seed);
    let max_start = (z.preempted.len() - 1106 - 2) as u64;
    (0..n)
        .map(|_| rng.below(max_start) as f64 * z.gap / 3600.0)
        .collect()
}

// ---------------------------------------------------------------------------------------------
// §13 toy vector
// ---------------------------------------------------------------------------------------------

fn toy_trace() -> (Vec<bool>, SpotPrice) {
    let preempted = "0 0 1 1 1 0 0 1 0 0 0 0 1 1 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0"
        .split(' ')
        .map(|s| s == "1")
        .collect();
    let prices = (0..30).map(|i| 1.00 + 0.01 * f64::from(i)).collect();
    (preempted, SpotPrice::per_row(prices, 600.0))
}

fn toy_input<'a>(preempted: &'a [bool], prices: &'a SpotPrice) -> TickInput<'a> {
    TickInput {
        preempted,
        gap_seconds: 600.0,
        spot_price: prices,
        on_demand_price: 3.00,
        compute_seconds: h(2.0),
        deadline_seconds: h(3.0),
        overhead_seconds: h(0.2),
        start_seconds: h(0.5),
        window_seconds: Some(h(3.0)),
    }
}

#[test]
fn toy_vector_uniform_progress_table() {
    use Instance::{Idle as N, OnDemand as O, Spot as S};
    let (preempted, prices) = toy_trace();
    let input = toy_input(&preempted, &prices);
    let r = simulate(&input, &mut UniformProgress, true).unwrap();
    let trace = r.trace.as_ref().expect("trace recorded");
    assert_eq!(r.start_index, 3);
    assert_eq!(r.window_max, Some(18));

    // (t, spot? (available), last, cur, credit, done, behind, rem_time, need1, need2, req, oh after)
    #[allow(clippy::type_complexity)]
    let mut table: Vec<(
        usize,
        bool,
        Instance,
        Instance,
        f64,
        f64,
        f64,
        f64,
        f64,
        f64,
        Instance,
        f64,
    )> = vec![
        (
            0, false, N, N, 0.0, 0.0, 0.0, 10800.0, 8400.0, 9000.0, N, 0.0,
        ),
        (
            1, false, N, N, 0.0, 0.0, -400.0, 10200.0, 8400.0, 9000.0, O, 720.0,
        ),
        (
            2, true, O, O, 0.0, 0.0, -800.0, 9600.0, 8400.0, 9000.0, O, 120.0,
        ),
        (
            3, true, O, O, 480.0, 480.0, -720.0, 9000.0, 7800.0, 8400.0, O, 0.0,
        ),
        (
            4, false, O, O, 600.0, 1080.0, -520.0, 8400.0, 7200.0, 7800.0, O, 0.0,
        ),
    ];
    // t = 5..11: OD, 600 each, done reaching 5280.
    let mut done = 1080.0;
    for t in 5..=11 {
        done += 600.0;
        let row = &trace[t];
        assert_eq!(
            (
                row.last,
                row.cur,
                row.credit,
                row.done_sum,
                row.request,
                row.overhead_left
            ),
            (O, O, 600.0, done, O, 0.0),
            "t = {t}"
        );
        assert_eq!(row.has_spot, !preempted[t + 3], "t = {t}");
    }
    assert_eq!(done, 5280.0);
    table.extend([
        (
            12, true, O, O, 600.0, 5880.0, 1080.0, 3600.0, 2400.0, 3000.0, S, 720.0,
        ),
        (
            13, true, S, S, 0.0, 5880.0, 680.0, 3000.0, 2400.0, 3000.0, S, 120.0,
        ),
        (
            14, true, S, S, 480.0, 6360.0, 760.0, 2400.0, 1800.0, 2400.0, S, 0.0,
        ),
        (
            15, true, S, S, 600.0, 6960.0, 960.0, 1800.0, 1200.0, 1800.0, S, 0.0,
        ),
    ]);
    let (c, rr, d, gap) = (7200.0, 10800.0, 720.0, 600.0);
    for &(t, has_spot, last, cur, credit, done, behind, rem_time, need1, need2, req, oh) in &table {
        let row = &trace[t];
        assert_eq!(row.t, t);
        assert_eq!(row.row, t + 3);
        // The table's "spot?" column is avail(t) (1 = available).
        assert_eq!(row.has_spot, has_spot, "t = {t}");
        assert_eq!((row.last, row.cur), (last, cur), "t = {t}");
        assert_eq!((row.credit, row.done_sum), (credit, done), "t = {t}");
        let elapsed = t as f64 * gap;
        let rem = c - row.done_sum;
        assert_eq!(
            (c - rem) - ((elapsed * c) / rr),
            behind,
            "behind at t = {t}"
        );
        assert_eq!(((rr - elapsed) / gap).floor() * gap, rem_time, "t = {t}");
        assert_eq!(((rem + d) / gap).ceil() * gap, need1, "t = {t}");
        assert_eq!(((rem + 2.0 * d) / gap).ceil() * gap, need2, "t = {t}");
        assert_eq!((row.request, row.overhead_left), (req, oh), "t = {t}");
        assert!(!row.done);
    }
    let last = &trace[16];
    assert_eq!(
        (last.t, last.last, last.credit, last.done_sum),
        (16, S, 240.0, 7200.0)
    );
    assert!(last.done);
    assert_eq!(trace.len(), 17);

    let mut hist = vec![N, N];
    hist.extend([O; 11]);
    hist.extend([S; 4]);
    assert_eq!(r.hist, hist);
    assert_eq!(r.cost, 6.283333333333333);
    assert_eq!(r.ref_ticks, 17);
    assert_eq!(r.t_done, 16);
    assert_eq!(r.completion_seconds, 9600.0);
    assert!(((r.billed_od_seconds / 3600.0) - 11.0 / 6.0).abs() < 1e-12);
    assert!(((r.billed_spot_seconds / 3600.0) - 4.0 / 6.0).abs() < 1e-12);
    assert!(
        ((r.productive_od_seconds / 3600.0) + (r.productive_spot_seconds / 3600.0) - 2.0).abs()
            < 1e-12
    );
    assert!(((r.productive_spot_seconds / 3600.0) - 1320.0 / 3600.0).abs() < 1e-12);
}

#[test]
fn toy_vector_greedy_and_on_demand() {
    let (preempted, prices) = toy_trace();
    let input = toy_input(&preempted, &prices);
    let g = simulate(&input, &mut Greedy, false).unwrap();
    assert!((g.cost - 6.855).abs() < 1e-12, "greedy cost {}", g.cost);
    assert_eq!(g.ref_ticks, 18);
    let od = simulate(&input, &mut OnDemandOnly, false).unwrap();
    assert!((od.cost - 7.00).abs() < 1e-12, "on-demand cost {}", od.cost);
    assert_eq!(od.ref_ticks, 15);
    assert!(g.trace.is_none() && od.trace.is_none());

    // The omniscient schedule is a lower bound here too, and replays to its own cost.
    let best = omniscient(&input, true).unwrap();
    assert!(
        best.cost <= 6.283333333333333 + 1e-12,
        "omniscient {}",
        best.cost
    );
    let replay = simulate(
        &input,
        &mut Scripted {
            schedule: best.schedule.clone().unwrap(),
        },
        false,
    )
    .unwrap();
    assert_eq!(replay.cost, best.cost);
    assert_eq!(replay.t_done, best.t_done);
}

// ---------------------------------------------------------------------------------------------
// V100 vectors
// ---------------------------------------------------------------------------------------------

#[test]
fn v100_uniform_progress_vectors() {
    for (name, start_h, expected) in [
        ("us-west-2a", 179.725, 39.133575),
        ("us-east-1c", 179.725, 127.986186),
        ("us-east-2b", 299.5416666666667, 47.056425),
    ] {
        let z = zone(name);
        assert_eq!(z.gap, 195.0);
        assert_eq!(z.preempted.len(), 20158);
        let r = simulate(&v100_input(z, start_h), &mut UniformProgress, false).unwrap();
        let input = v100_input(z, start_h);
        let greedy = simulate(&input, &mut Greedy, false).unwrap().cost;
        let best = omniscient(&input, false).unwrap().cost;
        eprintln!(
            "UP {name} start {start_h}: ${:.6} (expected {expected}; {:.10}); \
             greedy ${greedy:.6}, omniscient ${best:.6}",
            r.cost, r.cost
        );
        assert!(
            (r.cost - expected).abs() < 1e-3,
            "{name} @ {start_h}: {} vs {expected}",
            r.cost
        );
        assert_eq!(r.window_max, Some(1106));
    }
}

#[test]
fn v100_all_zones_and_starts_run() {
    let expected_index = [3318, 5530, 7742, 8848, 15484];
    for name in ZONES {
        let z = zone(name);
        for (start_h, index) in V100_STARTS.iter().zip(expected_index) {
            let input = v100_input(z, *start_h);
            let policies: [Box<dyn TickPolicy>; 5] = [
                Box::new(UniformProgress),
                Box::new(Greedy),
                Box::new(OnDemandOnly),
                Box::new(RcThreshold {
                    keep_on_demand: false,
                }),
                Box::new(RcThreshold {
                    keep_on_demand: true,
                }),
            ];
            for mut policy in policies {
                let r = simulate(&input, policy.as_mut(), false)
                    .unwrap_or_else(|e| panic!("{name} @ {start_h} {}: {e}", policy.name()));
                assert_eq!(r.start_index, index);
                check_invariants(&input, &r, &format!("{name} @ {start_h} {}", policy.name()));
            }
        }
    }
}

#[test]
fn on_demand_anchor() {
    // §9.4: C = 48 h, d = 0.2 h, gap = 600 s -> 290 ticks, $147.90.
    let preempted = vec![false; 400];
    let input = TickInput {
        preempted: &preempted,
        gap_seconds: 600.0,
        spot_price: &SpotPrice::Constant(0.9731),
        on_demand_price: 3.06,
        compute_seconds: h(48.0),
        deadline_seconds: h(60.0),
        overhead_seconds: h(0.2),
        start_seconds: h(0.0),
        window_seconds: Some(h(60.0)),
    };
    let r = simulate(&input, &mut OnDemandOnly, false).unwrap();
    assert_eq!(
        r.hist.iter().filter(|&&h| h == Instance::OnDemand).count(),
        290
    );
    assert_eq!(r.t_done, 290);
    assert!(((r.billed_od_seconds / 3600.0) - 290.0 / 6.0).abs() < 1e-9);
    assert!((r.cost - 147.90).abs() < 1e-9, "cost {}", r.cost);
}

// ---------------------------------------------------------------------------------------------
// Invariants on many windows
// ---------------------------------------------------------------------------------------------

fn check_invariants(input: &TickInput<'_>, r: &TickResult, what: &str) {
    let c_h = input.compute_seconds / 3600.0;
    let gap_h = input.gap_seconds / 3600.0;
    assert!(
        ((r.productive_od_seconds / 3600.0) + (r.productive_spot_seconds / 3600.0) - c_h).abs()
            < 1e-9,
        "{what}: productive {} + {} != {c_h}",
        (r.productive_od_seconds / 3600.0),
        (r.productive_spot_seconds / 3600.0)
    );
    assert!(
        (r.billed_od_seconds / 3600.0) + 1e-12 >= (r.productive_od_seconds / 3600.0),
        "{what}"
    );
    assert!(
        (r.billed_spot_seconds / 3600.0) + 1e-12 >= (r.productive_spot_seconds / 3600.0),
        "{what}"
    );
    assert!(
        r.completion_seconds <= input.deadline_seconds,
        "{what}: completion {} s",
        r.completion_seconds
    );
    assert_eq!(r.ref_ticks, r.t_done + 1, "{what}");
    assert_eq!(r.hist.len(), r.ref_ticks, "{what}");
    let billed = gap_h * r.hist.iter().filter(|&&h| h != Instance::Idle).count() as f64;
    assert!(
        ((r.billed_od_seconds / 3600.0) + (r.billed_spot_seconds / 3600.0) - billed).abs() < 1e-9,
        "{what}"
    );
}

fn run_all(input: &TickInput<'_>, what: &str) -> Vec<(String, TickResult)> {
    let policies: [Box<dyn TickPolicy>; 5] = [
        Box::new(UniformProgress),
        Box::new(Greedy),
        Box::new(OnDemandOnly),
        Box::new(RcThreshold {
            keep_on_demand: false,
        }),
        Box::new(RcThreshold {
            keep_on_demand: true,
        }),
    ];
    policies
        .into_iter()
        .map(|mut policy| {
            let label = format!("{what} {}", policy.name());
            let r =
                simulate(input, policy.as_mut(), false).unwrap_or_else(|e| panic!("{label}: {e}"));
            check_invariants(input, &r, &label);
            (policy.name().to_string(), r)
        })
        .collect()
}

#[test]
fn invariants_on_random_windows() {
    for (zi, name) in ZONES.iter().enumerate() {
        let z = zone(name);
        for start_h in random_starts(z, 50, 0x5EED + zi as u64) {
            let input = v100_input(z, start_h);
            let what = format!("{name} @ {start_h}");
            for (policy, r) in run_all(&input, &what) {
                if policy == "on-demand" {
                    let c = V100_C_H * 3600.0;
                    let d = V100_D_H * 3600.0;
                    let ticks = ((c + d) / z.gap).ceil();
                    let expected = ticks * V100_OD * z.gap / 3600.0;
                    assert!((r.cost - expected).abs() < 1e-9, "{what}: {}", r.cost);
                    assert_eq!(r.t_done as f64, ticks, "{what}");
                }
            }
        }
    }
}

/// The omniscient cost is a lower bound of every policy, completes by the deadline, and its
/// schedule replays through the simulator to the same cost.
fn check_omniscient_window(input: &TickInput<'_>, what: &str, with_schedule: bool) -> f64 {
    let started = Instant::now();
    let best = omniscient(input, with_schedule).unwrap_or_else(|e| panic!("{what}: {e}"));
    let elapsed = started.elapsed().as_secs_f64();
    assert!(
        best.completion_seconds <= input.deadline_seconds,
        "{what}: omniscient completes at {} s",
        best.completion_seconds
    );
    for (policy, r) in run_all(input, what) {
        assert!(
            best.cost <= r.cost + 1e-9,
            "{what}: omniscient {} > {policy} {}",
            best.cost,
            r.cost
        );
    }
    if let Some(schedule) = best.schedule {
        let replay = simulate(input, &mut Scripted { schedule }, false)
            .unwrap_or_else(|e| panic!("{what}: replay: {e}"));
        check_invariants(input, &replay, &format!("{what} omniscient replay"));
        assert_eq!(replay.cost, best.cost, "{what}: replay cost");
        assert_eq!(replay.t_done, best.t_done, "{what}: replay T_done");
        let plain = omniscient(input, false).unwrap();
        assert!(
            (plain.cost - best.cost).abs() < 1e-9,
            "{what}: tracked vs plain"
        );
    }
    elapsed
}

/// Checks the omniscient schedule on `starts(zone index, zone)` windows of every zone (with
/// the schedule tracked where `tracked(i)`), then prints the timings.
fn sweep_zones(starts: impl Fn(usize, &Zone) -> Vec<f64>, tracked: impl Fn(usize) -> bool) {
    let (mut times, mut tracked_times) = (Vec::new(), Vec::new());
    for (zi, name) in ZONES.iter().enumerate() {
        let z = zone(name);
        for (i, start_h) in starts(zi, z).into_iter().enumerate() {
            let what = format!("{name} @ {start_h}");
            let took = check_omniscient_window(&v100_input(z, start_h), &what, tracked(i));
            if tracked(i) {
                tracked_times.push(took);
            } else {
                times.push(took);
            }
        }
    }
    times.sort_by(f64::total_cmp);
    eprintln!(
        "omniscient ({} profile): {} windows, median {:.4} s, max {:.4} s \
         (with schedule: max {:.4} s)",
        if cfg!(debug_assertions) {
            "debug"
        } else {
            "release"
        },
        times.len(),
        times[times.len() / 2],
        times[times.len() - 1],
        tracked_times.iter().copied().fold(0.0, f64::max)
    );
}

#[test]
fn omniscient_is_a_lower_bound_on_real_windows() {
    sweep_zones(
        |zi, z| {
            let mut starts = random_starts(z, 12, 0x0B5E + zi as u64);
            starts.push(V100_STARTS[zi % V100_STARTS.len()]);
            starts
        },
        |i| i < 2,
    );
}

/// The larger sweep: 50 random windows per zone. `cargo test --release -- --ignored`.
#[test]
#[ignore = "slow in the debug profile; run with --release --ignored"]
fn omniscient_sweep_all_zones() {
    sweep_zones(
        |zi, z| {
            let mut starts = random_starts(z, 50, 0x5EED + zi as u64);
            starts.extend(V100_STARTS);
            starts
        },
        |i| i % 5 == 0,
    );
}

/// Exhaustive search over every schedule of a tiny random trace: the dynamic program finds the
/// true optimum of the tick rules.
#[test]
fn omniscient_matches_exhaustive_search() {
    let mut rng = Rng(42);
    let mut feasible = 0;
    for case in 0..60 {
        let ticks = 9usize;
        let gap = 600.0;
        // Sometimes the trace ends before the deadline (no window): its last rows matter.
        let rows = 8 + rng.below(6) as usize;
        let preempted: Vec<bool> = (0..rows).map(|_| rng.below(3) == 0).collect();
        let prices = SpotPrice::per_row(
            (0..rows)
                .map(|_| 0.5 + rng.below(100) as f64 / 100.0)
                .collect(),
            gap,
        );
        // d from none to over two ticks; C between 1 and 5 ticks of work; R not always a
        // multiple of the tick.
        let d_h = [0.0, 300.0, 720.0, 900.0, 1300.0][rng.below(5) as usize] / 3600.0;
        let c_h = (600.0 + rng.below(5) as f64 * 450.0) / 3600.0;
        let r_h = (ticks as f64 * gap - rng.below(4) as f64 * 100.0) / 3600.0;
        let input = TickInput {
            preempted: &preempted,
            gap_seconds: gap,
            spot_price: &prices,
            on_demand_price: 2.0,
            compute_seconds: h(c_h),
            deadline_seconds: h(r_h),
            overhead_seconds: h(d_h),
            start_seconds: h(if case % 2 == 0 { 0.0 } else { 1.0 / 6.0 }),
            window_seconds: if case % 3 == 0 { None } else { Some(h(r_h)) },
        };
        let what = format!("case {case}: C {c_h} h, d {d_h} h");
        // Brute force: every schedule of the ticks before the deadline.
        let mut brute = f64::INFINITY;
        let mut brute_hist = Vec::new();
        let kinds = [Instance::Idle, Instance::Spot, Instance::OnDemand];
        for code in 0..3usize.pow(ticks as u32) {
            let mut x = code;
            let schedule: Vec<Instance> = (0..ticks)
                .map(|_| {
                    let k = kinds[x % 3];
                    x /= 3;
                    k
                })
                .collect();
            if let Ok(r) = simulate(&input, &mut Scripted { schedule }, false)
                && r.cost < brute
            {
                brute = r.cost;
                brute_hist = r.hist;
            }
        }
        match omniscient(&input, true) {
            Ok(best) => {
                assert!(
                    (best.cost - brute).abs() < 1e-9,
                    "{what}: dp {} {:?} vs brute {brute} {brute_hist:?} {preempted:?} {prices:?}",
                    best.cost,
                    best.schedule
                );
                let replay = simulate(
                    &input,
                    &mut Scripted {
                        schedule: best.schedule.unwrap(),
                    },
                    false,
                )
                .unwrap();
                assert_eq!(replay.cost, best.cost, "{what}");
                feasible += 1;
            }
            Err(TickError::NoFeasibleSchedule | TickError::TraceTooShort { .. }) => {
                assert!(brute.is_infinite(), "{what}")
            }
            Err(e) => panic!("{what}: {e}"),
        }
    }
    assert!(feasible >= 30, "only {feasible} feasible cases");
}

// ---------------------------------------------------------------------------------------------
// Error cases
// ---------------------------------------------------------------------------------------------

#[test]
fn trace_too_short() {
    let z = zone("us-west-2a");
    // Start 30 h before the end of the trace: ceil(C/gap) = 738 ticks > 553 left.
    let start_h = (z.preempted.len() as f64 - 553.0) * z.gap / 3600.0;
    let input = v100_input(z, start_h);
    let err = simulate(&input, &mut UniformProgress, false).unwrap_err();
    assert!(
        matches!(err, TickError::TraceTooShort { needed: 738, available } if available <= 553),
        "{err:?}"
    );
    assert!(err.to_string().contains("trace too short"));
    assert!(matches!(
        omniscient(&input, false),
        Err(TickError::TraceTooShort { .. })
    ));
    // The window caps the available ticks too.
    let preempted = vec![false; 100];
    let input = TickInput {
        preempted: &preempted,
        gap_seconds: 600.0,
        spot_price: &SpotPrice::Constant(1.0),
        on_demand_price: 3.0,
        compute_seconds: h(5.0),
        deadline_seconds: h(20.0),
        overhead_seconds: h(0.0),
        start_seconds: h(0.0),
        window_seconds: Some(h(4.0)),
    };
    assert_eq!(
        simulate(&input, &mut Greedy, false).unwrap_err(),
        TickError::TraceTooShort {
            needed: 30,
            available: 24
        }
    );
}

#[test]
fn infeasible_job() {
    let (preempted, prices) = toy_trace();
    let mut input = toy_input(&preempted, &prices);
    input.compute_seconds = h(2.9); // 2.9 + 0.2 > 3
    for mut policy in [
        Box::new(UniformProgress) as Box<dyn TickPolicy>,
        Box::new(Greedy),
        Box::new(OnDemandOnly),
    ] {
        let r = simulate(&input, policy.as_mut(), false).unwrap();
        assert!(r.infeasible);
        assert_eq!((r.ref_ticks, r.t_done), (0, 0));
        assert!((r.cost - 3.0 * 3.1).abs() < 1e-12, "{}", r.cost);
        assert!(r.hist.is_empty());
    }
    let best = omniscient(&input, true).unwrap();
    assert!(best.infeasible);
    assert!((best.cost - 9.3).abs() < 1e-12);
}

#[test]
fn runtime_errors() {
    let preempted = vec![false; 10];
    let prices = SpotPrice::per_row(vec![1.0; 10], 600.0);
    let base = TickInput {
        preempted: &preempted,
        gap_seconds: 600.0,
        spot_price: &prices,
        on_demand_price: 3.0,
        compute_seconds: h(1.0),
        deadline_seconds: h(1.5),
        overhead_seconds: h(0.0),
        start_seconds: h(0.0),
        window_seconds: None,
    };

    // Idling past the deadline (the safety nets are skipped by a scripted policy).
    let err = simulate(&base, &mut Scripted::default(), false).unwrap_err();
    assert!(
        matches!(err, TickError::DeadlineExceeded { tick: 9, .. }),
        "{err:?}"
    );

    // A spot interval on the last row is billed at row N: past the end of the price series.
    let input = TickInput {
        compute_seconds: h(10.0 * 600.0 / 3600.0),
        deadline_seconds: h(10.0),
        ..base
    };
    let err = simulate(&input, &mut Greedy, false).unwrap_err();
    assert_eq!(
        err,
        TickError::PriceIndexOutOfRange {
            tick: 9,
            row: 10,
            len: 10
        }
    );
    // The omniscient schedule avoids that interval (on-demand there instead).
    let best = omniscient(&input, true).unwrap();
    assert_eq!(best.schedule.as_ref().unwrap()[9], Instance::OnDemand);

    // Observing past the window: the job cannot finish inside a window of ceil(C/gap) ticks.
    let input = TickInput {
        compute_seconds: h(1.0),
        deadline_seconds: h(5.0),
        overhead_seconds: h(0.1),
        window_seconds: Some(h(1.0)),
        ..base
    };
    let err = simulate(&input, &mut OnDemandOnly, false).unwrap_err();
    assert_eq!(
        err,
        TickError::PastWindow {
            tick: 7,
            window_max: 6
        }
    );

    // Invalid parameters.
    let input = TickInput {
        gap_seconds: 0.0,
        ..base
    };
    assert!(matches!(
        simulate(&input, &mut Greedy, false),
        Err(TickError::InvalidInput(_))
    ));
}
