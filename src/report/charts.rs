//! Charts, one function per chart: data in, `NAME.svg` and `NAME.png` out (into a report's
//! staging folder, committed with the rest of the set), the SVG text back (report.html inlines it). Drawn with plotters; text uses the embedded
//! DejaVu Sans (no system fonts), time axes are in hours, money in dollars.

use super::numbers::usd;
use crate::files::output::write_new;
use plotters::chart::MeshStyle;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::FontStyle;
use std::error::Error;
use std::path::Path;
use std::sync::Once;

/// Width and height of every chart, in pixels (PNG) and user units (SVG).
pub const CHART_SIZE: (u32, u32) = (960, 540);

const FONT: &str = "sans-serif";
const BLUE: RGBColor = RGBColor(31, 119, 180);
const ORANGE: RGBColor = RGBColor(230, 120, 20);
const RED: RGBColor = RGBColor(200, 40, 40);
const GREEN: RGBColor = RGBColor(44, 160, 44);
const GREY: RGBColor = RGBColor(110, 110, 110);

type DrawResult = Result<(), Box<dyn Error>>;

static FONTS: Once = Once::new();

/// Registers DejaVu Sans as the `sans-serif` family (regular and bold), once per process.
fn register_fonts() {
    FONTS.call_once(|| {
        let _ = plotters::style::register_font(FONT, FontStyle::Normal, dejavu::sans::regular());
        let _ = plotters::style::register_font(FONT, FontStyle::Bold, dejavu::sans::bold());
    });
}

/// A chart that can draw itself on any plotters backend.
trait Chart {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult
    where
        DB::ErrorType: 'static;
}

/// Draws `chart` as SVG and PNG into `folder/name.{svg,png}`; returns the SVG text.
fn write_chart(chart: &impl Chart, folder: &Path, name: &str) -> std::io::Result<String> {
    register_fonts();
    let (width, height) = CHART_SIZE;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, CHART_SIZE).into_drawing_area();
        chart
            .draw(&root)
            .map_err(|e| std::io::Error::other(e.to_string()))?;
        root.present()
            .map_err(|e| std::io::Error::other(e.to_string()))?;
    }
    let mut rgb = vec![255u8; (width * height * 3) as usize];
    {
        let root = BitMapBackend::with_buffer(&mut rgb, CHART_SIZE).into_drawing_area();
        chart
            .draw(&root)
            .map_err(|e| std::io::Error::other(e.to_string()))?;
        root.present()
            .map_err(|e| std::io::Error::other(e.to_string()))?;
    }
    let png = encode_png(&rgb, width, height)?;
    write_new(&folder.join(format!("{name}.svg")), svg.as_bytes())?;
    write_new(&folder.join(format!("{name}.png")), &png)?;
    Ok(svg)
}

fn encode_png(rgb: &[u8], width: u32, height: u32) -> std::io::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut bytes, width, height);
        encoder.set_color(png::ColorType::Rgb);
        encoder.set_depth(png::BitDepth::Eight);
        encoder.set_compression(png::Compression::Best);
        let mut writer = encoder.write_header().map_err(std::io::Error::other)?;
        writer
            .write_image_data(rgb)
            .map_err(std::io::Error::other)?;
    }
    Ok(bytes)
}

fn caption_font() -> FontDesc<'static> {
    FontDesc::new(FontFamily::Name(FONT), 24.0, FontStyle::Bold)
}

/// The legend every chart draws: the same font, a translucent white box, a grey border.
fn draw_legend<'a, DB: DrawingBackend + 'a, CT: CoordTranslate>(
    chart: &mut ChartContext<'a, DB, CT>,
    position: SeriesLabelPosition,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    chart
        .configure_series_labels()
        .position(position)
        .label_font(label_font(16.0))
        .background_style(WHITE.mix(0.9))
        .border_style(GREY)
        .draw()
}

fn label_font(size: f64) -> FontDesc<'static> {
    FontDesc::new(FontFamily::Name(FONT), size, FontStyle::Normal)
}

/// A chart's frame in the house style: caption, margin and label areas.
fn frame<'a, 'b, DB: DrawingBackend>(
    root: &'a DrawingArea<DB, Shift>,
    caption: &str,
    x_label_area: u32,
    y_label_area: u32,
) -> ChartBuilder<'a, 'b, DB> {
    let mut builder = ChartBuilder::on(root);
    builder
        .caption(caption, caption_font())
        .margin(20)
        .x_label_area_size(x_label_area)
        .y_label_area_size(y_label_area);
    builder
}

