//! Small ports for the things that make code non-deterministic: time, randomness and ids.
//! Production wires the system implementations; tests wire fixed or seeded ones.

mod clock;
mod ids;
mod random;

pub use clock::{Clock, ManualClock, SystemClock};
pub use ids::{IdSource, SequentialIds, UlidIds};
pub use random::{OsRandom, Random, SeededRandom};
