//! Seed derivation: every random stream of every replication gets its own seed, computed
//! (never drawn) from the base seed, the replication index and the stream.
//!
//! The sweep point or policy arm is deliberately *not* an input: replication `r` of any
//! arm uses the same streams, so comparisons between arms and sweep points use common
//! random numbers. The thread that runs a replication is never an input either, which is
//! why results are byte-identical for any `--threads`.

use crate::model::{Stream, StreamSeeds};

/// SplitMix64's finaliser (Steele, Lea & Flood 2014): a bijective mix of 64 bits.
#[inline]
fn mix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

const GOLDEN: u64 = 0x9e37_79b9_7f4a_7c15;

/// The 128-bit seed of `stream` in `replication` for base seed `seed`.
pub fn stream_seed(seed: u64, replication: u32, stream: Stream) -> u128 {
    let a = mix64(seed.wrapping_add(GOLDEN));
    let b = mix64(a ^ u64::from(replication).wrapping_add(GOLDEN.wrapping_mul(2)));
    let c = mix64(b ^ (stream as u64).wrapping_add(GOLDEN.wrapping_mul(3)));
    let hi = mix64(c.wrapping_add(GOLDEN));
    let lo = mix64(hi ^ c);
    (u128::from(hi) << 64) | u128::from(lo)
}

/// Seeds of every stream of one replication.
pub fn replication_seeds(seed: u64, replication: u32) -> StreamSeeds {
    StreamSeeds(Stream::ALL.map(|s| stream_seed(seed, replication, s)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeds_are_distinct_across_replications_and_streams() {
        let mut all = Vec::new();
        for r in 0..200 {
            all.extend(replication_seeds(42, r).0);
        }
        let n = all.len();
        all.sort_unstable();
        all.dedup();
        assert_eq!(all.len(), n);
    }

    #[test]
    fn seeds_are_a_pure_function() {
        assert_eq!(replication_seeds(7, 3), replication_seeds(7, 3));
        assert_ne!(replication_seeds(7, 3), replication_seeds(8, 3));
        // Golden value: changing the derivation changes every result; do it on purpose only.
        assert_eq!(
            stream_seed(1, 0, Stream::Home),
            237_512_986_058_767_863_999_913_581_854_382_815_238
        );
    }
}
