//! Charts, one function per chart: data in, `NAME.svg` and `NAME.png` out (into a report's
//! staging folder, committed with the rest of the set), the SVG text back (report.html inlines it). Drawn with plotters; text uses the embedded
//! DejaVu Sans (no system fonts), time axes are in hours, money in dollars.

mod distribution;
mod overlay;
mod plan;
mod timeline;

pub use distribution::{CostHistogram, WallClockCdf, cost_histogram_chart, wall_clock_cdf_chart};
pub use overlay::{Overlay, overlay_chart};
pub use plan::{
    COST_OUTLIER_FACTOR, CompletionChart, CompletionPoint, CostAxis, CostChart, CostPoint,
    completion_chart, cost_axis, cost_chart, zoom_hours,
};
pub use timeline::{StatusSpan, StatusTimeline, TimelineRow, status_colour, status_timeline_chart};

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
