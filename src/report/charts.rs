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
// The Okabe–Ito palette: distinguishable with the common colour-vision deficiencies
// (deuteranopia, protanopia, tritanopia) and in greyscale by lightness.
const BLUE: RGBColor = RGBColor(0, 114, 178);
const ORANGE: RGBColor = RGBColor(230, 159, 0);
const VERMILLION: RGBColor = RGBColor(213, 94, 0);
const GREEN: RGBColor = RGBColor(0, 158, 115);
const SKY: RGBColor = RGBColor(86, 180, 233);
const YELLOW: RGBColor = RGBColor(240, 228, 66);
const PURPLE: RGBColor = RGBColor(204, 121, 167);
const GREY: RGBColor = RGBColor(110, 110, 110);

/// Height of the strip below the plot that holds the legend: legends never cover data.
const LEGEND_HEIGHT: u32 = 64;

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

/// How a legend entry shows its series: as drawn on the plot.
#[derive(Debug, Clone, Copy)]
enum Mark {
    /// A solid line.
    Line(RGBColor, u32),
    /// A dashed line.
    Dashed(RGBColor, u32),
    /// A filled box (bars, bands, spans).
    Swatch(RGBAColor),
    /// A filled dot (a marked point).
    Dot(RGBColor),
}

/// The plot area and the legend strip below it.
fn plot_and_legend<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
) -> (DrawingArea<DB, Shift>, DrawingArea<DB, Shift>) {
    root.split_vertically(CHART_SIZE.1 - LEGEND_HEIGHT)
}

/// Draws the legend in its strip below the plot, entries left to right, wrapping to a second
/// row when the first is full; each mark as its series is drawn (a dashed line as dashes).
fn draw_legend<DB: DrawingBackend>(
    strip: &DrawingArea<DB, Shift>,
    entries: &[(String, Mark)],
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    let width = CHART_SIZE.0 as i32;
    let (mut x, mut y) = (30, 10);
    for (label, mark) in entries {
        // DejaVu Sans at 15 px: about 8.5 px per character.
        let advance = 40 + (label.chars().count() as f64 * 8.5) as i32;
        if x + advance > width - 10 && x > 30 {
            x = 30;
            y += 26;
        }
        let middle = y + 9;
        match *mark {
            Mark::Line(colour, stroke) => strip.draw(&PathElement::new(
                vec![(x, middle), (x + 26, middle)],
                colour.stroke_width(stroke),
            ))?,
            Mark::Dashed(colour, stroke) => {
                for dash in [0, 10, 20] {
                    strip.draw(&PathElement::new(
                        vec![(x + dash, middle), (x + dash + 6, middle)],
                        colour.stroke_width(stroke),
                    ))?;
                }
            }
            Mark::Swatch(colour) => strip.draw(&Rectangle::new(
                [(x, y + 2), (x + 26, y + 16)],
                colour.filled(),
            ))?,
            Mark::Dot(colour) => strip.draw(&Circle::new((x + 13, middle), 6, colour.filled()))?,
        }
        strip.draw(&Text::new(label.clone(), (x + 32, y), label_font(15.0)))?;
        x += advance;
    }
    Ok(())
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
