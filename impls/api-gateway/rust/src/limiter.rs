//! Per-client token buckets with the exact integer arithmetic of README "Rate limiting".

use std::collections::hash_map::RandomState;
use std::collections::HashMap;
use std::hash::BuildHasher;
use std::sync::Mutex;

/// Units per token.
pub const UNIT: u64 = 1_000_000_000_000;
/// Above this many remembered buckets, full ones are swept when a new client arrives.
pub const MAX_BUCKETS: usize = 100_000;
const SHARDS: usize = 64;

/// Rate in thousandths of a token per second, burst in tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    pub rate: u64,
    pub burst: u64,
}

impl Limit {
    fn capacity(self) -> u64 {
        self.burst * UNIT
    }
}

/// A decimal rate with at most 3 fraction digits, 0.001 ≤ R ≤ 1000000, in thousandths.
pub fn parse_rate(s: &str) -> Result<u64, String> {
    let bad = || {
        format!("rate `{s}` must be a decimal number with at most 3 digits after the point, 0.001 to 1000000")
    };
    let (int, frac) = match s.split_once('.') {
        Some((i, f)) if !f.is_empty() && f.len() <= 3 => (i, f),
        Some(_) => return Err(bad()),
        None => (s, ""),
    };
    let digits = |x: &str| x.bytes().all(|b| b.is_ascii_digit());
    if int.is_empty() || int.len() > 7 || !digits(int) || !digits(frac) {
        return Err(bad());
    }
    let mut r: u64 = int.parse::<u64>().map_err(|_| bad())? * 1000;
    for (i, scale) in [100u64, 10, 1].iter().enumerate() {
        if let Some(d) = frac.as_bytes().get(i) {
            r += u64::from(d - b'0') * scale;
        }
    }
    if !(1..=1_000_000_000).contains(&r) {
        return Err(bad());
    }
    Ok(r)
}

/// An integer burst, 1 ≤ B ≤ 1000000.
pub fn parse_burst(s: &str) -> Result<u64, String> {
    let bad = || format!("burst `{s}` must be an integer from 1 to 1000000");
    if s.is_empty() || s.len() > 7 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    let b: u64 = s.parse().map_err(|_| bad())?;
    if !(1..=1_000_000).contains(&b) {
        return Err(bad());
    }
    Ok(b)
}

#[derive(Debug)]
struct Bucket {
    level: u64,
    last: u64,
    limit: Limit,
}

impl Bucket {
    fn refill(&mut self, t: u64) {
        if t <= self.last {
            return;
        }
        let elapsed = t - self.last;
        self.last = t;
        let cap = self.limit.capacity();
        let room = cap - self.level;
        if elapsed > room / self.limit.rate {
            self.level = cap;
        } else {
            self.level = (self.level + elapsed * self.limit.rate).min(cap);
        }
    }

    /// Ok, or Err(seconds until one token is back).
    fn take(&mut self) -> Result<(), u64> {
        if self.level >= UNIT {
            self.level -= UNIT;
            return Ok(());
        }
        let per_second = self.limit.rate * 1_000_000_000;
        Err((UNIT - self.level).div_ceil(per_second))
    }
}

/// The clock: monotonic nanoseconds.
pub type Clock = Box<dyn Fn() -> u64 + Send + Sync>;

pub struct Limiter {
    default: Limit,
    overrides: HashMap<String, Limit>,
    clock: Clock,
    hasher: RandomState,
    shards: Vec<Mutex<HashMap<String, Bucket>>>,
}

impl Limiter {
    pub fn new(default: Limit, overrides: HashMap<String, Limit>, clock: Clock) -> Self {
        Limiter {
            default,
            overrides,
            clock,
            hasher: RandomState::new(),
            shards: (0..SHARDS).map(|_| Mutex::new(HashMap::new())).collect(),
        }
    }

    /// Takes a token from `client`'s bucket, or returns the Retry-After seconds.
    pub fn allow(&self, client: &str) -> Result<(), u64> {
        let shard = &self.shards[(self.hasher.hash_one(client) % SHARDS as u64) as usize];
        let mut map = shard.lock().unwrap_or_else(|e| e.into_inner());
        let t = (self.clock)();
        if let Some(b) = map.get_mut(client) {
            b.refill(t);
            return b.take();
        }
        if map.len() >= MAX_BUCKETS / SHARDS {
            map.retain(|_, b| {
                b.refill(t);
                b.level < b.limit.capacity()
            });
        }
        let limit = self.overrides.get(client).copied().unwrap_or(self.default);
        let mut b = Bucket {
            level: limit.capacity(),
            last: t,
            limit,
        };
        let r = b.take();
        map.insert(client.to_string(), b);
        r
    }

