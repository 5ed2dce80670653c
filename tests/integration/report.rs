//! Report folders end to end: every chart produced and readable (PNG decodes at the expected
//! size, SVG is XML), plan.csv round-trips through the csv crate, report.html renders in a
//! real browser (headless Chromium) without console errors and with the charts drawn.

use assert_cmd::cargo::cargo_bin_cmd;
use serde::Deserialize;
use spotsim::report::charts::CHART_SIZE;
use spotsim::report::plan::PlanRow;
use std::collections::HashSet;
use std::path::{Path, PathBuf};

const PLAN_CHARTS: [&str; 5] = [
    "plan-completion",
    "plan-cost",
    "wall-clock-cdf",
    "cost-histogram",
    "status-timeline",
];
const SIMULATION_CHARTS: [&str; 3] = ["wall-clock-cdf", "cost-histogram", "status-timeline"];

/// Decodes a PNG: (width, height, RGB(A) pixels, bytes per pixel).
fn decode_png(path: &Path) -> (u32, u32, Vec<u8>, usize) {
    let file = std::fs::File::open(path).unwrap();
    let decoder = png::Decoder::new(std::io::BufReader::new(file));
    let mut reader = decoder.read_info().unwrap();
    let mut buffer = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buffer).unwrap();
    buffer.truncate(info.buffer_size());
    let channels = info.color_type.samples();
    assert_eq!(info.bit_depth, png::BitDepth::Eight);
    (info.width, info.height, buffer, channels)
}

fn check_charts(folder: &Path, names: &[&str]) {
    for name in names {
        let png_path = folder.join(format!("{name}.png"));
        let svg_path = folder.join(format!("{name}.svg"));
        for path in [&png_path, &svg_path] {
            let size = std::fs::metadata(path)
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
                .len();
            assert!(size > 1000, "{} is {size} bytes", path.display());
        }
        let (width, height, pixels, channels) = decode_png(&png_path);
        assert_eq!((width, height), CHART_SIZE, "{name}.png");
        let colours: HashSet<&[u8]> = pixels.chunks(channels).collect();
        assert!(
            colours.len() > 20,
            "{name}.png has {} colours",
            colours.len()
        );
        let svg = std::fs::read_to_string(&svg_path).unwrap();
        let document = roxmltree::Document::parse(&svg)
            .unwrap_or_else(|e| panic!("{name}.svg is not XML: {e}"));
        assert_eq!(document.root_element().tag_name().name(), "svg");
        assert!(svg.contains("<text"), "{name}.svg has no text");
    }
}

/// A subset of plan.csv's columns, as a pandas user would read them.
#[derive(Debug, Deserialize)]
struct CsvRow {
    max_wait_seconds: u64,
    max_wait_hours: f64,
    p_completed: f64,
    p_completed_ci95_low: f64,
    p_completed_ci95_high: f64,
    p_max_wait_exceeded: f64,
    cost_mean_usd: f64,
    cost_p50_usd: f64,
    cost_p95_usd: f64,
    true_savings_percent: Option<f64>,
    recommended: bool,
}

fn plan_into(folder: &Path) -> String {
    let output = cargo_bin_cmd!("spotsim")
        .args(["plan", "--trials", "4000", "--quiet", "--output"])
        .arg(folder)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

#[test]
fn plan_output_folder_has_every_file_and_chart() {
    let dir = tempfile::tempdir().unwrap();
    let stdout = plan_into(dir.path());
    assert!(stdout.contains("Set MaxWaitTimeInSeconds = "), "{stdout}");
    for file in ["plan.csv", "plan.json", "report.md", "report.html"] {
        let size = std::fs::metadata(dir.path().join(file)).unwrap().len();
        assert!(size > 500, "{file}: {size} bytes");
    }
    check_charts(dir.path(), &PLAN_CHARTS);

    // plan.csv: header with units, one row per MaxWait, no thousands separators.
    let text = std::fs::read_to_string(dir.path().join("plan.csv")).unwrap();
    let header = text.lines().next().unwrap();
    for column in [
        "max_wait_seconds",
        "max_wait_hours",
        "p_completed",
        "p_completed_ci95_low",
        "cost_mean_usd",
        "cost_p50_usd",
        "cost_p95_usd",
        "true_savings_percent",
    ] {
        assert!(
            header.split(',').any(|c| c == column),
            "{column} in {header}"
        );
    }
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let rows: Vec<CsvRow> = reader.deserialize().map(Result::unwrap).collect();
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("plan.json")).unwrap())
            .unwrap();
    let points = json["points"].as_array().unwrap();
    assert_eq!(rows.len(), points.len());
    assert_eq!(rows.iter().filter(|r| r.recommended).count(), 1);
    for (row, point) in rows.iter().zip(points) {
        assert_eq!(
            row.max_wait_seconds as f64,
            point["max_wait_seconds"].as_f64().unwrap()
        );
        assert_eq!(row.max_wait_hours * 3600.0, row.max_wait_seconds as f64);
        assert_eq!(
            row.p_completed,
            point["completed"]["probability"].as_f64().unwrap()
        );
        assert!(
            row.p_completed_ci95_low <= row.p_completed
                && row.p_completed <= row.p_completed_ci95_high
        );
        assert!((row.p_completed + row.p_max_wait_exceeded - 1.0).abs() < 1e-9);
        assert!(row.cost_p50_usd <= row.cost_p95_usd && row.cost_mean_usd > 0.0);
        assert!(row.true_savings_percent.is_some());
    }
    // The library's own row type reads it back identically.
    let typed: Vec<PlanRow> = csv::Reader::from_reader(text.as_bytes())
        .deserialize()
        .map(Result::unwrap)
        .collect();
    let mut writer = csv::Writer::from_writer(Vec::new());
    for row in &typed {
        writer.serialize(row).unwrap();
    }
    assert_eq!(
        String::from_utf8(writer.into_inner().unwrap()).unwrap(),
        text
    );

    let markdown = std::fs::read_to_string(dir.path().join("report.md")).unwrap();
    assert!(markdown.contains("Set MaxWaitTimeInSeconds"));
    assert!(markdown.contains("](plan-completion.svg)"));
    let html = std::fs::read_to_string(dir.path().join("report.html")).unwrap();
    check_html(&html);
    assert!(html.contains("Set MaxWaitTimeInSeconds"));
    assert!(
        html.contains("[job]"),
        "the resolved scenario is on the page"
    );
}

