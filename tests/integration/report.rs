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

pub(crate) fn check_html(html: &str) {
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.contains("<meta charset=\"utf-8\">"));
    assert!(!html.contains("<script"), "no JavaScript");
    for external in ["src=\"http", "href=\"http", "url(http", "@import"] {
        assert!(!html.contains(external), "external resource: {external}");
    }
    assert!(html.matches("<svg").count() >= 2);
    // Provenance and assumptions come before any table.
    let first_table = html.find("<table").expect("a table");
    for fact in [
        "<dt>Date</dt>",
        "<dt>Command</dt>",
        "(commit ",
        "<dt>Trials and seed</dt>",
        "hash fnv1a64:",
    ] {
        let at = html
            .find(fact)
            .unwrap_or_else(|| panic!("{fact} on the page"));
        assert!(at < first_table, "{fact} before the first table");
    }
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
    let html = std::fs::read_to_string(dir.path().join("report.html")).unwrap();
    check_html(&html);
    let assumptions = html.find("<h2>Assumptions</h2>").expect("assumptions");
    assert!(assumptions < html.find("<table").unwrap());
    assert!(html.contains("Job: 20 h of training on one ml.p3.2xlarge"));
    assert!(
        html.contains("exact values of all 3,000 trials"),
        "the captions say what was drawn"
    );
}

fn chromium() -> Option<PathBuf> {
    let path = PathBuf::from("/usr/bin/chromium");
    path.exists().then_some(path)
}

/// Runs headless Chromium at 1280 px wide on `page` with `extra` arguments; returns stdout.
fn run_chromium(
    browser: &Path,
    profile: &Path,
    page: &Path,
    height: u32,
    extra: &[String],
) -> String {
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
            "--hide-scrollbars",
            "--enable-logging=stderr",
            "--v=0",
        ])
        .arg(format!("--window-size=1280,{height}"))
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(extra)
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
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// What the browser measured on a page at 1280 px.
#[derive(Debug, Deserialize)]
struct Layout {
    /// The document's scrollable width (1280 when nothing overflows the window).
    document_width: f64,
    /// The page's height.
    document_height: f64,
    /// Tables wider than the column they sit in: (index, table width, column width).
    overflowing_tables: Vec<(usize, f64, f64)>,
    /// Tables on the page.
    tables: usize,
    /// Each chart's box on the page: x, y, width, height.
    charts: Vec<[f64; 4]>,
}

/// Lays the page out at 1280 px in headless Chromium and measures it. The report itself has
/// no script: the measuring script is added to a copy, which `--dump-dom` returns with the
/// measurements written into it.
fn measure_layout(browser: &Path, profile: &Path, report: &Path) -> Layout {
    const MEASURE: &str = r#"<script>
const main = document.querySelector('main');
const column = main.clientWidth - parseFloat(getComputedStyle(main).paddingLeft)
  - parseFloat(getComputedStyle(main).paddingRight);
const tables = [...document.querySelectorAll('table')];
const out = {
  document_width: document.documentElement.scrollWidth,
  document_height: document.documentElement.scrollHeight,
  tables: tables.length,
  overflowing_tables: tables
    .map((t, i) => [i, t.getBoundingClientRect().width, column])
    .filter(([, w, c]) => w > c + 0.5),
  charts: [...document.querySelectorAll('figure svg')].map(s => {
    const r = s.getBoundingClientRect();
    return [r.x + scrollX, r.y + scrollY, r.width, r.height];
  }),
};
const pre = document.createElement('pre');
pre.id = 'layout';
pre.textContent = JSON.stringify(out);
document.body.appendChild(pre);
</script>"#;
    let html = std::fs::read_to_string(report).unwrap();
    let measured = report.with_file_name("measured.html");
    std::fs::write(
        &measured,
        html.replace("</body>", &format!("{MEASURE}</body>")),
    )
    .unwrap();
    let dom = run_chromium(
        browser,
        profile,
        &measured,
        1000,
        &["--dump-dom".to_string()],
    );
    let start = dom
        .find("<pre id=\"layout\">")
        .expect("the layout was measured")
        + 17;
    let end = start + dom[start..].find("</pre>").unwrap();
    let json = dom[start..end]
        .replace("&amp;", "&")
        .replace("&lt;", "<")
        .replace("&gt;", ">");
    serde_json::from_str(&json).unwrap_or_else(|e| panic!("{e}: {json}"))
}

