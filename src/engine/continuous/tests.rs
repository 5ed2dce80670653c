use super::*;
use crate::policy::scheduling::{ManagedSpot, SpotThenOnDemand};
use std::path::Path;

fn reference_model() -> Scenario {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/reference-model.toml");
    Scenario::load(&path).expect("the reference model is valid")
}

/// Trials `0..n` of `engine`, each outcome written out in full (`{:?}` prints the shortest
/// representation that reads back to the same bits, so equal strings are equal bits).
fn outcomes(engine: &ContinuousEngine, n: u64) -> Vec<String> {
    (0..n).map(|k| format!("{:?}", engine.run(k))).collect()
}

/// The per-run shortcuts (the placement resolved once, the memoryless market called
/// directly, the plain managed-spot job compiled without the branches it cannot take) give
/// the same trials, bit for bit, as asking the policy and the market through their trait
/// objects at every attempt — with and without an on-demand fallback.
#[test]
fn the_resolved_paths_agree_with_the_general_ones() {
    let scenario = reference_model();
    for policy in [
        Arc::new(ManagedSpot) as Arc<dyn SchedulingPolicy>,
        Arc::new(SpotThenOnDemand),
    ] {
        // MaxWait 25 h stops some trials, so the fallback job runs in some of them.
        let fast = ContinuousEngine::new(&scenario, policy).with_max_wait(25.0 * 3600.0);
        assert!(!fast.asks_policy);
        assert!(fast.exponential.is_some());
        assert!(fast.plain_spot());
        let general = ContinuousEngine {
            asks_policy: true,
            exponential: None,
            ..fast.clone()
        };
        assert!(!general.plain_spot());
        let (fast, general) = (outcomes(&fast, 3000), outcomes(&general, 3000));
        assert!(
            fast.iter()
                .any(|o| o.contains("MaxWaitTimeExceeded") || o.contains("fallback_seconds: Some"))
        );
        assert_eq!(fast, general);
    }
}