fn check_html(html: &str) {
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.contains("<meta charset=\"utf-8\">"));
    assert!(!html.contains("<script"), "no JavaScript");
    for external in ["src=\"http", "href=\"http", "url(http", "@import"] {
        assert!(!html.contains(external), "external resource: {external}");
    }
    assert!(html.matches("<svg").count() >= 3);
    assert!(html.trim_end().ends_with("</html>"));
}

#[test]
fn simulate_output_folder_has_charts_and_report() {
    let dir = tempfile::tempdir().unwrap();
    let output = cargo_bin_cmd!("spotsim")
        .args(["simulate", "--trials", "3000", "--quiet", "--output"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    for file in ["summary.json", "summary.csv", "summary.md", "report.html"] {
        assert!(dir.path().join(file).exists(), "{file}");
    }
    check_charts(dir.path(), &SIMULATION_CHARTS);
    check_html(&std::fs::read_to_string(dir.path().join("report.html")).unwrap());
}

fn chromium() -> Option<PathBuf> {
    let path = PathBuf::from("/usr/bin/chromium");
    path.exists().then_some(path)
}

#[test]
fn report_html_renders_in_headless_chromium() {
    let Some(browser) = chromium() else {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "CI=true but /usr/bin/chromium is missing: .ci/run installs Debian's chromium"
        );
        eprintln!("skipped: /usr/bin/chromium not installed");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("report");
    plan_into(&report);
    let profile = dir.path().join("profile");
    let screenshot = dir.path().join("screenshot.png");
    let page = report.join("report.html").canonicalize().unwrap();
    let output = std::process::Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--enable-logging=stderr",
            "--v=0",
            "--window-size=1280,2000",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(format!("--screenshot={}", screenshot.display()))
        .arg(format!("file://{}", page.display()))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "chromium failed: {stderr}");
    for line in stderr.lines() {
        let about_page = line.contains("report.html") || line.contains("CONSOLE");
        assert!(!line.contains("Uncaught"), "{line}");
        assert!(
            !(about_page && (line.contains("ERROR") || line.contains("error"))),
            "console error: {line}"
        );
    }
    if std::env::var_os("SPOTSIM_KEEP_SCREENSHOT").is_some() {
        let _ = std::fs::copy(&screenshot, "/tmp/spotsim-report-screenshot.png");
    }
    let (width, height, pixels, channels) = decode_png(&screenshot);
    assert_eq!(width, 1280);
    assert!(height >= 1000, "{height}");
    let colours: HashSet<&[u8]> = pixels.chunks(channels).map(|p| &p[..3]).collect();
    assert!(
        colours.len() > 200,
        "screenshot has {} colours: blank?",
        colours.len()
    );
    // The charts sit below the recommendation: the middle of the page is drawn on.
    let row_bytes = width as usize * channels;
    let middle = &pixels[row_bytes * (height as usize / 4)..row_bytes * (3 * height as usize / 4)];
    let non_white = middle
        .chunks(channels)
        .filter(|p| p[..3].iter().any(|&c| c < 235))
        .count();
    assert!(
        non_white > middle.len() / channels / 50,
        "only {non_white} non-white pixels in the chart area"
    );
}