    /// Remembered buckets.
    pub fn len(&self) -> usize {
        self.shards
            .iter()
            .map(|s| s.lock().unwrap_or_else(|e| e.into_inner()).len())
            .sum()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::sync::Arc;

    fn clock() -> (Arc<AtomicU64>, Clock) {
        let t = Arc::new(AtomicU64::new(10_000_000_005));
        let t2 = t.clone();
        (t, Box::new(move || t2.load(Ordering::SeqCst)))
    }

    fn limiter(rate: &str, burst: u64) -> (Arc<AtomicU64>, Limiter) {
        let (t, c) = clock();
        let l = Limiter::new(
            Limit {
                rate: parse_rate(rate).unwrap(),
                burst,
            },
            HashMap::new(),
            c,
        );
        (t, l)
    }

    #[test]
    fn rates_and_bursts_parse() {
        for (s, want) in [
            ("0.001", 1),
            ("0.1", 100),
            ("1", 1000),
            ("2.5", 2500),
            ("7.05", 7050),
            ("10000", 10_000_000),
            ("1000000", 1_000_000_000),
        ] {
            assert_eq!(parse_rate(s), Ok(want), "{s}");
        }
        for s in [
            "",
            "0",
            "0.0004",
            "1.2345",
            "-1",
            "1e3",
            "abc",
            "1.",
            ".5",
            "1000001",
            "1000000.001",
            "99999999",
        ] {
            assert!(parse_rate(s).is_err(), "{s}");
        }
        for s in ["", "0", "1.5", "-3", "1000001", "x"] {
            assert!(parse_burst(s).is_err(), "{s}");
        }
        assert_eq!(parse_burst("1000000"), Ok(1_000_000));
    }

    #[test]
    fn burst_then_retry_after() {
        let (t, l) = limiter("0.1", 3);
        for i in 0..3 {
            assert_eq!(l.allow("c"), Ok(()), "request {}", i + 1);
            t.fetch_add(1_000_000, Ordering::SeqCst);
        }
        assert_eq!(l.allow("c"), Err(10));
        t.fetch_add(9_997_000_000 - 1, Ordering::SeqCst);
        assert_eq!(l.allow("c"), Err(1));
        t.fetch_add(1, Ordering::SeqCst);
        assert_eq!(l.allow("c"), Ok(()));
    }

    #[test]
    fn retry_after_rounds_up() {
        let (t, l) = limiter("0.3", 1);
        assert_eq!(l.allow("c"), Ok(()));
        assert_eq!(l.allow("c"), Err(4)); // 3.33 s
        t.fetch_add(3_000_000_000, Ordering::SeqCst);
        assert_eq!(l.allow("c"), Err(1)); // 0.33 s
        let (_, fast) = limiter("1000", 1);
        assert_eq!(fast.allow("c"), Ok(()));
        assert_eq!(fast.allow("c"), Err(1)); // never 0
    }

    #[test]
    fn refill_is_exact_and_capped() {
        let (t, l) = limiter("1000000", 2);
        l.allow("c").unwrap();
        t.fetch_add(1 << 62, Ordering::SeqCst);
        assert!(l.allow("c").is_ok() && l.allow("c").is_ok());
        assert!(
            l.allow("c").is_err(),
            "more than the burst after a long pause"
        );
        let (t, l) = limiter("1", 1);
        l.allow("c").unwrap();
        t.fetch_add(999_999_999, Ordering::SeqCst);
        assert_eq!(l.allow("c"), Err(1));
        t.fetch_add(1, Ordering::SeqCst);
        assert_eq!(l.allow("c"), Ok(()));
        t.fetch_sub(5_000_000_000, Ordering::SeqCst);
        assert!(l.allow("c").is_err(), "a clock going back refilled");
    }

    #[test]
    fn overrides_and_independent_clients() {
        let (_, c) = clock();
        let mut o = HashMap::new();
        o.insert(
            "vip".to_string(),
            Limit {
                rate: 1000,
                burst: 2,
            },
        );
        let l = Limiter::new(
            Limit {
                rate: 1000,
                burst: 5,
            },
            o,
            c,
        );
        assert!(l.allow("vip").is_ok() && l.allow("vip").is_ok());
        assert!(l.allow("vip").is_err());
        for _ in 0..5 {
            assert!(l.allow("other").is_ok());
        }
        assert!(l.allow("other").is_err());
    }

    #[test]
    fn sweep_forgets_only_full_buckets() {
        let (t, l) = limiter("1", 2);
        for i in 0..MAX_BUCKETS {
            let _ = l.allow(&format!("client-{i}"));
        }
        t.fetch_add(10_000_000_000, Ordering::SeqCst);
        for i in 0..500 {
            let _ = l.allow(&format!("newcomer-{i}"));
        }
        assert!(l.len() < MAX_BUCKETS / 2, "{} buckets", l.len());

        let (t, l) = limiter("0.001", 1);
        l.allow("hot").unwrap();
        for i in 0..MAX_BUCKETS + 500 {
            let _ = l.allow(&format!("client-{i}"));
        }
        assert!(l.allow("hot").is_err(), "an empty bucket was forgotten");
        t.fetch_add(2_000_000_000_000, Ordering::SeqCst);
        for i in 0..64 {
            let _ = l.allow(&format!("newcomer-{i}"));
        }
        assert!(l.len() <= MAX_BUCKETS);
    }
}