/// The report at 1280 px: nothing wider than the window, no table wider than its column,
/// a full-page screenshot in which every chart is drawn (many colours, much ink).
pub(crate) fn check_in_browser(report: &Path, dir: &Path, expected_charts: usize) -> PathBuf {
    let Some(browser) = chromium() else {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "CI=true but /usr/bin/chromium is missing: .ci/run installs Debian's chromium"
        );
        eprintln!("skipped: /usr/bin/chromium not installed");
        return PathBuf::new();
    };
    let profile = dir.join("profile");
    let layout = measure_layout(&browser, &profile, report);
    assert!(layout.tables >= 1, "{layout:?}");
    assert_eq!(
        layout.overflowing_tables,
        vec![],
        "tables overflow at 1280 px"
    );
    assert!(layout.document_width <= 1280.0, "{layout:?}");
    assert_eq!(layout.charts.len(), expected_charts, "{layout:?}");

    let screenshot = dir.join(format!(
        "{}.png",
        report
            .parent()
            .unwrap()
            .file_name()
            .unwrap()
            .to_string_lossy()
    ));
    let height = (layout.document_height.ceil() as u32).clamp(1000, 16_000);
    run_chromium(
        &browser,
        &profile,
        &report.canonicalize().unwrap(),
        height,
        &[format!("--screenshot={}", screenshot.display())],
    );
    let (width, shot_height, pixels, channels) = decode_png(&screenshot);
    assert_eq!((width, shot_height), (1280, height));
    let colours: HashSet<&[u8]> = pixels.chunks(channels).map(|p| &p[..3]).collect();
    assert!(
        colours.len() > 200,
        "screenshot has {} colours: blank?",
        colours.len()
    );
    for (i, [x, y, w, h]) in layout.charts.iter().enumerate() {
        assert!(
            *w >= 600.0 && *h >= 300.0,
            "chart {i} is drawn {w} × {h} px"
        );
        let (x0, y0) = (*x as usize, *y as usize);
        let (x1, y1) = (
            ((x + w) as usize).min(width as usize),
            ((y + h) as usize).min(height as usize),
        );
        assert!(y1 > y0 + 300, "chart {i} lies below the screenshot");
        let mut ink = 0;
        let mut chart_colours = HashSet::new();
        for row in y0..y1 {
            for column in x0..x1 {
                let at = (row * width as usize + column) * channels;
                let pixel = &pixels[at..at + 3];
                chart_colours.insert(pixel);
                ink += usize::from(pixel.iter().any(|&c| c < 200));
            }
        }
        let area = (x1 - x0) * (y1 - y0);
        assert!(
            chart_colours.len() > 20,
            "chart {i}: {} colours",
            chart_colours.len()
        );
        assert!(ink * 100 > area, "chart {i}: {ink} dark pixels of {area}");
    }
    screenshot
}

#[test]
fn report_html_renders_in_headless_chromium() {
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("report");
    plan_into(&report);
    let screenshot = check_in_browser(&report.join("report.html"), dir.path(), PLAN_CHARTS.len());
    if std::env::var_os("SPOTSIM_KEEP_SCREENSHOT").is_some() && screenshot.exists() {
        let _ = std::fs::copy(&screenshot, "/tmp/spotsim-report-screenshot.png");
    }
}

#[test]
fn simulate_and_merge_reports_render_in_headless_chromium() {
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("simulate");
    cargo_bin_cmd!("spotsim")
        .args(["simulate", "--trials", "3000", "--quiet", "--output"])
        .arg(&report)
        .assert()
        .success();
    check_in_browser(
        &report.join("report.html"),
        dir.path(),
        SIMULATION_CHARTS.len(),
    );
    // merge --output writes the same report (without sample timelines: no trials to replay).
    let parts: Vec<PathBuf> = (0..2)
        .map(|i| {
            let part = dir.path().join(format!("part-{i}.json"));
            cargo_bin_cmd!("spotsim")
                .args(["simulate", "--trials", "3000", "--quiet", "--shard"])
                .arg(format!("{i}/2"))
                .arg("--partial")
                .arg(&part)
                .assert()
                .success();
            part
        })
        .collect();
    let merged = dir.path().join("merged");
    cargo_bin_cmd!("spotsim")
        .arg("merge")
        .args(&parts)
        .arg("--output")
        .arg(&merged)
        .assert()
        .success();
    let html = std::fs::read_to_string(merged.join("report.html")).unwrap();
    check_html(&html);
    // The merged distribution charts draw the same exact sample as the single run.
    assert!(
        html.contains("exact values of all 3,000 trials"),
        "merged captions"
    );
    check_in_browser(&merged.join("report.html"), dir.path(), 2);
}
