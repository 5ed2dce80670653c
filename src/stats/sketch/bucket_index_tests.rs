use super::*;
use rand::{RngExt, SeedableRng, rngs::Xoshiro256PlusPlus};

/// The table gives the least `i` with `x ≤ b_i` at every edge it covers, on both sides of
/// the edge, and at the first and last value of every cell.
#[test]
fn the_table_agrees_with_the_edges() {
    let (first, last) = (bucket_index(ZERO_THRESHOLD), bucket_index(2f64.powi(50)));
    for i in first..last {
        let edge = bucket_upper(i);
        assert_eq!(bucket_index(edge), i, "edge {i}");
        assert_eq!(bucket_index(edge.next_down()), i, "below edge {i}");
        assert_eq!(bucket_index(edge.next_up()), i + 1, "above edge {i}");
    }
    for cell in FIRST_CELL..FIRST_CELL + CELL_COUNT {
        let low = f64::from_bits((cell as u64) << CELL_SHIFT);
        let high = f64::from_bits(((cell as u64 + 1) << CELL_SHIFT) - 1);
        for x in [low, high] {
            assert_eq!(bucket_index(x), bucket_index_search(x), "{x}");
        }
    }
}

/// Against the logarithm itself: `i − 1 < log_γ x ≤ i`, up to the rounding of the edges
/// and of `ln` (1e-9 of a bucket is ~1e-11 relative in `x`), over 24 decades and beyond
/// the table.
#[test]
fn the_index_is_the_ceiling_of_the_logarithm() {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(3);
    for _ in 0..1_000_000 {
        let x = 10f64.powf(rng.random_range(-12.0..300.0));
        let exact = x.ln() / LN_GAMMA;
        let i = f64::from(bucket_index(x));
        assert!(
            i - 1.0 - 1e-9 < exact && exact <= i + 1e-9,
            "{x}: {i} vs {exact}"
        );
    }
    assert_eq!(bucket_index(1.0), 0);
    assert_eq!(bucket_index(GAMMA * 1.001), 2);
}
