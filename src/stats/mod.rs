//! Summary statistics: pure functions of per-replication values, computed in replication
//! order so that results do not depend on how replications were scheduled.

pub mod summary;

pub use summary::{Summary, Welford, quantile, summarize};
