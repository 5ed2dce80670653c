//! Unit tests of the omniscient search's pieces (the golden windows and the brute-force
//! comparison are integration tests).

use super::*;

#[test]
fn launch_profile_matches_the_spec() {
    // 720 s on 195 s ticks: 0, 0, 0, 60 (spec §5 notes).
    assert_eq!(launch_profile(720.0, 195.0), (4, 60.0));
    // 720 s on 600 s ticks: 0, 480 (spec §13).
    assert_eq!(launch_profile(720.0, 600.0), (2, 480.0));
    assert_eq!(launch_profile(0.0, 600.0), (1, 600.0));
    // An exact multiple warms up on the tick that consumes the last of it.
    assert_eq!(launch_profile(1200.0, 600.0), (2, 0.0));
}

/// The beam keeps fewer states but sums the costs of those it keeps as the full search does,
/// so its best is the cost of a real schedule: never below the optimum. The search bounded by
/// it then finds exactly what an unbounded search finds: cost, completion, state and loss.
#[test]
fn the_beam_bounds_the_optimum_from_above_and_the_search_under_it_is_exact() {
    // A made-up market from a fixed generator: spot lost and back in runs (a two-state
    // chain that switches with probability 0.04 per row), prices 0.8–1.2 USD/h.
    let mut seed = 0x9e37_79b9_7f4a_7c15_u64;
    let mut uniform = move || {
        seed = seed
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (seed >> 11) as f64 / (1u64 << 53) as f64
    };
    let mut lost = false;
    let preempted: Vec<bool> = (0..3000)
        .map(|_| {
            if uniform() < 0.04 {
                lost = !lost;
            }
            lost
        })
        .collect();
    let prices = (0..3000).map(|_| 0.8 + 0.4 * uniform()).collect();
    let spot = crate::market::price::SpotPrice::per_row(prices, 195.0);
    let mut found = 0;
    for window in 0..12 {
        let input = TickInput {
            preempted: &preempted,
            gap_seconds: 195.0,
            spot_price: &spot,
            on_demand_price: 3.06,
            compute_seconds: 20.0 * 3600.0,
            deadline_seconds: 30.0 * 3600.0,
            overhead_seconds: 720.0,
            start_seconds: f64::from(window) * 7.0 * 3600.0,
            window_seconds: None,
        };
        let prepared = Prepared::new(&input).unwrap();
        let problem = Problem::new(&prepared).unwrap();
        let bounds = Lagrangian::new(&problem);
        let root = bounds.walk(0, IDLE, 0).bound(problem.c_need);
        let mut history = History::default();
        let unbounded = f64::INFINITY;
        let exact = problem
            .search::<false>(&bounds, unbounded, unbounded, &mut history)
            .unwrap();
        let Some((ceiling, ..)) =
            problem.search::<false>(&bounds, unbounded, BEAM * root, &mut history)
        else {
            continue;
        };
        found += 1;
        assert!(
            root <= exact.0 + bounds.slack,
            "window {window}: the lower bound {root} exceeds the optimum {}",
            exact.0
        );
        assert!(
            ceiling >= exact.0,
            "window {window}: {ceiling} < {}",
            exact.0
        );
        let under = problem.search::<false>(&bounds, ceiling, unbounded, &mut history);
        assert_eq!(under, Some(exact), "window {window}");
    }
    // Where it finds none the bound falls back to the guesses from the root; it must find
    // some for this test to test anything (8 of these 12).
    assert!(
        found >= 6,
        "the beam found a schedule on {found} windows of 12"
    );
}

#[test]
fn common_grid_is_the_gcd() {
    assert_eq!(common_grid(195.0, 720.0).unwrap(), (13, 48, 15.0));
    assert_eq!(common_grid(600.0, 0.0).unwrap(), (1, 0, 600.0));
    let (g, l, u) = common_grid(0.5, 0.2).unwrap();
    assert_eq!((g, l), (5, 2));
    assert!((u - 0.1).abs() < 1e-12);
    assert!(matches!(
        common_grid(195.0, std::f64::consts::PI),
        Err(TickError::NoCommonGrid { .. })
    ));
}

/// The price grid of the lower bound rises from zero to twice on-demand, and stays short for
/// any prices: none, free, dearer than on-demand, or spread over every scale.
#[test]
fn the_price_grid_is_increasing_and_bounded_for_any_prices() {
    let od = 1.0;
    let cases: [Vec<Option<f64>>; 6] = [
        vec![Some(0.3), Some(0.35), None],
        vec![None, None],
        vec![Some(0.0), Some(0.0)],
        vec![Some(5.0)],
        (1..2000).map(|i| Some(1e-6 * 1.01_f64.powi(i))).collect(),
        vec![Some(f64::MIN_POSITIVE), Some(1e300)],
    ];
    for spot in &cases {
        let grid = bound::price_multiples(spot, od);
        assert_eq!(grid.first(), Some(&0.0), "{spot:?}");
        assert_eq!(grid.last(), Some(&2.0), "{spot:?}");
        assert!(grid.windows(2).all(|w| w[0] < w[1]), "{spot:?}: {grid:?}");
        assert!(grid.len() <= 1000, "{spot:?}: {} prices", grid.len());
    }
    // A free on-demand price makes every ratio infinite or undefined.
    let grid = bound::price_multiples(&[Some(0.3), Some(0.0)], 0.0);
    assert!(
        grid.len() <= 100 && grid.windows(2).all(|w| w[0] < w[1]),
        "{grid:?}"
    );
    // The fine steps cover the spot prices of the window and on-demand, 0.6 % apart.
    let grid = bound::price_multiples(&[Some(0.3), Some(0.33)], 1.0);
    for level in [0.3, 0.33, 0.363, 1.0, 1.1] {
        let near = grid.iter().any(|m| (m / level - 1.0).abs() <= 0.006);
        assert!(near, "no price within 0.6 % of {level}: {grid:?}");
    }
}
