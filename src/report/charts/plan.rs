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
        let top = shown
            .iter()
            .flat_map(|p| [p.mean_usd, p.p95_usd, p.per_completed_job_usd])
            .filter(|x| x.is_finite())
            .fold(self.on_demand_usd, f64::max)
            * 1.12;
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
            .y_label_formatter(&|y| format!("${y:.0}"))
            .draw()?;
        chart.draw_series(LineSeries::new(
            [(x0, self.on_demand_usd), (x1, self.on_demand_usd)],
            VERMILLION.stroke_width(3),
        ))?;
        chart.draw_series(LineSeries::new(
            shown.iter().map(|p| (p.max_wait_hours, p.p95_usd)),
            ORANGE.stroke_width(2),
        ))?;
        chart.draw_series(DashedLineSeries::new(
            shown
                .iter()
                .filter(|p| p.per_completed_job_usd.is_finite())
                .map(|p| (p.max_wait_hours, p.per_completed_job_usd)),
            8,
            5,
            GREY.stroke_width(2),
        ))?;
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
                "per completed job (true cost)".to_string(),
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
