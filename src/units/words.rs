//! Durations and shares in words, as the planner's sentences and every report print them
//! ("36 h", "66.5 %", "P(done by 48 h)"). Money in words is [`super::numbers::usd`].
//!
//! They sit in the foundation because both the planner's advice and the reports speak them,
//! and the same quantity must read the same in both.

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

/// Percent for people, to one decimal: "64.0 %", "66.5 %"; "–" when undefined.
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
        assert_eq!(super::percent(64.04), "64.0 %");
    }
}
