//! The status timeline (Gantt) of sample trials.

use super::*;

/// One bar of a Gantt row: a status from one instant to another (hours).
#[derive(Debug, Clone, PartialEq)]
pub struct StatusSpan {
    /// The SecondaryStatus.
    pub status: &'static str,
    /// Start, hours since CreationTime.
    pub from_hours: f64,
    /// End, hours since CreationTime.
    pub to_hours: f64,
    /// Whether the span belongs to the on-demand fallback job (`spot-then-on-demand`).
    pub fallback: bool,
}

/// One sample trial of the Gantt chart.
#[derive(Debug, Clone, PartialEq)]
pub struct TimelineRow {
    /// Row label (e.g. "trial 3 · Completed").
    pub label: String,
    /// Its statuses in order.
    pub spans: Vec<StatusSpan>,
}

/// Data of the status timeline (Gantt) chart.
#[derive(Debug, Clone, PartialEq)]
pub struct StatusTimeline {
    /// Title.
    pub title: String,
    /// Sample trials, top to bottom.
    pub rows: Vec<TimelineRow>,
    /// The MaxWait deadline (hours), drawn as a vertical line.
    pub max_wait_hours: Option<f64>,
}

/// The colour of each SecondaryStatus in the timeline (Okabe–Ito; greys for waiting).
pub fn status_colour(status: &str) -> RGBColor {
    match status {
        "Pending" => RGBColor(215, 215, 215),
        "Starting" => RGBColor(150, 150, 150),
        "Downloading" => SKY,
        "Training" => GREEN,
        "Interrupted" => VERMILLION,
        "Uploading" => YELLOW,
        "Stopping" => PURPLE,
        _ => RGBColor(60, 60, 60),
    }
}

/// Training on the on-demand fallback job (`spot-then-on-demand`), unlike spot training.
const FALLBACK_TRAINING: RGBColor = BLUE;

/// The colour of a span: its status's, except training on the on-demand fallback.
fn span_colour(span: &StatusSpan) -> RGBColor {
    if span.fallback && span.status == "Training" {
        FALLBACK_TRAINING
    } else {
        status_colour(span.status)
    }
}

const LEGEND_ORDER: [&str; 7] = [
    "Pending",
    "Starting",
    "Downloading",
    "Training",
    "Uploading",
    "Interrupted",
    "Stopping",
];

/// The narrowest a span is drawn, as a fraction of the time axis (about 3 pixels): a minute of
/// Downloading in a 30-hour row would otherwise vanish.
const MIN_SPAN_FRACTION: f64 = 0.004;

impl Chart for StatusTimeline {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        root.fill(&WHITE)?;
        let n = self.rows.len().max(1);
        let end = self
            .rows
            .iter()
            .flat_map(|r| r.spans.iter().map(|s| s.to_hours))
            .fold(self.max_wait_hours.unwrap_or(0.0), f64::max)
            .max(1.0);
        let (plot, strip) = plot_and_legend(root);
        let labels: Vec<String> = self.rows.iter().map(|r| r.label.clone()).collect();
        let mut chart = frame(&plot, &self.title, 50, 200)
            .build_cartesian_2d(0.0..end * 1.02, (0..n - 1).into_segmented())?;
        house_style(&mut chart.configure_mesh())
            .disable_y_mesh()
            .x_desc("Hours since CreationTime")
            .y_labels(n)
            .y_label_formatter(&|v| match v {
                SegmentValue::CenterOf(i) => labels.get(*i).cloned().unwrap_or_default(),
                _ => String::new(),
            })
            .draw()?;
        let narrowest = end * MIN_SPAN_FRACTION;
        for (i, row) in self.rows.iter().enumerate() {
            // Long spans first, then short ones on top, each at least `narrowest` wide, so a
            // brief status (Downloading, Interrupted) is never hidden by its neighbour.
            for short in [false, true] {
                chart.draw_series(
                    row.spans
                        .iter()
                        .filter(|s| (s.to_hours - s.from_hours < narrowest) == short)
                        .filter(|s| s.to_hours > s.from_hours || s.status == "Interrupted")
                        .map(|s| {
                            let to = s.to_hours.max(s.from_hours + narrowest);
                            let mut bar = Rectangle::new(
                                [
                                    (s.from_hours, SegmentValue::Exact(i)),
                                    (to, SegmentValue::Exact(i + 1)),
                                ],
                                span_colour(s).filled(),
                            );
                            bar.set_margin(
                                if short { 5 } else { 8 },
                                if short { 5 } else { 8 },
                                0,
                                0,
                            );
                            bar
                        }),
                )?;
            }
        }
        if let Some(w) = self.max_wait_hours {
            chart.draw_series(DashedLineSeries::new(
                [(w, SegmentValue::Exact(0)), (w, SegmentValue::Exact(n))],
                8,
                6,
                BLACK.stroke_width(2),
            ))?;
        }
        // Legend: one swatch per status seen, in lifecycle order, below the plot.
        let seen = |status: &str, fallback: bool| {
            self.rows.iter().any(|r| {
                r.spans.iter().any(|s| {
                    s.status == status && (s.fallback && s.status == "Training") == fallback
                })
            })
        };
        let mut entries: Vec<(String, Mark)> = Vec::new();
        for status in LEGEND_ORDER {
            if seen(status, false) {
                entries.push((
                    status.to_string(),
                    Mark::Swatch(status_colour(status).into()),
                ));
            }
            if status == "Training" && seen(status, true) {
                entries.push((
                    "Training (on-demand fallback)".to_string(),
                    Mark::Swatch(FALLBACK_TRAINING.into()),
                ));
            }
        }
        if self.max_wait_hours.is_some() {
            entries.push(("MaxWait deadline".to_string(), Mark::Dashed(BLACK, 2)));
        }
        draw_legend(&strip, &entries)?;
        Ok(())
    }
}

/// Status timeline (Gantt) of a few sample trials, coloured by SecondaryStatus, with a legend.
pub fn status_timeline_chart(
    data: &StatusTimeline,
    folder: &Path,
    name: &str,
) -> std::io::Result<String> {
    write_chart(data, folder, name)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every status, fallback training and the MaxWait line are told apart: no two colours
    /// closer than 60 in RGB distance.
    #[test]
    fn status_colours_are_distinct() {
        let mut colours: Vec<(String, RGBColor)> = LEGEND_ORDER
            .iter()
            .map(|s| (s.to_string(), status_colour(s)))
            .collect();
        colours.push(("fallback".into(), FALLBACK_TRAINING));
        colours.push(("MaxWait".into(), BLACK));
        for (i, (a, ca)) in colours.iter().enumerate() {
            for (b, cb) in &colours[i + 1..] {
                let d = [(ca.0, cb.0), (ca.1, cb.1), (ca.2, cb.2)]
                    .iter()
                    .map(|&(x, y)| (f64::from(x) - f64::from(y)).powi(2))
                    .sum::<f64>()
                    .sqrt();
                assert!(d > 60.0, "{a} and {b}: {d}");
            }
        }
    }
}
