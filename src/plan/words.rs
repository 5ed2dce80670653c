//! Numbers in words, as the recommendation prints them.

/// The name of the probability a plan targets: "P(done by 48 h)" with a deadline, else
/// "P(complete)".
pub fn targeted(deadline_seconds: Option<f64>) -> String {
    match deadline_seconds {
        Some(d) => format!("P(done by {})", hours(d)),
        None => "P(complete)".to_string(),
    }
}

/// Hours for people: "36 h", "28.5 h", "45 min".
pub fn hours(seconds: f64) -> String {
    if seconds < 3600.0 {
        return format!("{} min", trim(seconds / 60.0));
    }
    format!("{} h", trim(seconds / 3600.0))
}

fn trim(x: f64) -> String {
    let text = format!("{x:.2}");
    text.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// Dollars for people, to the cent like every report: "$25.87", "$412.40", "$1,150.20".
pub fn dollars(usd: f64) -> String {
    crate::units::numbers::usd(usd)
}

/// Percent for people: "64 %", "66.5 %" (one decimal below 10 points of 100).
pub fn percent(x: f64) -> String {
    if !x.is_finite() {
        return "–".into();
    }
    format!("{x:.1} %")
}

#[cfg(test)]
mod tests {
    #[test]
    fn formats() {
        assert_eq!(super::hours(129_600.0), "36 h");
        assert_eq!(super::hours(102_600.0), "28.5 h");
        assert_eq!(super::hours(2700.0), "45 min");
        assert_eq!(super::dollars(1150.2), "$1,150.20");
        assert_eq!(super::dollars(412.4), "$412.40");
        assert_eq!(super::dollars(25.871), "$25.87");
        assert_eq!(super::dollars(1_234_567.0), "$1,234,567.00");
        assert_eq!(super::percent(64.04), "64.0 %");
    }
}
