//! Curves of several scenarios on one chart (`compare`).

use super::*;

/// Curves of several scenarios on one chart (`compare`).
#[derive(Debug, Clone, PartialEq)]
pub struct Overlay {
    /// Title.
    pub title: String,
    /// X axis description.
    pub x_desc: String,
    /// Y axis description (values are fractions, shown as percentages).
    pub y_desc: String,
    /// (label, points) per scenario.
    pub series: Vec<(String, Vec<(f64, f64)>)>,
}

/// Colours of overlaid series, in order (Okabe–Ito); they repeat after eight, dashed.
const SERIES_COLOURS: [RGBColor; 8] = [BLUE, VERMILLION, GREEN, ORANGE, PURPLE, SKY, BLACK, YELLOW];

impl Chart for Overlay {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        root.fill(&WHITE)?;
        let (plot, strip) = plot_and_legend(root);
        let xs = self.series.iter().flat_map(|(_, p)| p.iter().map(|p| p.0));
        let low = xs.clone().fold(f64::INFINITY, f64::min);
        let high = xs.fold(f64::NEG_INFINITY, f64::max);
        let (low, high) = if low.is_finite() {
            (low, high)
        } else {
            (0.0, 1.0)
        };
        let (x0, x1) = pad_range(low, high);
        let y_low = self
            .series
            .iter()
            .flat_map(|(_, p)| p.iter().map(|p| p.1))
            .fold(1.0, f64::min);
        let y0 = (((y_low - 0.02) * 20.0).floor() / 20.0).clamp(0.0, 0.95);
        let mut chart =
            frame(&plot, &self.title, 55, 75).build_cartesian_2d(x0.max(0.0)..x1, y0..1.02)?;
        house_style(&mut chart.configure_mesh())
            .x_desc(self.x_desc.as_str())
            .y_desc(self.y_desc.as_str())
            .y_label_formatter(&|y| format!("{:.0} %", y * 100.0))
            .draw()?;
        let mut entries = Vec::new();
        for (i, (label, points)) in self.series.iter().enumerate() {
            let colour = SERIES_COLOURS[i % SERIES_COLOURS.len()];
            if i < SERIES_COLOURS.len() {
                chart.draw_series(LineSeries::new(
                    points.iter().copied(),
                    colour.stroke_width(3),
                ))?;
                entries.push((label.clone(), Mark::Line(colour, 3)));
            } else {
                chart.draw_series(DashedLineSeries::new(
                    points.iter().copied(),
                    8,
                    5,
                    colour.stroke_width(3),
                ))?;
                entries.push((label.clone(), Mark::Dashed(colour, 3)));
            }
        }
        draw_legend(&strip, &entries)?;
        Ok(())
    }
}

/// Overlaid curves of several scenarios.
pub fn overlay_chart(data: &Overlay, folder: &Path, name: &str) -> std::io::Result<String> {
    write_chart(data, folder, name)
}
