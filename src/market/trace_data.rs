//! Loading availability traces: CSV `date,availability` (rows hold until the next
//! timestamp), JSON `{"metadata":{"gap_seconds":g},"data":[…]}` (one value per tick, optional
//! per-tick `prices`), and event lists `time_ms,add|remove,node` (a pool whose size is counted).
//!
//! A trace is kept as rows: the time of each row (seconds from the trace start) and its raw
//! value (0/1 or a count). Whether a value means "available" is decided by the declared
//! convention and threshold ([`TraceData::availability`]), never guessed.

use crate::error::{InputError, excerpt};
use crate::sagemaker::time::parse_utc_millis;
use crate::units::duration::check_seconds;
use std::path::Path;

/// How 0/1 values are to be read. Traces in the wild use both; a loader must be told.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Convention {
    /// 1 (or a count ≥ threshold) = capacity available.
    Available,
    /// 1 = preempted (capacity NOT available), 0 = available.
    Preempted,
}

impl Convention {
    /// Parses `"available"` / `"preempted"`.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "available" => Some(Self::Available),
            "preempted" => Some(Self::Preempted),
            _ => None,
        }
    }

    /// The name as written in a scenario.
    pub fn name(self) -> &'static str {
        match self {
            Self::Available => "available",
            Self::Preempted => "preempted",
        }
    }
}

/// File formats of traces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TraceFormat {
    /// `date,availability` rows.
    Csv,
    /// `{"metadata":{"gap_seconds":g},"data":[…]}`.
    Json,
    /// `time_ms,add|remove,node` rows.
    Events,
}

impl TraceFormat {
    /// Parses a format name.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "csv" => Some(Self::Csv),
            "json" => Some(Self::Json),
            "events" => Some(Self::Events),
            _ => None,
        }
    }

    /// The format a file most likely has: `.json` is JSON; a CSV whose first line has `add` or
    /// `remove` in its second field is an event list.
    pub fn guess(path: &Path, text: &str) -> Self {
        if path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("json"))
        {
            return Self::Json;
        }
        let first = text.lines().next().unwrap_or("");
        match first.split(',').nth(1).map(str::trim) {
            Some("add") | Some("remove") => Self::Events,
            _ => Self::Csv,
        }
    }
}

/// A loaded trace.
#[derive(Debug, Clone, PartialEq)]
pub struct TraceData {
    /// The file it came from.
    pub file: String,
    /// Start of each row, seconds from the trace start (strictly increasing, first = 0).
    pub times: Vec<f64>,
    /// Raw value of each row (0/1 or a count).
    pub values: Vec<u32>,
    /// End of the last row.
    pub end_seconds: f64,
    /// Nominal tick (JSON `gap_seconds`, or the median spacing of CSV rows).
    pub tick_seconds: f64,
    /// Per-row spot prices carried by the file (JSON `prices`), USD/h.
    pub prices: Option<Vec<f64>>,
    /// Whether the values are 0/1 only.
    pub binary: bool,
    /// The file's format.
    pub format: TraceFormat,
}

fn line_error(file: &str, line: usize, message: impl Into<String>) -> InputError {
    InputError::new(file, message).at_line(Some(line))
}

fn median_spacing(times: &[f64]) -> f64 {
    let mut spacing: Vec<f64> = times.windows(2).map(|w| w[1] - w[0]).collect();
    if spacing.is_empty() {
        return 0.0;
    }
    spacing.sort_by(f64::total_cmp);
    spacing[spacing.len() / 2]
}

