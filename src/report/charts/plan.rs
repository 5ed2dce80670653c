//! P(Completed) and cost over MaxWait: the plan's charts.

use super::*;

/// P(Completed) at one MaxWait, with its 95 % interval.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CompletionPoint {
    /// MaxWait, hours.
    pub max_wait_hours: f64,
    /// P(Completed).
    pub p_completed: f64,
    /// Lower 95 % bound.
    pub ci95_low: f64,
    /// Upper 95 % bound.
    pub ci95_high: f64,
}

/// Data of the P(Completed)-vs-MaxWait chart.
#[derive(Debug, Clone, PartialEq)]
pub struct CompletionChart {
    /// Scenario name (in the title).
    pub scenario: String,
    /// The curve.
    pub points: Vec<CompletionPoint>,
    /// The target the lower bound must reach.
    pub target: f64,
    /// The recommended point (hours, P).
    pub recommended: Option<(f64, f64)>,
    /// The MaxWait range drawn (hours): where the curve moves ([`zoom_hours`]).
    pub x_range_hours: (f64, f64),
}

/// The MaxWait range (hours) where P(Completed) still moves: from the first point to the first
/// one within 0.1 percentage points of the last (the plateau beyond is flat and shown in the
/// table), widened to include `keep` (the recommended and the scenario's MaxWait) and padded by
/// a tenth.
pub fn zoom_hours(points: &[CompletionPoint], keep: &[f64]) -> (f64, f64) {
    let (Some(first), Some(last)) = (points.first(), points.last()) else {
        return (0.0, 1.0);
    };
    let plateau = points
        .iter()
        .find(|p| (last.p_completed - p.p_completed).abs() <= 0.001)
        .map_or(last.max_wait_hours, |p| p.max_wait_hours);
    let end = keep
        .iter()
        .copied()
        .filter(|x| x.is_finite())
        .fold(plateau, f64::max)
        .min(last.max_wait_hours);
    let start = first.max_wait_hours;
    let end = (end + (end - start) * 0.1).min(last.max_wait_hours);
    if end > start {
        (start, end)
    } else {
        (start, last.max_wait_hours.max(start + 1.0))
    }
}

impl Chart for CompletionChart {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        root.fill(&WHITE)?;
        let (plot, strip) = plot_and_legend(root);
        let (x0, x1) = pad_range(self.x_range_hours.0, self.x_range_hours.1);
        let shown: Vec<&CompletionPoint> = self
            .points
            .iter()
            .filter(|p| p.max_wait_hours <= self.x_range_hours.1)
            .collect();
        let lowest = shown.iter().map(|p| p.ci95_low).fold(self.target, f64::min);
        let y0 = ((lowest - 0.02) * 20.0).floor() / 20.0;
        let y0 = y0.clamp(0.0, 0.95);
        let mut chart = frame(
            &plot,
            &format!("P(Completed) vs MaxWait — {}", self.scenario),
            55,
            75,
        )
        .build_cartesian_2d(x0..x1, y0..1.01)?;
        house_style(&mut chart.configure_mesh())
            .x_desc("MaxWait (hours)")
            .y_desc("P(Completed)")
            .y_label_formatter(&|y| format!("{:.0} %", y * 100.0))
            .draw()?;
        let mut band: Vec<(f64, f64)> = shown
            .iter()
            .map(|p| (p.max_wait_hours, p.ci95_high))
            .collect();
        band.extend(shown.iter().rev().map(|p| (p.max_wait_hours, p.ci95_low)));
        chart.draw_series(std::iter::once(Polygon::new(band, BLUE.mix(0.22))))?;
        chart.draw_series(LineSeries::new(
            shown.iter().map(|p| (p.max_wait_hours, p.p_completed)),
            BLUE.stroke_width(3),
        ))?;
        chart.draw_series(DashedLineSeries::new(
            [(x0, self.target), (x1, self.target)],
            8,
            6,
            VERMILLION.stroke_width(2),
        ))?;
        if let Some((hours, p)) = self.recommended {
            chart.draw_series(std::iter::once(Circle::new((hours, p), 8, GREEN.filled())))?;
            chart.draw_series(std::iter::once(Text::new(
                format!("{hours:.1} h"),
                (hours, p),
                label_font(17.0).into_text_style(&plot).pos(
                    plotters::style::text_anchor::Pos::new(
                        plotters::style::text_anchor::HPos::Left,
                        plotters::style::text_anchor::VPos::Top,
                    ),
                ),
            )))?;
        }
        let mut entries = vec![
            ("P(Completed)".to_string(), Mark::Line(BLUE, 3)),
            (
                "95 % confidence band (Wilson)".to_string(),
                Mark::Swatch(BLUE.mix(0.22)),
            ),
            (
                format!("target {}", self.target),
                Mark::Dashed(VERMILLION, 2),
            ),
        ];
        if let Some((hours, p)) = self.recommended {
            entries.push((
                format!("recommended: {hours:.1} h, P = {p:.3}"),
                Mark::Dot(GREEN),
            ));
        }
        draw_legend(&strip, &entries)?;
        Ok(())
    }
}

