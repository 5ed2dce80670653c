//! Where almost no job completes, its cost per completed job (mean cost ÷ P(Completed)) rests
//! on a handful of completed trials and mostly prices stopped jobs: a number such as "$412 per
//! completed job" would be read as a price when it is noise on top of money spent for
//! nothing. One rule for every plan table (MaxWait, Options, checkpoint interval) and the
//! cost chart: when the lower 95 % Wilson bound of P(Completed) is below
//! [`RARE_COMPLETION_LOWER_BOUND`], tables print "—" for `$/completed` (and the true saving
//! derived from it) with a footnote saying how many times the on-demand cost spot costs there,
//! and the chart clips the point. JSON and CSV keep the exact numbers.
//!
//! The bound is on P(Completed) even with a deadline: the cost per completed job divides by
//! P(Completed), so that is the probability whose few successes make it unreliable.

/// Below this lower 95 % bound of P(Completed) the cost per completed job is not shown.
pub const RARE_COMPLETION_LOWER_BOUND: f64 = 0.05;

/// Whether a row whose P(Completed) has the 95 % interval `completed_ci95` completes too
/// rarely for its cost per completed job to be shown.
pub fn too_rare(completed_ci95: [f64; 2]) -> bool {
    completed_ci95[0] < RARE_COMPLETION_LOWER_BOUND
}

/// What a table cell derived from the cost per completed job shows: `shown` unless the row
/// completes too rarely, then "—".
pub fn or_dash(completed_ci95: [f64; 2], shown: String) -> String {
    if too_rare(completed_ci95) {
        "—".to_string()
    } else {
        shown
    }
}

/// The footnote under a table, if some of its `rows` (the 95 % interval of P(Completed) and
/// the cost per completed job in USD of each row the table shows) complete too rarely: how
/// many (`where_` words their count, e.g. "at 3 MaxWait value(s)"), which columns are hidden
/// (`hidden`, e.g. "$/completed is"), the least multiple of `on_demand_usd` spot costs per
/// completed job there, and which files keep the numbers (`kept_in`).
pub fn footnote(
    on_demand_usd: f64,
    rows: impl IntoIterator<Item = ([f64; 2], f64)>,
    where_: impl Fn(usize) -> String,
    hidden: &str,
    kept_in: &str,
) -> Option<String> {
    let rare: Vec<f64> = rows
        .into_iter()
        .filter(|(ci95, _)| too_rare(*ci95))
        .map(|(_, per_completed_usd)| per_completed_usd)
        .collect();
    if rare.is_empty() {
        return None;
    }
    let least = rare
        .iter()
        .map(|usd| usd / on_demand_usd)
        .filter(|ratio| ratio.is_finite())
        .min_by(f64::total_cmp);
    let what = match least {
        Some(ratio) => format!("spot costs {ratio:.1}× on-demand or more per completed job there"),
        None => "no trial completed there".to_string(),
    };
    Some(format!(
        "—: the lower 95 % bound of P(Completed) is below {RARE_COMPLETION_LOWER_BOUND} {}, \
         so {hidden} not shown; {what} ({kept_in} the numbers).",
        where_(rare.len()),
    ))
}