/// The house style of a chart's mesh: fonts of the axis labels and light grid lines.
fn house_style<'m, 'a, 'b, X, Y, DB>(
    mesh: &'m mut MeshStyle<'a, 'b, X, Y, DB>,
) -> &'m mut MeshStyle<'a, 'b, X, Y, DB>
where
    X: Ranged,
    Y: Ranged,
    DB: DrawingBackend,
{
    mesh.axis_desc_style(label_font(18.0))
        .label_style(label_font(15.0))
        .light_line_style(RGBColor(235, 235, 235))
}

fn pad_range(low: f64, high: f64) -> (f64, f64) {
    if high > low {
        let pad = (high - low) * 0.03;
        (low - pad, high + pad)
    } else {
        (low - 1.0, high + 1.0)
    }
}

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
}

impl Chart for CompletionChart {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        root.fill(&WHITE)?;
        let (x0, x1) = pad_range(
            self.points.first().map_or(0.0, |p| p.max_wait_hours),
            self.points.last().map_or(1.0, |p| p.max_wait_hours),
        );
        let lowest = self
            .points
            .iter()
            .map(|p| p.ci95_low)
            .fold(self.target, f64::min);
        let y0 = ((lowest - 0.02) * 20.0).floor() / 20.0;
        let y0 = y0.clamp(0.0, 0.95);
        let mut chart = frame(
            root,
            &format!("P(Completed) vs MaxWait — {}", self.scenario),
            55,
            75,
        )
        .build_cartesian_2d(x0..x1, y0..1.01)?;
        house_style(&mut chart.configure_mesh())
            .x_desc("MaxWaitTimeInSeconds (hours)")
            .y_desc("P(Completed)")
            .y_label_formatter(&|y| format!("{:.0} %", y * 100.0))
            .draw()?;
        let mut band: Vec<(f64, f64)> = self
            .points
            .iter()
            .map(|p| (p.max_wait_hours, p.ci95_high))
            .collect();
        band.extend(
            self.points
                .iter()
                .rev()
                .map(|p| (p.max_wait_hours, p.ci95_low)),
        );
        chart
            .draw_series(std::iter::once(Polygon::new(band, BLUE.mix(0.22))))?
            .label("95 % confidence band (Wilson)")
            .legend(|(x, y)| {
                Rectangle::new([(x, y - 6), (x + 22, y + 6)], BLUE.mix(0.22).filled())
            });
        chart
            .draw_series(LineSeries::new(
                self.points
                    .iter()
                    .map(|p| (p.max_wait_hours, p.p_completed)),
                BLUE.stroke_width(3),
            ))?
            .label("P(Completed)")
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 22, y)], BLUE.stroke_width(3)));
        chart
            .draw_series(DashedLineSeries::new(
                [(x0, self.target), (x1, self.target)],
                8,
                6,
                RED.stroke_width(2),
            ))?
            .label(format!("target {}", self.target))
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 22, y)], RED.stroke_width(2)));
        if let Some((hours, p)) = self.recommended {
            chart
                .draw_series(std::iter::once(Circle::new((hours, p), 8, GREEN.filled())))?
                .label(format!("recommended: {hours:.1} h, P = {p:.3}"))
                .legend(|(x, y)| Circle::new((x + 11, y), 6, GREEN.filled()));
            chart.draw_series(std::iter::once(Text::new(
                format!("{hours:.1} h"),
                (hours, p),
                label_font(17.0)
                    .into_text_style(root)
                    .pos(plotters::style::text_anchor::Pos::new(
                        plotters::style::text_anchor::HPos::Left,
                        plotters::style::text_anchor::VPos::Top,
                    )),
            )))?;
        }
        draw_legend(&mut chart, SeriesLabelPosition::LowerRight)?;
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
}