/// P(Completed) vs MaxWait with its confidence band, the target and the recommended point.
pub fn completion_chart(
    data: &CompletionChart,
    folder: &Path,
    name: &str,
) -> std::io::Result<String> {
    write_chart(data, folder, name)
}

/// Cost at one MaxWait.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CostPoint {
    /// MaxWait, hours.
    pub max_wait_hours: f64,
    /// Mean cost per job, stopped jobs included (USD).
    pub mean_usd: f64,
    /// 95th percentile of cost (USD).
    pub p95_usd: f64,
    /// Cost per completed job (USD; NaN when none completed).
    pub per_completed_job_usd: f64,
    /// The 95 % Wilson interval of P(Completed) there (for the rare-completion rule).
    pub completed_ci95: [f64; 2],
}

impl CostPoint {
    /// The chart's point of a plan's MaxWait row.
    pub fn of(p: &crate::plan::PlanPoint) -> Self {
        Self {
            max_wait_hours: p.max_wait_seconds / 3600.0,
            mean_usd: p.cost_usd.mean,
            p95_usd: p.cost_usd.p95,
            per_completed_job_usd: p.cost_per_completed_job_usd,
            completed_ci95: p.completed.ci95,
        }
    }
}

/// A cost per completed job more than this many times the median of the plotted ones is an
/// outlier: drawn to scale it would flatten every other curve to the floor.
pub const COST_OUTLIER_FACTOR: f64 = 5.0;

/// The y axis of the cost chart and the points of the per-completed-job curve clipped at its
/// top.
#[derive(Debug, Clone, PartialEq)]
pub struct CostAxis {
    /// The top of the y axis (USD; the axis starts at 0).
    pub top_usd: f64,
    /// (MaxWait hours, cost per completed job USD) of the clipped points, in MaxWait order.
    pub clipped: Vec<(f64, f64)>,
}

/// The y axis of the cost chart over `points` (the ones drawn): a cost per completed job is
/// clipped when the tables hide it ([`crate::report::rare`]: the lower 95 % bound of
/// P(Completed) below 0.05) or when it exceeds [`COST_OUTLIER_FACTOR`] × the median of the
/// per-completed costs of the points the tables show; the axis reaches 12 % above everything
/// else — the mean and p95 cost of every point, the unclipped per-completed costs and the
/// on-demand cost.
pub fn cost_axis(points: &[CostPoint], on_demand_usd: f64) -> CostAxis {
    let trusted: Vec<f64> = points
        .iter()
        .filter(|p| !crate::report::rare::too_rare(p.completed_ci95))
        .map(|p| p.per_completed_job_usd)
        .filter(|x| x.is_finite())
        .collect();
    let median = median(trusted);
    let clipped: Vec<(f64, f64)> = points
        .iter()
        .filter(|p| p.per_completed_job_usd.is_finite())
        .filter(|p| {
            crate::report::rare::too_rare(p.completed_ci95)
                || median.is_some_and(|m| p.per_completed_job_usd > COST_OUTLIER_FACTOR * m)
        })
        .map(|p| (p.max_wait_hours, p.per_completed_job_usd))
        .collect();
    let top_usd = points
        .iter()
        .flat_map(|p| {
            let shown = !clipped.iter().any(|(hours, _)| *hours == p.max_wait_hours);
            [
                p.mean_usd,
                p.p95_usd,
                if shown {
                    p.per_completed_job_usd
                } else {
                    f64::NAN
                },
            ]
        })
        .filter(|x| x.is_finite())
        .fold(on_demand_usd, f64::max)
        * 1.12;
    CostAxis { top_usd, clipped }
}

