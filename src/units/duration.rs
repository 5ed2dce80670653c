//! Durations as scenario files write them: integer (or fractional) seconds, or strings with
//! units such as `"90s"`, `"30m"`, `"36h"`, `"2d"`, `"1h 30m"` or `"1.5h"`.

use super::limits::MAX_DURATION_SECONDS;
use serde::de::{self, Deserializer, Visitor};
use std::fmt;

/// Parses a duration string into seconds.
///
/// Accepted units: `ms`, `s`/`sec`/`secs`/`second(s)`, `m`/`min`/`mins`/`minute(s)`,
/// `h`/`hr`/`hrs`/`hour(s)`, `d`/`day(s)`, `w`/`week(s)`. Terms add up (`"1h 30m"`). A bare
/// number of plain digits (`"90"`, `"1.5"`) is seconds. Negative or non-finite values are
/// rejected, and so is a bare number in any other form that Rust would read as a float —
/// `"1e3"`, `"+5"`, `"inf"`: a string that is neither plain seconds nor has a unit is more
/// likely a slip (`"1e3"` for `"1e3s"`? for 1000 hours?) than a meant number of seconds.
pub fn parse_duration(text: &str) -> Result<f64, String> {
    let expected =
        "expected a duration such as 90, \"90s\", \"30m\", \"36h\", \"2d\" or \"1h 30m\"";
    let trimmed = text.trim();
    let quoted = crate::error::excerpt(text);
    if trimmed.is_empty() {
        return Err(format!("{expected}, got an empty string"));
    }
    let plain = trimmed.bytes().all(|b| b.is_ascii_digit() || b == b'.');
    if let Ok(seconds) = trimmed.parse::<f64>() {
        if plain || seconds < 0.0 || !seconds.is_finite() {
            return check_seconds(seconds).map_err(|e| format!("{e} (got {quoted})"));
        }
        return Err(format!(
            "{expected}: {quoted} is a number without a unit in a form other than plain digits; write the seconds as digits (\"1000\") or give a unit (\"1000s\")"
        ));
    }
    let mut total = 0.0;
    let mut rest = trimmed;
    while !rest.is_empty() {
        rest = rest.trim_start();
        let number_len = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        if number_len == 0 {
            return Err(format!("{expected}, got {quoted}"));
        }
        let value: f64 = rest[..number_len]
            .parse()
            .map_err(|_| format!("{expected}, got {quoted}"))?;
        rest = rest[number_len..].trim_start();
        let unit_len = rest
            .find(|c: char| !c.is_ascii_alphabetic())
            .unwrap_or(rest.len());
        let unit = &rest[..unit_len];
        let scale = match unit {
            "ms" => 0.001,
            "s" | "sec" | "secs" | "second" | "seconds" => 1.0,
            "m" | "min" | "mins" | "minute" | "minutes" => 60.0,
            "h" | "hr" | "hrs" | "hour" | "hours" => 3600.0,
            "d" | "day" | "days" => 86_400.0,
            "w" | "week" | "weeks" => 604_800.0,
            "" => {
                return Err(format!("{expected}: {quoted} has a number without a unit"));
            }
            other => {
                return Err(format!(
                    "{expected}: unknown unit {} in {quoted} (use ms, s, m, h, d or w)",
                    crate::error::excerpt(other)
                ));
            }
        };
        total += value * scale;
        rest = rest[unit_len..].trim_start_matches([' ', ',']);
    }
    check_seconds(total).map_err(|e| format!("{e} (got {quoted})"))
}

/// Checks a number of seconds against what every duration must be: finite, not negative, at
/// most [`MAX_DURATION_SECONDS`]. Every duration spotsim reads passes here — scenario keys,
/// market keys, windows, ticks, trace spans.
pub fn check_seconds(seconds: f64) -> Result<f64, String> {
    if !seconds.is_finite() {
        Err("a duration must be finite".to_string())
    } else if seconds < 0.0 {
        Err("a duration cannot be negative".to_string())
    } else if seconds > MAX_DURATION_SECONDS {
        Err(format!(
            "a duration of {seconds:.3e} s is more than ten years"
        ))
    } else {
        Ok(seconds)
    }
}

/// Formats seconds for people: `"36h"`, `"1h 30m"`, `"45s"`, `"2.5s"`.
pub fn format_duration(seconds: f64) -> String {
    if !seconds.is_finite() {
        return "∞".to_string();
    }
    if seconds.fract() != 0.0 || seconds < 60.0 {
        let rounded = (seconds * 1000.0).round() / 1000.0;
        if rounded < 60.0 {
            return format!("{rounded}s");
        }
    }
    let total = seconds.round() as u64;
    let (d, h, m, s) = (
        total / 86_400,
        (total % 86_400) / 3600,
        (total % 3600) / 60,
        total % 60,
    );
    let mut parts = Vec::new();
    // Days are shown as hours below a week: planners think of MaxWait in hours.
    let hours = if total < 604_800 { d * 24 + h } else { h };
    if total >= 604_800 && d > 0 {
        parts.push(format!("{d}d"));
    }
    if hours > 0 {
        parts.push(format!("{hours}h"));
    }
    if m > 0 {
        parts.push(format!("{m}m"));
    }
    if s > 0 || parts.is_empty() {
        parts.push(format!("{s}s"));
    }
    parts.join(" ")
}