impl Chart for CostChart {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        root.fill(&WHITE)?;
        let (x0, x1) = pad_range(
            self.points.first().map_or(0.0, |p| p.max_wait_hours),
            self.points.last().map_or(1.0, |p| p.max_wait_hours),
        );
        let top = self
            .points
            .iter()
            .flat_map(|p| [p.mean_usd, p.p95_usd, p.per_completed_job_usd])
            .filter(|x| x.is_finite())
            .fold(self.on_demand_usd, f64::max)
            * 1.12;
        let mut chart = frame(
            root,
            &format!("Expected cost vs MaxWait — {}", self.scenario),
            55,
            85,
        )
        .build_cartesian_2d(x0..x1, 0.0..top)?;
        house_style(&mut chart.configure_mesh())
            .x_desc("MaxWaitTimeInSeconds (hours)")
            .y_desc("Cost per job (USD)")
            .y_label_formatter(&|y| format!("${y:.0}"))
            .draw()?;
        chart
            .draw_series(LineSeries::new(
                [(x0, self.on_demand_usd), (x1, self.on_demand_usd)],
                RED.stroke_width(3),
            ))?
            .label(format!("on-demand: {}", usd(self.on_demand_usd)))
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 22, y)], RED.stroke_width(3)));
        chart
            .draw_series(LineSeries::new(
                self.points.iter().map(|p| (p.max_wait_hours, p.p95_usd)),
                ORANGE.stroke_width(2),
            ))?
            .label("95th percentile per job")
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 22, y)], ORANGE.stroke_width(2)));
        chart
            .draw_series(DashedLineSeries::new(
                self.points
                    .iter()
                    .filter(|p| p.per_completed_job_usd.is_finite())
                    .map(|p| (p.max_wait_hours, p.per_completed_job_usd)),
                8,
                5,
                GREY.stroke_width(2),
            ))?
            .label("per completed job (true cost)")
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 22, y)], GREY.stroke_width(2)));
        chart
            .draw_series(LineSeries::new(
                self.points.iter().map(|p| (p.max_wait_hours, p.mean_usd)),
                BLUE.stroke_width(3),
            ))?
            .label("expected cost per job (stopped jobs included)")
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 22, y)], BLUE.stroke_width(3)));
        if let Some((hours, cost)) = self.recommended {
            chart
                .draw_series(std::iter::once(Circle::new(
                    (hours, cost),
                    8,
                    GREEN.filled(),
                )))?
                .label(format!("recommended: {hours:.1} h, {}", usd(cost)))
                .legend(|(x, y)| Circle::new((x + 11, y), 6, GREEN.filled()));
        }
        draw_legend(&mut chart, SeriesLabelPosition::MiddleRight)?;
        Ok(())
    }
}

/// Expected cost (and p95, and per completed job) vs MaxWait, with the on-demand cost.
pub fn cost_chart(data: &CostChart, folder: &Path, name: &str) -> std::io::Result<String> {
    write_chart(data, folder, name)
}

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
        let mut chart =
            frame(root, &self.title, 55, 75).build_cartesian_2d(x0.max(0.0)..x1, 0.0..1.02)?;
        house_style(&mut chart.configure_mesh())
            .x_desc("Wall clock, CreationTime → terminal status (hours)")
            .y_desc("Fraction of jobs")
            .y_label_formatter(&|y| format!("{:.0} %", y * 100.0))
            .draw()?;
        chart
            .draw_series(LineSeries::new(
                self.points.iter().copied(),
                BLUE.stroke_width(3),
            ))?
            .label("CDF of wall-clock time (all jobs)")
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 22, y)], BLUE.stroke_width(3)));
        if let Some(w) = self.max_wait_hours {
            chart
                .draw_series(DashedLineSeries::new(
                    [(w, 0.0), (w, 1.02)],
                    8,
                    6,
                    RED.stroke_width(2),
                ))?
                .label(format!("MaxWait {w:.1} h"))
                .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 22, y)], RED.stroke_width(2)));
        }
        draw_legend(&mut chart, SeriesLabelPosition::UpperLeft)?;
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
        let mut chart =
            frame(root, &self.title, 55, 75).build_cartesian_2d(x0.max(0.0)..x1, 0.0..top)?;
        house_style(&mut chart.configure_mesh())
            .x_desc("Cost per job (USD)")
            .y_desc("Fraction of jobs")
            .x_label_formatter(&|x| format!("${x:.0}"))
            .y_label_formatter(&|y| format!("{:.1} %", y * 100.0))
            .draw()?;
        chart
            .draw_series(self.bins.iter().map(|&(from, to, fraction)| {
                let mut bar =
                    Rectangle::new([(from, 0.0), (to, fraction)], BLUE.mix(0.75).filled());
                bar.set_margin(0, 0, 1, 1);
                bar
            }))?
            .label("jobs (stopped ones included)")
            .legend(|(x, y)| {
                Rectangle::new([(x, y - 6), (x + 22, y + 6)], BLUE.mix(0.75).filled())
            });
        if let Some(mean) = self.mean_usd {
            chart
                .draw_series(DashedLineSeries::new(
                    [(mean, 0.0), (mean, top)],
                    8,
                    6,
                    ORANGE.stroke_width(2),
                ))?
                .label(format!("mean {}", usd(mean)))
                .legend(|(x, y)| {
                    PathElement::new(vec![(x, y), (x + 22, y)], ORANGE.stroke_width(2))
                });
        }
        if let Some(on_demand) = self.on_demand_usd.filter(|&c| c <= x1) {
            chart
                .draw_series(LineSeries::new(
                    [(on_demand, 0.0), (on_demand, top)],
                    RED.stroke_width(2),
                ))?
                .label(format!("on-demand {}", usd(on_demand)))
                .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 22, y)], RED.stroke_width(2)));
        }
        draw_legend(&mut chart, SeriesLabelPosition::UpperLeft)?;
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

