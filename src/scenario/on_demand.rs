//! `[on_demand]`: waits for on-demand capacity. The key is optional and its absence keeps
//! on-demand capacity immediate, so scenarios written before it run exactly as before (same
//! draws, same bytes); the assumption is stated in reports instead
//! (`crate::report::provenance::assumptions`).

use super::model::OnDemandCapacity;
use super::{Resolver, raw};
use crate::error::InputError;

impl Resolver<'_> {
    /// Resolves `[on_demand]`. The range (finite, not negative, at most ten years) is checked
    /// where the duration is read, like every duration. The tick clock models switches to
    /// on-demand with its own `[policy] changeover` and draws no on-demand waits: a wait there
    /// would be a number the run silently ignored, so a positive one is an error.
    pub(super) fn on_demand(
        &self,
        raw: &raw::RawOnDemand,
        tick_clock: bool,
    ) -> Result<OnDemandCapacity, InputError> {
        let mean_capacity_wait_seconds = raw.mean_capacity_wait.map(|s| s.0);
        if tick_clock && mean_capacity_wait_seconds.is_some_and(|m| m > 0.0) {
            return Err(self.error(
                "on_demand",
                &["mean_capacity_wait"],
                "the tick clock does not model waits for on-demand capacity (a switch costs [policy] changeover); remove the key or use the continuous clock",
            ));
        }
        Ok(OnDemandCapacity {
            mean_capacity_wait_seconds,
        })
    }
}
