use super::*;

#[test]
fn fast_ln_matches_ln_and_the_bucket_index() {
    let mut x = ZERO_THRESHOLD;
    let mut mismatches = 0;
    while x < 1e15 {
        let exact = x.ln();
        assert!(
            (fast_ln(x) - exact).abs() <= 4e-15 * exact.abs().max(1.0),
            "{x}"
        );
        if bucket_index(x) != (exact / LN_GAMMA).ceil() as i32 {
            mismatches += 1;
        }
        x *= 1.000_37;
    }
    // Only values within rounding of a bucket edge may land next door.
    assert!(mismatches <= 2, "{mismatches}");
}
