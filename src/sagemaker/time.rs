//! UTC timestamps as DescribeTrainingJob prints them (ISO-8601), without a date-time crate:
//! the proleptic Gregorian calendar is a few lines of integer arithmetic.

/// Days from 1970-01-01 to the given civil date (proleptic Gregorian).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let year_of_era = y - era * 400;
    let shifted_month = (month + 9) % 12; // March = 0
    let day_of_year = (153 * shifted_month + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// The civil date (year, month, day) of a day count since 1970-01-01.
pub fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let shifted_month = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * shifted_month + 2) / 5 + 1;
    let month = if shifted_month < 10 {
        shifted_month + 3
    } else {
        shifted_month - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// Parses `YYYY-MM-DDTHH:MM:SS[.fff](Z|+00:00)` (or a space instead of `T`, and no zone for
/// UTC) into milliseconds since the Unix epoch.
pub fn parse_utc_millis(text: &str) -> Result<i64, String> {
    let expected = || {
        format!(
            "expected a UTC timestamp like \"2026-01-01T00:00:00Z\", got {}",
            crate::error::excerpt(text)
        )
    };
    let s = text.trim();
    let body = s
        .strip_suffix('Z')
        .or_else(|| s.strip_suffix("+00:00"))
        .or_else(|| s.strip_suffix("+0000"))
        .unwrap_or(s);
    let bytes = body.as_bytes();
    if bytes.len() < 19 || !(bytes[10] == b'T' || bytes[10] == b' ') {
        return Err(expected());
    }
    let field = |range: std::ops::Range<usize>| -> Result<i64, String> {
        let part = body.get(range).ok_or_else(expected)?;
        if !part.bytes().all(|b| b.is_ascii_digit()) {
            return Err(expected());
        }
        part.parse::<i64>().map_err(|_| expected())
    };
    if bytes[4] != b'-' || bytes[7] != b'-' || bytes[13] != b':' || bytes[16] != b':' {
        return Err(expected());
    }
    let (year, month, day) = (field(0..4)?, field(5..7)?, field(8..10)?);
    let (hour, minute, second) = (field(11..13)?, field(14..16)?, field(17..19)?);
    let days_in_month = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        _ => return Err(expected()),
    };
    if day < 1 || day > days_in_month || hour > 23 || minute > 59 || second > 59 {
        return Err(expected());
    }
    let mut millis = 0;
    if bytes.len() > 19 {
        let fraction = body[19..].strip_prefix('.').ok_or_else(expected)?;
        if fraction.is_empty() || !fraction.bytes().all(|b| b.is_ascii_digit()) {
            return Err(expected());
        }
        let padded: String = fraction.chars().chain("000".chars()).take(3).collect();
        millis = padded.parse::<i64>().map_err(|_| expected())?;
    }
    let days = days_from_civil(year, month, day);
    Ok(((days * 24 + hour) * 60 + minute) * 60_000 + second * 1000 + millis)
}

/// Formats milliseconds since the epoch as `YYYY-MM-DDTHH:MM:SS.mmmZ`.
pub fn format_utc_millis(millis: i64) -> String {
    let days = millis.div_euclid(86_400_000);
    let in_day = millis.rem_euclid(86_400_000);
    let (year, month, day) = civil_from_days(days);
    let (hour, minute) = (in_day / 3_600_000, (in_day / 60_000) % 60);
    let (second, milli) = ((in_day / 1000) % 60, in_day % 1000);
    format!("{year:04}-{month:02}-{day:02}T{hour:02}:{minute:02}:{second:02}.{milli:03}Z")
}

/// The timestamp `seconds` after `origin_millis`, rounded to the millisecond.
pub fn offset_millis(origin_millis: i64, seconds: f64) -> i64 {
    origin_millis + (seconds * 1000.0).round() as i64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_known_dates() {
        assert_eq!(parse_utc_millis("1970-01-01T00:00:00Z"), Ok(0));
        // 2026-01-01 is 20,454 days after the epoch.
        assert_eq!(
            parse_utc_millis("2026-01-01T00:00:00Z"),
            Ok(20_454 * 86_400_000)
        );
        assert_eq!(
            parse_utc_millis("2023-02-15 22:08:16"),
            parse_utc_millis("2023-02-15T22:08:16+00:00")
        );
        for text in [
            "2024-02-29T23:59:59.999Z",
            "2000-03-01T00:00:00.000Z",
            "1999-12-31T12:34:56.789Z",
        ] {
            assert_eq!(format_utc_millis(parse_utc_millis(text).unwrap()), text);
        }
    }

    #[test]
    fn rejects_bad_dates() {
        for bad in [
            "2026-02-30T00:00:00Z",
            "2026-13-01T00:00:00Z",
            "2026-01-01",
            "yesterday",
            "2026-01-01T25:00:00Z",
        ] {
            assert!(parse_utc_millis(bad).is_err(), "{bad}");
        }
    }
}