/// One bar of a Gantt row: a status from one instant to another (hours).
#[derive(Debug, Clone, PartialEq)]
pub struct StatusSpan {
    /// The SecondaryStatus.
    pub status: &'static str,
    /// Start, hours since CreationTime.
    pub from_hours: f64,
    /// End, hours since CreationTime.
    pub to_hours: f64,
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

/// The colour of each SecondaryStatus in the timeline.
pub fn status_colour(status: &str) -> RGBColor {
    match status {
        "Pending" => RGBColor(200, 200, 200),
        "Starting" => RGBColor(160, 160, 160),
        "Downloading" => RGBColor(140, 86, 200),
        "Training" => RGBColor(44, 160, 44),
        "Interrupted" => RGBColor(214, 39, 40),
        "Uploading" => RGBColor(31, 119, 180),
        "Stopping" => RGBColor(255, 127, 14),
        _ => RGBColor(60, 60, 60),
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
        let (root_top, root_bottom) = root.split_vertically(CHART_SIZE.1 - 60);
        let labels: Vec<String> = self.rows.iter().map(|r| r.label.clone()).collect();
        let mut chart = frame(&root_top, &self.title, 50, 200)
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
        for (i, row) in self.rows.iter().enumerate() {
            chart.draw_series(
                row.spans
                    .iter()
                    .filter(|s| s.to_hours > s.from_hours)
                    .map(|s| {
                        let mut bar = Rectangle::new(
                            [
                                (s.from_hours, SegmentValue::Exact(i)),
                                (s.to_hours, SegmentValue::Exact(i + 1)),
                            ],
                            status_colour(s.status).filled(),
                        );
                        bar.set_margin(8, 8, 0, 0);
                        bar
                    }),
            )?;
            // Instantaneous statuses (Interrupted) as a thin mark so they stay visible.
            chart.draw_series(
                row.spans
                    .iter()
                    .filter(|s| s.status == "Interrupted")
                    .map(|s| {
                        let mut mark = Rectangle::new(
                            [
                                (s.from_hours, SegmentValue::Exact(i)),
                                (s.from_hours + end * 0.003, SegmentValue::Exact(i + 1)),
                            ],
                            status_colour("Interrupted").filled(),
                        );
                        mark.set_margin(4, 4, 0, 0);
                        mark
                    }),
            )?;
        }
        if let Some(w) = self.max_wait_hours {
            chart.draw_series(std::iter::once(PathElement::new(
                vec![(w, SegmentValue::Exact(0)), (w, SegmentValue::Exact(n))],
                RED.stroke_width(2),
            )))?;
        }
        // Legend: one swatch per status, in lifecycle order, below the plot.
        let used: Vec<&str> = LEGEND_ORDER
            .iter()
            .copied()
            .filter(|s| {
                self.rows
                    .iter()
                    .any(|r| r.spans.iter().any(|span| span.status == *s))
            })
            .chain(self.max_wait_hours.map(|_| "MaxWait"))
            .collect();
        let mut x = 30;
        for status in used {
            let colour = if status == "MaxWait" {
                RED
            } else {
                status_colour(status)
            };
            root_bottom.draw(&Rectangle::new([(x, 18), (x + 22, 36)], colour.filled()))?;
            let text = if status == "MaxWait" {
                "MaxWait deadline".to_string()
            } else {
                status.to_string()
            };
            root_bottom.draw(&Text::new(text.clone(), (x + 28, 19), label_font(16.0)))?;
            x += 44 + (text.chars().count() as i32) * 9;
        }
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