impl TraceData {
    /// Loads a trace file. `max_gap_factor`: a CSV spacing larger than this many times the
    /// median spacing is a hole in the data and an error.
    pub fn load(
        path: &Path,
        format: Option<TraceFormat>,
        max_gap_factor: f64,
    ) -> Result<Self, InputError> {
        use std::io::BufRead;
        let file = path.display().to_string();
        let cannot =
            |e: std::io::Error| InputError::new(&file, format!("cannot read the trace: {e}"));
        let mut reader = crate::files::input::open(path, crate::files::input::InputKind::Trace)
            .map_err(cannot)?;
        // The format is guessed from the name and the first line; CSV is then streamed.
        let first_line = {
            let buffer = reader.fill_buf().map_err(cannot)?;
            let end = buffer
                .iter()
                .position(|&b| b == b'\n')
                .unwrap_or(buffer.len());
            String::from_utf8_lossy(&buffer[..end]).into_owned()
        };
        let whole = |reader| {
            crate::files::input::read_rest(reader)
                .map_err(|e| crate::files::input::read_error(&file, "trace", e))
        };
        match format.unwrap_or_else(|| TraceFormat::guess(path, &first_line)) {
            TraceFormat::Csv => Self::from_csv_lines(
                &file,
                crate::files::input::lines(reader, &file, "trace"),
                max_gap_factor,
            ),
            TraceFormat::Json => Self::from_json(&file, &whole(reader)?),
            TraceFormat::Events => Self::from_events(&file, &whole(reader)?),
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn finish(
        file: &str,
        format: TraceFormat,
        times: Vec<f64>,
        values: Vec<u32>,
        end_seconds: f64,
        tick_seconds: f64,
        prices: Option<Vec<f64>>,
    ) -> Result<Self, InputError> {
        if times.len() < 2 {
            return Err(InputError::new(
                file,
                format!("a trace needs at least two rows, found {}", times.len()),
            ));
        }
        let binary = values.iter().all(|&v| v <= 1);
        Ok(Self {
            file: file.to_string(),
            times,
            values,
            end_seconds,
            tick_seconds,
            prices,
            binary,
            format,
        })
    }

    /// CSV `date,availability`: UTC `YYYY-MM-DD HH:MM:SS` (or ISO-8601) and a non-negative
    /// integer. Rows hold until the next timestamp; the last row for the median spacing.
    pub fn from_csv(file: &str, text: &str, max_gap_factor: f64) -> Result<Self, InputError> {
        Self::from_csv_lines(
            file,
            text.lines().map(|l| Ok(l.to_string())),
            max_gap_factor,
        )
    }

    /// [`TraceData::from_csv`] over lines read one at a time ([`crate::files::input::lines`]): a trace
    /// of 10^7 rows is never held as text, only as its rows (12 bytes each).
    pub fn from_csv_lines(
        file: &str,
        lines: impl Iterator<Item = Result<String, InputError>>,
        max_gap_factor: f64,
    ) -> Result<Self, InputError> {
        let mut read_error = None;
        let mut lines = lines
            .map_while(|l| l.map_err(|e| read_error = Some(e)).ok())
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty());
        let Some((header_index, header)) = lines.next() else {
            drop(lines);
            if let Some(error) = read_error {
                return Err(error);
            }
            return Err(InputError::new(
                file,
                "the trace is empty (expected a header `date,availability` and rows)",
            ));
        };
        let header: Vec<&str> = header.split(',').map(str::trim).collect();
        if header.len() != 2 || header[0].trim_start_matches('\u{feff}') != "date" {
            // The line is described, never quoted: a path given as a trace may name any file.
            let what = if header.len() == 2 {
                "its first field is not `date`".to_string()
            } else {
                let n = header.len();
                format!(
                    "it has {n} comma-separated field{}",
                    if n == 1 { "" } else { "s" }
                )
            };
            return Err(line_error(
                file,
                header_index + 1,
                format!(
                    "expected the header `date,availability`, but {what}: is this an availability trace?"
                ),
            ));
        }
        let mut stamps = Vec::new();
        let mut values = Vec::new();
        let mut lines_of_rows: Vec<u32> = Vec::new();
        for (index, line) in lines.by_ref() {
            let line = line.as_str();
            let number = index + 1;
            let fields: Vec<&str> = line.split(',').map(str::trim).collect();
            if fields.len() != 2 {
                return Err(line_error(
                    file,
                    number,
                    format!(
                        "expected 2 fields `date,availability`, got {}",
                        fields.len()
                    ),
                ));
            }
            let millis = parse_utc_millis(fields[0]).map_err(|m| line_error(file, number, m))?;
            let value: u32 = fields[1].parse().map_err(|_| {
                line_error(
                    file,
                    number,
                    format!(
                        "expected a non-negative integer availability, got {}",
                        excerpt(fields[1])
                    ),
                )
            })?;
            if let Some(&previous) = stamps.last()
                && millis <= previous
            {
                return Err(line_error(
                    file,
                    number,
                    if millis == previous {
                        "duplicate timestamp (rows must be strictly increasing in time)"
                    } else {
                        "timestamp earlier than the row before (rows must be sorted by time)"
                    },
                ));
            }
            stamps.push(millis);
            values.push(value);
            lines_of_rows.push(u32::try_from(number).unwrap_or(u32::MAX));
        }
        drop(lines);
        if let Some(error) = read_error {
            return Err(error);
        }
        if stamps.len() < 2 {
            // Found by fuzzing: a header without rows once sliced an empty list.
            return Err(InputError::new(
                file,
                format!("a trace needs at least two rows, found {}", stamps.len()),
            ));
        }
        let first = stamps[0];
        let times: Vec<f64> = stamps
            .iter()
            .map(|&m| (m - first) as f64 / 1000.0)
            .collect();
        if let Some(row) = times.iter().position(|&t| check_seconds(t).is_err()) {
            return Err(line_error(
                file,
                lines_of_rows[row] as usize,
                format!(
                    "this row is {} s after the first: a trace may span at most ten years",
                    times[row]
                ),
            ));
        }
        let tick = median_spacing(&times);
        for (pair, line) in times.windows(2).zip(&lines_of_rows[1..]) {
            let spacing = pair[1] - pair[0];
            if spacing > max_gap_factor * tick {
                return Err(line_error(
                    file,
                    *line as usize,
                    format!(
                        "gap of {spacing} s before this row (typical spacing {tick} s): the trace has a hole; fill it or raise [market] max_gap"
                    ),
                ));
            }
        }
        let end = times.last().copied().unwrap_or(0.0) + tick;
        Self::finish(file, TraceFormat::Csv, times, values, end, tick, None)
    }

    /// JSON `{"metadata":{"gap_seconds":g,…},"data":[v…],"prices":[p…]?}`.
    pub fn from_json(file: &str, text: &str) -> Result<Self, InputError> {
        let value: serde_json::Value = serde_json::from_str(text).map_err(|e| {
            InputError::new(file, format!("not valid JSON: {e}")).at_line(Some(e.line()))
        })?;
        let gap = value
            .pointer("/metadata/gap_seconds")
            .and_then(serde_json::Value::as_f64)
            .ok_or_else(|| {
                InputError::new(file, "expected metadata.gap_seconds (a positive number)")
                    .at_key("metadata.gap_seconds")
            })?;
        // Like every duration spotsim reads: a tick longer than ten years is a typo, and would
        // put a trial's instants beyond any limit.
        if !(gap > 0.0 && check_seconds(gap).is_ok()) {
            return Err(InputError::new(
                file,
                format!(
                    "expected a tick length greater than zero and at most ten years, got {gap} s"
                ),
            )
            .at_key("metadata.gap_seconds"));
        }
        let data = value
            .get("data")
            .and_then(serde_json::Value::as_array)
            .ok_or_else(|| {
                InputError::new(file, "expected `data`: an array with one value per tick")
                    .at_key("data")
            })?;
        let mut values = Vec::with_capacity(data.len());
        for (i, v) in data.iter().enumerate() {
            let count = v
                .as_u64()
                .filter(|&c| c <= u64::from(u32::MAX))
                .ok_or_else(|| {
                    InputError::new(
                        file,
                        format!(
                            "expected a non-negative integer, got {}",
                            excerpt(&v.to_string())
                        ),
                    )
                    .at_key(format!("data[{i}]"))
                })?;
            values.push(count as u32);
        }
        let prices = match value.get("prices") {
            None | Some(serde_json::Value::Null) => None,
            Some(serde_json::Value::Array(list)) => {
                if list.len() != values.len() {
                    return Err(InputError::new(
                        file,
                        format!("`prices` has {} entries but `data` has {}: they must align one per tick", list.len(), values.len()),
                    )
                    .at_key("prices"));
                }
                let mut prices = Vec::with_capacity(list.len());
                for (i, p) in list.iter().enumerate() {
                    prices
                        .push(crate::market::price::price_from_json(p).map_err(|m| {
                            InputError::new(file, m).at_key(format!("prices[{i}]"))
                        })?);
                }
                Some(prices)
            }
            Some(_) => {
                return Err(InputError::new(file, "`prices` must be an array").at_key("prices"));
            }
        };
        let end = values.len() as f64 * gap;
        check_seconds(end).map_err(|m| {
            InputError::new(
                file,
                format!(
                    "{} ticks of {gap} s: {m}; a trace may span at most ten years",
                    values.len()
                ),
            )
            .at_key("metadata.gap_seconds")
        })?;
        let times = (0..values.len()).map(|i| i as f64 * gap).collect();
        Self::finish(file, TraceFormat::Json, times, values, end, gap, prices)
    }

    /// Event list `time_ms,add|remove,node` (no header): the value of each row is the number of
    /// nodes in the pool after the events at that time.
    pub fn from_events(file: &str, text: &str) -> Result<Self, InputError> {
        let mut live = std::collections::BTreeSet::new();
        let mut times: Vec<f64> = Vec::new();
        let mut values: Vec<u32> = Vec::new();
        let mut last_ms: Option<u64> = None;
        let mut first_ms: Option<u64> = None;
        for (index, line) in text.lines().enumerate() {
            let number = index + 1;
            if line.trim().is_empty() {
                continue;
            }
            let fields: Vec<&str> = line.split(',').map(str::trim).collect();
            if fields.len() != 3 {
                return Err(line_error(
                    file,
                    number,
                    format!(
                        "expected `time_ms,add|remove,node`, got {} fields",
                        fields.len()
                    ),
                ));
            }
            if fields[2].is_empty() {
                // An empty name would be one node shared by every such row.
                return Err(line_error(
                    file,
                    number,
                    "the node name is empty (expected `time_ms,add|remove,node`)",
                ));
            }
            let ms: u64 = fields[0].parse().map_err(|_| {
                line_error(
                    file,
                    number,
                    format!(
                        "expected a time in milliseconds, got {}",
                        excerpt(fields[0])
                    ),
                )
            })?;
            if last_ms.is_some_and(|last| ms < last) {
                return Err(line_error(
                    file,
                    number,
                    "event earlier than the one before (events must be sorted by time)",
                ));
            }
            match fields[1] {
                "add" => {
                    if !live.insert(fields[2].to_string()) {
                        return Err(line_error(
                            file,
                            number,
                            format!("node {} is added twice", excerpt(fields[2])),
                        ));
                    }
                }
                "remove" => {
                    if !live.remove(fields[2]) {
                        return Err(line_error(
                            file,
                            number,
                            format!(
                                "node {} is removed but was not in the pool",
                                excerpt(fields[2])
                            ),
                        ));
                    }
                }
                other => {
                    return Err(line_error(
                        file,
                        number,
                        format!("expected add or remove, got {}", excerpt(other)),
                    ));
                }
            }
            let since_first = (ms - *first_ms.get_or_insert(ms)) as f64 / 1000.0;
            if check_seconds(since_first).is_err() {
                return Err(line_error(
                    file,
                    number,
                    format!(
                        "this event is {since_first} s after the first: a trace may span at most ten years"
                    ),
                ));
            }
            let t = ms as f64 / 1000.0;
            if last_ms == Some(ms) {
                if let Some(v) = values.last_mut() {
                    *v = live.len() as u32;
                }
            } else {
                times.push(t);
                values.push(live.len() as u32);
            }
            last_ms = Some(ms);
        }
        if let Some(&first) = times.first() {
            for t in &mut times {
                *t -= first;
            }
        }
        let tick = median_spacing(&times);
        let end = times.last().copied().unwrap_or(0.0) + tick;
        Self::finish(file, TraceFormat::Events, times, values, end, tick, None)
    }

    /// Intervals `[start, end)` (seconds from the trace start) in which capacity is available,
    /// merged where adjacent. `threshold`: a row is available when its count ≥ threshold
    /// (convention `available`); with `preempted`, values must be 0/1 and 0 is available.
    pub fn availability(&self, convention: Convention, threshold: u32) -> Vec<(f64, f64)> {
        let mut intervals: Vec<(f64, f64)> = Vec::new();
        for (i, (&start, &value)) in self.times.iter().zip(&self.values).enumerate() {
            let available = match convention {
                Convention::Available => value >= threshold,
                Convention::Preempted => value == 0,
            };
            if !available {
                continue;
            }
            let end = self.times.get(i + 1).copied().unwrap_or(self.end_seconds);
            match intervals.last_mut() {
                Some(last) if last.1 == start => last.1 = end,
                _ => intervals.push((start, end)),
            }
        }
        intervals
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_rows_hold_until_the_next_timestamp() {
        let text = "date,availability\n2023-01-01 00:00:00,1\n2023-01-01 00:10:00,0\n2023-01-01 00:20:00,1\n2023-01-01 00:30:00,1\n";
        let t = TraceData::from_csv("t.csv", text, 2.0).unwrap();
        assert_eq!(t.times, [0.0, 600.0, 1200.0, 1800.0]);
        assert_eq!(t.end_seconds, 2400.0);
        assert_eq!(
            t.availability(Convention::Available, 1),
            [(0.0, 600.0), (1200.0, 2400.0)]
        );
        assert_eq!(t.availability(Convention::Preempted, 1), [(600.0, 1200.0)]);
    }

    #[test]
    fn csv_without_rows_is_an_error_not_a_crash() {
        // Regression found by the fuzz target: a header alone.
        assert!(TraceData::from_csv("t.csv", "date,availability\n", 2.0).is_err());
        assert!(
            TraceData::from_csv("t.csv", "date,availability\n2026-01-01 00:00:00,1\n", 2.0)
                .is_err()
        );
    }

    #[test]
    fn csv_errors_name_the_line() {
        let unsorted = "date,availability\n2023-01-01 00:10:00,1\n2023-01-01 00:00:00,0\n";
        let e = TraceData::from_csv("t.csv", unsorted, 2.0).unwrap_err();
        assert_eq!(e.line, Some(3));
        let gap = "date,availability\n2023-01-01 00:00:00,1\n2023-01-01 00:10:00,0\n2023-01-01 00:20:00,1\n2023-01-01 02:00:00,1\n";
        let e = TraceData::from_csv("t.csv", gap, 2.0).unwrap_err();
        assert_eq!(e.line, Some(5));
        assert!(e.message.contains("gap"));
        let bad = "date,availability\n2023-01-01 00:00:00,x\n2023-01-01 00:10:00,0\n";
        assert_eq!(
            TraceData::from_csv("t.csv", bad, 2.0).unwrap_err().line,
            Some(2)
        );
    }

    #[test]
    fn json_ticks_and_prices() {
        let t = TraceData::from_json(
            "t.json",
            r#"{"metadata":{"gap_seconds":600},"data":[1,0,1],"prices":[1.0,2.0,3.0]}"#,
        )
        .unwrap();
        assert_eq!(t.times, [0.0, 600.0, 1200.0]);
        assert_eq!(t.end_seconds, 1800.0);
        assert_eq!(t.prices.as_deref(), Some(&[1.0, 2.0, 3.0][..]));
        assert_eq!(t.availability(Convention::Preempted, 1), [(600.0, 1200.0)]);
        assert!(TraceData::from_json("t.json", r#"{"metadata":{},"data":[1,0]}"#).is_err());
        assert!(
            TraceData::from_json("t.json", r#"{"metadata":{"gap_seconds":60},"data":[1,-1]}"#)
                .is_err()
        );
        // A tick of 1e300 s once made every tick-clock figure 1e23 h.
        let huge = TraceData::from_json(
            "t.json",
            r#"{"metadata":{"gap_seconds":1e300},"data":[1,0]}"#,
        )
        .unwrap_err();
        assert_eq!(huge.key.as_deref(), Some("metadata.gap_seconds"));
        assert!(huge.message.contains("ten years"), "{}", huge.message);
    }

    #[test]
    fn events_count_the_pool() {
        let t = TraceData::from_events("e.csv", "0,add,a\n0,add,b\n1000,remove,a\n3000,add,c\n")
            .unwrap();
        assert_eq!(t.times, [0.0, 1.0, 3.0]);
        assert_eq!(t.values, [2, 1, 2]);
        assert_eq!(
            t.availability(Convention::Available, 2),
            [(0.0, 1.0), (3.0, 5.0)]
        );
        assert!(TraceData::from_events("e.csv", "0,add,a\n0,add,a\n").is_err());
        assert!(TraceData::from_events("e.csv", "5,add,a\n1,add,b\n").is_err());
    }
}