/// Data of the cost-vs-MaxWait chart.
#[derive(Debug, Clone, PartialEq)]
pub struct CostChart {
    /// Scenario name.
    pub scenario: String,
    /// The curve.
    pub points: Vec<CostPoint>,
    /// The job on on-demand instances (USD).
    pub on_demand_usd: f64,
    /// The recommended point (hours, mean cost).
    pub recommended: Option<(f64, f64)>,
    /// The MaxWait range drawn (hours), the completion chart's ([`zoom_hours`]).
    pub x_range_hours: (f64, f64),
}

impl Chart for CostChart {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        root.fill(&WHITE)?;
        let (plot, strip) = plot_and_legend(root);
        let (x0, x1) = pad_range(self.x_range_hours.0, self.x_range_hours.1);
        let shown: Vec<&CostPoint> = self
            .points
            .iter()
            .filter(|p| p.max_wait_hours <= self.x_range_hours.1)
            .collect();
        let drawn: Vec<CostPoint> = shown.iter().map(|p| **p).collect();
        let axis = cost_axis(&drawn, self.on_demand_usd);
        let top = axis.top_usd;
        let mut chart = frame(
            &plot,
            &format!("Expected cost vs MaxWait — {}", self.scenario),
            55,
            85,
        )
        .build_cartesian_2d(x0..x1, 0.0..top)?;
        house_style(&mut chart.configure_mesh())
            .x_desc("MaxWait (hours)")
            .y_desc("Cost per job (USD)")
            // Whole dollars repeat on an axis of a few dollars (a clipped one often is).
            .y_label_formatter(&|y| {
                if top < 20.0 {
                    format!("${y:.2}")
                } else {
                    format!("${y:.0}")
                }
            })
            .draw()?;
        chart.draw_series(LineSeries::new(
            [(x0, self.on_demand_usd), (x1, self.on_demand_usd)],
            VERMILLION.stroke_width(3),
        ))?;
        chart.draw_series(LineSeries::new(
            shown.iter().map(|p| (p.max_wait_hours, p.p95_usd)),
            ORANGE.stroke_width(2),
        ))?;
        // Clipped points run along the top edge, each marked by a triangle.
        chart.draw_series(DashedLineSeries::new(
            shown
                .iter()
                .filter(|p| p.per_completed_job_usd.is_finite())
                .map(|p| (p.max_wait_hours, p.per_completed_job_usd.min(top))),
            8,
            5,
            GREY.stroke_width(2),
        ))?;
        chart.draw_series(
            axis.clipped
                .iter()
                .map(|&(hours, _)| TriangleMarker::new((hours, top * 0.985), 7, GREY.filled())),
        )?;
        chart.draw_series(
            clip_labels(&axis.clipped)
                .into_iter()
                .map(|(hours, usd_value)| {
                    Text::new(
                        format!("{} ↑", usd(usd_value)),
                        (hours, top * 0.96),
                        label_font(15.0).into_text_style(&plot).pos(
                            plotters::style::text_anchor::Pos::new(
                                plotters::style::text_anchor::HPos::Center,
                                plotters::style::text_anchor::VPos::Top,
                            ),
                        ),
                    )
                }),
        )?;
        chart.draw_series(LineSeries::new(
            shown.iter().map(|p| (p.max_wait_hours, p.mean_usd)),
            BLUE.stroke_width(3),
        ))?;
        if let Some((hours, cost)) = self.recommended {
            chart.draw_series(std::iter::once(Circle::new(
                (hours, cost),
                8,
                GREEN.filled(),
            )))?;
        }
        let mut entries = vec![
            (
                "expected cost per job (stopped jobs included)".to_string(),
                Mark::Line(BLUE, 3),
            ),
            ("95th percentile per job".to_string(), Mark::Line(ORANGE, 2)),
            (
                // The legend strip holds two rows: the clipping is told in this entry.
                match axis.clipped.iter().map(|c| c.1).max_by(f64::total_cmp) {
                    Some(most) => format!("per completed job; ▲ off scale, up to {}", usd(most)),
                    None => "per completed job (true cost)".to_string(),
                },
                Mark::Dashed(GREY, 2),
            ),
            (
                format!("on-demand: {}", usd(self.on_demand_usd)),
                Mark::Line(VERMILLION, 3),
            ),
        ];
        if let Some((hours, cost)) = self.recommended {
            entries.push((
                format!("recommended: {hours:.1} h, {}", usd(cost)),
                Mark::Dot(GREEN),
            ));
        }
        draw_legend(&strip, &entries)?;
        Ok(())
    }
}

