//! Numbers for people, one way each across every report: counts and money with thousands
//! separators ("10,000", "$2,098.30"), money always to the cent, so a table, a sentence and a
//! chart label never show the same amount three ways.

/// Digits of a whole number, grouped by thousands.
fn grouped(digits: &str) -> String {
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A count: "10,000".
pub fn count(n: u64) -> String {
    grouped(&n.to_string())
}

/// `x` with `decimals` decimals, halves rounded away from zero after snapping `x` to a
/// ten-thousandth of the last digit. A mean over trials carries float noise far below that
/// (79.30499999993481 for a job whose every trial costs 79.305): without the snap, the same
/// amount would print "79.30" in a table and "$79.31" in the sentence under it, depending on
/// which side of the half the noise fell. The snap works while x·10^(decimals+4) stays below
/// 2^53 (amounts under about $900 million at two decimals); beyond, the float itself decides.
pub fn fixed(x: f64, decimals: usize) -> String {
    if !x.is_finite() {
        return format!("{x:.decimals$}");
    }
    let scale = 10f64.powi(decimals as i32);
    let snapped = x * scale * 1e4;
    // Past 2^53 the float has no fraction left to snap (and may overflow): it prints as is.
    if snapped.abs() >= 9_007_199_254_740_992.0 {
        return format!("{x:.decimals$}");
    }
    let units = (snapped.round() / 1e4).round();
    // The rounded whole number of last-digit units is exact in f64: dividing once prints it.
    let text = format!("{:.decimals$}", (units / scale).abs());
    let sign = if units < 0.0 { "-" } else { "" };
    format!("{sign}{text}")
}

/// Money to the cent: "$25.87", "$2,098.30", "-$3.10"; "–" when undefined.
pub fn usd(x: f64) -> String {
    if !x.is_finite() {
        return "–".into();
    }
    let cents = fixed(x.abs(), 2);
    let (whole, fraction) = cents.split_once('.').unwrap_or((&cents, "00"));
    // Rounding can make "-0.00": no sign on zero.
    let sign = if x < 0.0 && cents != "0.00" { "-" } else { "" };
    format!("{sign}${}.{fraction}", grouped(whole))
}

/// A price per hour as quoted: at least cents, up to four decimals, trailing zeros dropped
/// ("$3.825", "$1.1475", "$12.00").
pub fn usd_rate(x: f64) -> String {
    if !x.is_finite() {
        return "–".into();
    }
    let text = format!("{:.4}", x.abs());
    let trimmed = text.trim_end_matches('0');
    let decimals = trimmed.split_once('.').map_or(0, |(_, f)| f.len());
    if decimals <= 2 {
        return usd(x);
    }
    let (whole, fraction) = trimmed.split_once('.').unwrap_or((trimmed, ""));
    let sign = if x < 0.0 { "-" } else { "" };
    format!("{sign}${}.{fraction}", grouped(whole))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_and_money() {
        assert_eq!(count(0), "0");
        assert_eq!(count(999), "999");
        assert_eq!(count(1000), "1,000");
        assert_eq!(count(65_536), "65,536");
        assert_eq!(count(1_000_000), "1,000,000");
        assert_eq!(usd(25.866), "$25.87");
        assert_eq!(usd(2098.3), "$2,098.30");
        assert_eq!(usd(132.0), "$132.00");
        assert_eq!(usd(999.999), "$1,000.00");
        assert_eq!(usd(-3.1), "-$3.10");
        assert_eq!(usd(-0.001), "$0.00");
        assert_eq!(usd(f64::NAN), "–");
        assert_eq!(usd_rate(3.825), "$3.825");
        assert_eq!(usd_rate(1.1475), "$1.1475");
        assert_eq!(usd_rate(12.0), "$12.00");
        assert_eq!(usd_rate(0.9), "$0.90");
    }

    /// A half cent prints the same whichever side of it a sum's float noise fell, and rounds
    /// away from zero like a cent on an invoice.
    #[test]
    fn half_cents_round_up_whatever_the_noise() {
        assert_eq!(usd(79.305), "$79.31");
        assert_eq!(usd(79.30499999993481), "$79.31");
        assert_eq!(usd(79.30500000006519), "$79.31");
        assert_eq!(fixed(79.30499999993481, 2), "79.31");
        assert_eq!(fixed(0.125, 2), "0.13");
        assert_eq!(fixed(-0.125, 2), "-0.13");
        assert_eq!(fixed(2.675, 2), "2.68");
        assert_eq!(fixed(67.25, 1), "67.3");
        // Far from a half, nothing moves.
        assert_eq!(fixed(79.3049, 2), "79.30");
        assert_eq!(fixed(25.866, 2), "25.87");
        assert_eq!(fixed(-0.001, 2), "0.00");
        assert_eq!(fixed(1e8 + 0.005, 2), "100000000.01");
        assert_eq!(fixed(f64::INFINITY, 2), "inf");
        // Too large to snap: printed as the float is, never as "inf".
        assert_eq!(fixed(1e305, 2), format!("{:.2}", 1e305));
        assert_eq!(usd(-1e20), "-$100,000,000,000,000,000,000.00");
    }
}
