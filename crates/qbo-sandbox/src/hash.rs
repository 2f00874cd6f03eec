//! A fast keyed hash for the company's indexes (unique names, document numbers,
//! `requestid`s) and the `requestid` fingerprints: every write hashes a few keys and
//! grows these tables, and SipHash, the standard library's default, was a visible part of
//! a create's cost.
//!
//! It is foldhash (already in the build through hashbrown), keyed by seeds drawn once per
//! process, so that every hasher of the process agrees (fingerprints are compared across
//! requests) while keys chosen to collide cannot be prepared in advance. It is not a
//! cryptographic hash, which none of these uses needs.

use std::hash::{BuildHasher, RandomState};
use std::sync::OnceLock;

use foldhash::SharedSeed;
use foldhash::fast::SeedableRandomState;

/// The process's per-hasher seed.
fn seed() -> u64 {
    static SEED: OnceLock<u64> = OnceLock::new();
    *SEED.get_or_init(|| RandomState::new().hash_one(0x0051_ab0c_u64))
}

/// Builds foldhash hashers keyed by the process's seeds.
#[derive(Debug, Clone)]
pub(crate) struct Keyed(SeedableRandomState);

impl Default for Keyed {
    fn default() -> Self {
        Self(SeedableRandomState::with_seed(
            seed(),
            SharedSeed::global_random(),
        ))
    }
}

impl BuildHasher for Keyed {
    type Hasher = FoldHasher;

    fn build_hasher(&self) -> FoldHasher {
        self.0.build_hasher()
    }
}

/// The hasher of [`Keyed`].
pub(crate) type FoldHasher = foldhash::fast::FoldHasher<'static>;

/// A hash map keyed by [`Keyed`].
pub(crate) type Map<K, V> = std::collections::HashMap<K, V, Keyed>;

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    fn hash(text: &str) -> u64 {
        Keyed::default().hash_one(text)
    }

    #[test]
    fn equal_keys_hash_alike_and_near_keys_apart() {
        assert_eq!(hash("bench-1"), hash("bench-1"));
        let mut seen = HashSet::new();
        for n in 0..100_000 {
            assert!(seen.insert(hash(&format!("bench-{n}"))), "collision at {n}");
        }
        assert_ne!(hash("a"), hash("a\0"));
        assert_ne!(hash(""), hash("\0"));
        let map: Map<String, usize> = (0..1000).map(|n| (n.to_string(), n)).collect();
        assert_eq!(map.get("999"), Some(&999));
    }
}
