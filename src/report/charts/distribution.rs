//! Distributions of one run: the wall-clock CDF and the cost histogram.

use super::*;

/// Data of the wall-clock CDF chart.
#[derive(Debug, Clone, PartialEq)]
pub struct WallClockCdf {
    /// Title.
    pub title: String,
    /// (hours, cumulative fraction) pairs, increasing.
    pub points: Vec<(f64, f64)>,
    /// The MaxWait the trials ran with (hours), drawn as a vertical line.
    pub max_wait_hours: Option<f64>,
}

impl Chart for WallClockCdf {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        root.fill(&WHITE)?;
        let low = self.points.first().map_or(0.0, |p| p.0);
        let high = self
            .points
            .last()
            .map_or(1.0, |p| p.0)
            .max(self.max_wait_hours.unwrap_or(0.0));
        let (x0, x1) = pad_range(low, high);
        let (plot, strip) = plot_and_legend(root);
        let mut chart =
            frame(&plot, &self.title, 55, 75).build_cartesian_2d(x0.max(0.0)..x1, 0.0..1.02)?;
        house_style(&mut chart.configure_mesh())
            .x_desc("Wall clock, CreationTime → terminal status (hours)")
            .y_desc("Fraction of jobs")
            .y_label_formatter(&|y| format!("{:.0} %", y * 100.0))
            .draw()?;
        chart.draw_series(LineSeries::new(
            self.points.iter().copied(),
            BLUE.stroke_width(3),
        ))?;
        if let Some(w) = self.max_wait_hours {
            chart.draw_series(DashedLineSeries::new(
                [(w, 0.0), (w, 1.02)],
                8,
                6,
                VERMILLION.stroke_width(2),
            ))?;
        }
        let mut entries = vec![(
            "empirical CDF of wall-clock time (all jobs)".to_string(),
            Mark::Line(BLUE, 3),
        )];
        if let Some(w) = self.max_wait_hours {
            entries.push((format!("MaxWait {w:.1} h"), Mark::Dashed(VERMILLION, 2)));
        }
        draw_legend(&strip, &entries)?;
        Ok(())
    }
}

/// CDF of the wall-clock time.
pub fn wall_clock_cdf_chart(
    data: &WallClockCdf,
    folder: &Path,
    name: &str,
) -> std::io::Result<String> {
    write_chart(data, folder, name)
}

/// Data of the cost histogram.
#[derive(Debug, Clone, PartialEq)]
pub struct CostHistogram {
    /// Title.
    pub title: String,
    /// (from USD, to USD, fraction of jobs) per bin.
    pub bins: Vec<(f64, f64, f64)>,
    /// The on-demand cost (USD), drawn as a vertical line.
    pub on_demand_usd: Option<f64>,
    /// The mean (USD), drawn as a vertical line.
    pub mean_usd: Option<f64>,
}

impl Chart for CostHistogram {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        root.fill(&WHITE)?;
        let low = self.bins.first().map_or(0.0, |b| b.0);
        let high = self.bins.last().map_or(1.0, |b| b.1);
        let (x0, x1) = pad_range(low, high);
        let top = self.bins.iter().map(|b| b.2).fold(0.0, f64::max) * 1.15;
        let top = if top > 0.0 { top } else { 1.0 };
        let (plot, strip) = plot_and_legend(root);
        let mut chart =
            frame(&plot, &self.title, 55, 75).build_cartesian_2d(x0.max(0.0)..x1, 0.0..top)?;
        house_style(&mut chart.configure_mesh())
            .x_desc("Cost per job (USD)")
            .y_desc("Fraction of jobs")
            .x_label_formatter(&|x| format!("${x:.0}"))
            .y_label_formatter(&|y| format!("{:.1} %", y * 100.0))
            .draw()?;
        chart.draw_series(self.bins.iter().map(|&(from, to, fraction)| {
            let mut bar = Rectangle::new([(from, 0.0), (to, fraction)], BLUE.mix(0.75).filled());
            bar.set_margin(0, 0, 1, 1);
            bar
        }))?;
        if let Some(mean) = self.mean_usd {
            chart.draw_series(DashedLineSeries::new(
                [(mean, 0.0), (mean, top)],
                8,
                6,
                ORANGE.stroke_width(2),
            ))?;
        }
        if let Some(on_demand) = self.on_demand_usd.filter(|&c| c <= x1) {
            chart.draw_series(LineSeries::new(
                [(on_demand, 0.0), (on_demand, top)],
                VERMILLION.stroke_width(2),
            ))?;
        }
        let mut entries = vec![(
            "jobs (stopped ones included)".to_string(),
            Mark::Swatch(BLUE.mix(0.75)),
        )];
        if let Some(mean) = self.mean_usd {
            entries.push((format!("mean {}", usd(mean)), Mark::Dashed(ORANGE, 2)));
        }
        if let Some(on_demand) = self.on_demand_usd.filter(|&c| c <= x1) {
            entries.push((
                format!("on-demand {}", usd(on_demand)),
                Mark::Line(VERMILLION, 2),
            ));
        }
        draw_legend(&strip, &entries)?;
        Ok(())
    }
}

/// Histogram of the cost per job.
pub fn cost_histogram_chart(
    data: &CostHistogram,
    folder: &Path,
    name: &str,
) -> std::io::Result<String> {
    write_chart(data, folder, name)
}