/// A duration in seconds that deserializes from a number or a unit string.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd, Default)]
pub struct Seconds(pub f64);

impl<'de> serde::Deserialize<'de> for Seconds {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct SecondsVisitor;
        impl Visitor<'_> for SecondsVisitor {
            type Value = Seconds;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str(
                    "a duration: seconds (number) or a string such as \"30m\" or \"1h 30m\"",
                )
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Seconds, E> {
                check_seconds(v as f64).map(Seconds).map_err(E::custom)
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Seconds, E> {
                check_seconds(v as f64).map(Seconds).map_err(E::custom)
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Seconds, E> {
                check_seconds(v).map(Seconds).map_err(E::custom)
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Seconds, E> {
                parse_duration(v).map(Seconds).map_err(E::custom)
            }
        }
        deserializer.deserialize_any(SecondsVisitor)
    }
}

impl serde::Serialize for Seconds {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if self.0.fract() == 0.0 && self.0.abs() < 9.0e15 {
            serializer.serialize_i64(self.0 as i64)
        } else {
            serializer.serialize_f64(self.0)
        }
    }
}

/// Serialises seconds a user pastes into a request (MaxWait, MaxRuntime, intervals) as the
/// whole number the API takes: boto3 rejects `106200.0` for an integer field. Values are whole
/// seconds already (grids and validation keep them so); a fraction is rounded. A value that is
/// not finite (no MaxWait: on-demand) is `null`.
pub fn serialize_whole_seconds<S: serde::Serializer>(
    seconds: &f64,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    if !seconds.is_finite() {
        return serializer.serialize_none();
    }
    serializer.serialize_u64(seconds.max(0.0).round() as u64)
}

/// [`serialize_whole_seconds`] for an optional value (`null` when absent or not finite).
pub fn serialize_whole_seconds_option<S: serde::Serializer>(
    seconds: &Option<f64>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match seconds.filter(|s| s.is_finite()) {
        Some(s) => serialize_whole_seconds(&s, serializer),
        None => serializer.serialize_none(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_units_and_sums() {
        assert_eq!(parse_duration("90s"), Ok(90.0));
        assert_eq!(parse_duration("30m"), Ok(1800.0));
        assert_eq!(parse_duration("36h"), Ok(129_600.0));
        assert_eq!(parse_duration("2d"), Ok(172_800.0));
        assert_eq!(parse_duration("1h 30m"), Ok(5400.0));
        assert_eq!(parse_duration("1h30m"), Ok(5400.0));
        assert_eq!(parse_duration("1.5h"), Ok(5400.0));
        assert_eq!(parse_duration("179.725h"), Ok(179.725 * 3600.0));
        assert_eq!(parse_duration("250ms"), Ok(0.25));
        assert_eq!(parse_duration("120"), Ok(120.0));
        assert_eq!(parse_duration("0s"), Ok(0.0));
    }

    #[test]
    fn rejects_garbage() {
        for bad in [
            "",
            "h",
            "-5m",
            "5 parsecs",
            "1e999",
            "nan",
            "5x",
            "m5",
            "inf",
            "1e3",
            "1E3",
            "+5",
            "1e-3",
            "infinity",
            "NaN",
        ] {
            assert!(parse_duration(bad).is_err(), "{bad} should be rejected");
        }
        let message = parse_duration("1e3").unwrap_err();
        assert!(message.contains("without a unit"), "{message}");
        // Plain digits stay seconds, with or without a fraction.
        assert_eq!(parse_duration("1000"), Ok(1000.0));
        assert_eq!(parse_duration("1.5"), Ok(1.5));
        assert_eq!(parse_duration(".5"), Ok(0.5));
    }

    #[test]
    fn every_way_of_writing_a_duration_has_the_ten_year_limit() {
        let over = MAX_DURATION_SECONDS + 1.0;
        assert!(parse_duration(&format!("{over}")).is_err());
        assert!(parse_duration("3653d").is_err());
        assert!(parse_duration("3652d").is_ok());
        let seconds = |text: &str| -> Result<Seconds, String> {
            toml::from_str::<toml::Table>(text)
                .map_err(|e| e.to_string())
                .and_then(|t| {
                    t["v"]
                        .clone()
                        .try_into::<Seconds>()
                        .map_err(|e| e.to_string())
                })
        };
        assert!(seconds("v = 315576000").is_ok());
        assert!(seconds("v = 315576001").is_err());
        assert!(seconds("v = 3.2e8").is_err());
        // A TOML integer above i64::MAX is read as a u64.
        let huge: Result<Seconds, _> =
            toml::from_str::<Wrapper>("v = 18446744073709551615").map(|w| w.v);
        assert!(huge.is_err());
    }

    #[derive(Debug, serde::Deserialize)]
    struct Wrapper {
        v: Seconds,
    }

    #[test]
    fn formats_for_people() {
        assert_eq!(format_duration(129_600.0), "36h");
        assert_eq!(format_duration(5400.0), "1h 30m");
        assert_eq!(format_duration(45.0), "45s");
        assert_eq!(format_duration(2.5), "2.5s");
        assert_eq!(format_duration(0.0), "0s");
    }
}
