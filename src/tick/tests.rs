use super::*;

/// The spec's hours in seconds, as the reference converts them (`h·3600`).
fn h(hours: f64) -> f64 {
    hours * 3600.0
}

const ONE_PER_HOUR: SpotPrice = SpotPrice::Constant(1.0);

fn input(preempted: &[bool]) -> TickInput<'_> {
    TickInput {
        preempted,
        gap_seconds: 600.0,
        spot_price: &ONE_PER_HOUR,
        on_demand_price: 3.0,
        compute_seconds: h(0.1),
        deadline_seconds: h(2.0),
        overhead_seconds: h(0.1),
        start_seconds: h(0.0),
        window_seconds: None,
    }
}

#[test]
fn start_index_uses_ceil() {
    let trace = vec![false; 20_000];
    let mut i = input(&trace);
    i.gap_seconds = 195.0;
    // 5·R_h recomputed in f64: 5529.999999999999 ticks, ceil gives 5530 (spec §2.4).
    i.start_seconds = h(5.0 * 59.90833333333333);
    assert_eq!(Prepared::new(&i).unwrap().start_index, 5530);
    i.start_seconds = h(299.5416666666667);
    assert_eq!(Prepared::new(&i).unwrap().start_index, 5530);
}

#[test]
fn avail_honours_window_and_trace_end() {
    let trace = [false, true, false, false];
    let mut i = input(&trace);
    i.start_seconds = h(1.0 / 6.0); // start_index 1
    let p = Prepared::new(&i).unwrap();
    assert_eq!(p.start_index, 1);
    assert_eq!(p.avail(0), Ok(false));
    assert_eq!(p.avail(1), Ok(true));
    assert_eq!(p.avail(3), Ok(false)); // row N
    assert!(matches!(
        p.avail(4),
        Err(TickError::PastTrace { row: 5, .. })
    ));

    i.window_seconds = Some(h(2.0 / 6.0)); // window_max 2
    let p = Prepared::new(&i).unwrap();
    assert_eq!(p.avail(1), Ok(true));
    assert_eq!(p.avail(2), Ok(false));
    assert!(matches!(p.avail(3), Err(TickError::PastWindow { .. })));
}

#[test]
fn observable_rows_answer_as_avail_does() {
    let trace = [false, true, false, false, true];
    let mut i = input(&trace);
    // More work than the deadline allows: `Prepared::new` then skips the trace-length check,
    // so that starts at and past the trace's end can be looked at too.
    i.compute_seconds = h(3.0);
    for (start_ticks, window_ticks, expected_len) in [
        (1, None, 4),
        (1, Some(2), 2),
        (1, Some(9), 4),
        (5, None, 0),
        (7, Some(2), 0),
    ] {
        i.start_seconds = start_ticks as f64 * 600.0;
        i.window_seconds = window_ticks.map(|w: usize| w as f64 * 600.0);
        let p = Prepared::new(&i).unwrap();
        let rows = p.observable_rows();
        assert_eq!(
            rows.len(),
            expected_len,
            "start {start_ticks}, window {window_ticks:?}"
        );
        for (t, &preempted) in rows.iter().enumerate() {
            assert_eq!(p.avail(t), Ok(!preempted));
        }
    }
}

#[test]
fn price_row_is_one_after_the_interval() {
    let trace = [false; 4];
    let prices = SpotPrice::per_row(vec![1.0, 2.0, 3.0, 4.0], 600.0);
    let mut i = input(&trace);
    i.spot_price = &prices;
    i.start_seconds = h(1.0 / 6.0);
    let p = Prepared::new(&i).unwrap();
    assert_eq!(p.spot_price_at(0), Ok(3.0));
    assert_eq!(p.spot_price_at(1), Ok(4.0));
    assert!(matches!(
        p.spot_price_at(2),
        Err(TickError::PriceIndexOutOfRange { row: 4, .. })
    ));
}

#[test]
fn instance_spelling() {
    assert_eq!(Instance::Idle.to_string(), "NONE");
    assert_eq!(Instance::Spot.as_str(), "SPOT");
    assert_eq!(Instance::OnDemand.as_str(), "OD");
}

#[test]
fn an_invalid_per_tick_price_anywhere_in_the_series_is_rejected() {
    let trace = [false; 4];
    // The bad price lies past every row the window reads: the whole series is checked, once,
    // when it is built.
    for bad in [f64::NAN, -0.5, f64::INFINITY] {
        let prices = SpotPrice::per_row(vec![1.0, 2.0, 3.0, 4.0, 5.0, bad, 7.0], 600.0);
        let mut i = input(&trace);
        i.spot_price = &prices;
        match Prepared::new(&i) {
            Err(TickError::InvalidInput(message)) => {
                assert!(message.contains("per-tick spot prices"), "{message}");
                assert!(message.contains(&bad.to_string()), "{message}");
            }
            other => panic!("price {bad}: expected InvalidInput, got {other:?}"),
        }
    }
    let good = SpotPrice::per_row(vec![0.0, 2.0, 3.0, 4.0, 5.0], 600.0);
    let mut i = input(&trace);
    i.spot_price = &good;
    assert!(Prepared::new(&i).is_ok());
}

#[test]
fn a_reused_result_holds_exactly_the_latest_run() {
    use policies::UniformProgress;
    // Spot available except in a few rows; two different windows of it.
    let trace: Vec<bool> = (0..200)
        .map(|i| i % 7 == 3 || (40..55).contains(&i))
        .collect();
    let mut long = input(&trace);
    long.compute_seconds = h(5.0);
    long.deadline_seconds = h(8.0);
    let mut short = input(&trace);
    short.start_seconds = h(2.0);
    short.compute_seconds = h(1.0);
    short.window_seconds = Some(h(2.0));
    let mut infeasible = input(&trace);
    infeasible.compute_seconds = h(2.0);

    let mut reused = TickResult::default();
    for window in [&long, &short, &long, &infeasible, &short] {
        let fresh = run_to_deadline(window, &mut UniformProgress, false).unwrap();
        run_to_deadline_into(window, &mut UniformProgress, false, &mut reused).unwrap();
        assert_eq!(reused, fresh);
        // Through the policy's own entry point too.
        UniformProgress.run_window(window, &mut reused).unwrap();
        assert_eq!(reused, fresh);
    }
    assert!(reused.hist.len() > 3);
    run_to_deadline_into(&infeasible, &mut UniformProgress, false, &mut reused).unwrap();
    assert!(reused.infeasible && reused.hist.is_empty() && reused.tick_costs.is_empty());
}
