//! Summary statistics: pure functions of per-replication values, computed in replication
//! order so that results do not depend on how replications were scheduled.

pub mod cea;
pub mod paired;
pub mod rank;
pub mod summary;

pub use paired::{Difference, paired_differences, paired_differences_by_year};
pub use summary::{Summary, Welford, quantile, summarize};
