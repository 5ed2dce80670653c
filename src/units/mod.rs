//! Units and limits every layer reads the same way: durations as people write them
//! ([`duration`]), the bounds beyond which an input is a typo rather than a value ([`limits`]),
//! and the reading of TOML tables key by key with errors that name the line ([`keys`]).
//!
//! They sit below the scenario and the markets, which both parse durations and check prices
//! and keys: neither has to import the other to read its own section.

pub mod duration;
pub mod keys;
pub mod limits;
pub mod numbers;
pub mod words;