/// The median of `values` (the mean of the middle two of an even count); `None` when empty.
fn median(mut values: Vec<f64>) -> Option<f64> {
    values.sort_by(f64::total_cmp);
    let n = values.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(values[n / 2]),
        _ => Some((values[n / 2 - 1] + values[n / 2]) / 2.0),
    }
}

/// The clipped points whose value is written beside their marker: each of up to three, else
/// the first and the last (more labels would overlap; the legend gives the largest).
fn clip_labels(clipped: &[(f64, f64)]) -> Vec<(f64, f64)> {
    if clipped.len() <= 3 {
        return clipped.to_vec();
    }
    clipped
        .first()
        .into_iter()
        .chain(clipped.last())
        .copied()
        .collect()
}

/// Expected cost (and p95, and per completed job) vs MaxWait, with the on-demand cost.
pub fn cost_chart(data: &CostChart, folder: &Path, name: &str) -> std::io::Result<String> {
    write_chart(data, folder, name)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn point(max_wait_hours: f64, p_completed: f64) -> CompletionPoint {
        CompletionPoint {
            max_wait_hours,
            p_completed,
            ci95_low: p_completed,
            ci95_high: p_completed,
        }
    }

    fn cost(max_wait_hours: f64, per_completed_job_usd: f64, ci95_low: f64) -> CostPoint {
        CostPoint {
            max_wait_hours,
            mean_usd: 9.0,
            p95_usd: 10.0,
            per_completed_job_usd,
            completed_ci95: [ci95_low, 1.0],
        }
    }

    /// By hand: the trusted per-completed costs are $10, $11, $12 and $300 (median $11.50,
    /// so above 5 × $11.50 = $57.50 is an outlier: $300); the $40 point completes too rarely
    /// (lower bound 0.01 < 0.05) though it is not an outlier. What stays: means $9, p95s $10,
    /// per completed $10–$12 and on-demand $30, so the axis tops at 1.12 × $30 = $33.60.
    #[test]
    fn the_cost_axis_clips_outliers_and_rare_completions() {
        let points = [
            cost(1.0, 300.0, 0.6),
            cost(2.0, 40.0, 0.01),
            cost(3.0, 12.0, 0.9),
            cost(4.0, 11.0, 0.95),
            cost(5.0, 10.0, 0.99),
            cost(6.0, f64::NAN, 0.0),
        ];
        let axis = cost_axis(&points, 30.0);
        assert_eq!(axis.clipped, [(1.0, 300.0), (2.0, 40.0)]);
        assert!((axis.top_usd - 33.6).abs() < 1e-9, "{}", axis.top_usd);
        // Nothing to clip: the axis covers the highest per-completed cost ($45 > on-demand).
        let plain = [cost(1.0, 45.0, 0.9), cost(2.0, 12.0, 0.9)];
        let axis = cost_axis(&plain, 30.0);
        assert!(axis.clipped.is_empty());
        assert!(
            (axis.top_usd - 1.12 * 45.0).abs() < 1e-9,
            "{}",
            axis.top_usd
        );
        // Labels: each of up to three clipped points, else the first and the last.
        let many: Vec<(f64, f64)> = (0..5).map(|i| (f64::from(i), 100.0)).collect();
        assert_eq!(clip_labels(&many), [(0.0, 100.0), (4.0, 100.0)]);
        assert_eq!(clip_labels(&many[..3]), many[..3]);
    }

    /// The default plan's curve rises from 28 h and is flat at 1 from 37.5 h to 84 h: the chart
    /// shows 28 h to 37.5 h plus a tenth (38.45 h), or up to a MaxWait that must stay visible.
    #[test]
    fn the_chart_zooms_to_where_the_curve_moves() {
        let mut points = vec![
            point(28.0, 0.885),
            point(30.0, 0.974),
            point(33.0, 0.998),
            point(37.5, 1.0),
        ];
        points.extend((0..20).map(|i| point(40.0 + 2.2 * f64::from(i), 1.0)));
        let (start, end) = zoom_hours(&points, &[29.5]);
        assert_eq!(start, 28.0);
        assert!((end - 38.45).abs() < 1e-9, "{end}");
        let (_, end) = zoom_hours(&points, &[50.0]);
        assert!((end - 52.2).abs() < 1e-9, "{end}");
        // A curve that never flattens is drawn whole.
        let rising: Vec<CompletionPoint> = (0..10)
            .map(|i| point(f64::from(i), f64::from(i) / 10.0))
            .collect();
        assert_eq!(zoom_hours(&rising, &[]), (0.0, 9.0));
    }
}
