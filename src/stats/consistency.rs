//! Why a deserialised statistic cannot be what a run produced.
//!
//! Accumulators merge exactly, so a shard's totals are trusted as they are read: a partial
//! edited by hand or corrupted on disk would otherwise be merged into an impossible summary
//! (a probability above one, a mean outside its range). Each statistics type states its own
//! consistency rules (`validate`) and merges deserialised values with checked arithmetic
//! (`checked_merge`); an [`Inconsistency`] names the field that broke a rule.

use std::fmt;

/// A broken consistency rule: the field (a dotted path inside the value checked) and what is
/// wrong with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inconsistency {
    /// Dotted path of the field, e.g. `cost_usd.moments.sum`.
    pub field: String,
    /// What is wrong.
    pub message: String,
}

impl Inconsistency {
    /// A broken rule about `field`.
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }

    /// A merged total of `field` that does not fit its integer type: no run adds up to it,
    /// so a shard that leads there was edited.
    pub fn overflow(field: impl Into<String>) -> Self {
        Self::new(
            field,
            "the merged total overflows: the shards hold more than any run can",
        )
    }

    /// The same rule, about the field as seen from its container `outer`.
    pub fn within(mut self, outer: &str) -> Self {
        self.field = format!("{outer}.{}", self.field);
        self
    }
}

impl fmt::Display for Inconsistency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

impl std::error::Error for Inconsistency {}
