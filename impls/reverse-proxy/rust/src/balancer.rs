//! Round robin over the backends with passive health (README: Round robin): one shared counter,
//! and a down-until time per backend set when a connection to it fails.

use std::net::SocketAddrV4;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// One upstream and its health state.
#[derive(Debug)]
pub struct Backend {
    /// Where it listens.
    pub addr: SocketAddrV4,
    /// Clock reading (ns) until which it is left out; 0 = up.
    down_until: AtomicU64,
}

/// Picks backends in turn, skipping those marked down.
#[derive(Debug)]
pub struct Balancer {
    backends: Vec<Backend>,
    counter: AtomicUsize,
    down_for: Duration,
    start: Instant,
}

impl Balancer {
    /// A balancer over `addrs` (in this order) that leaves a failed backend out for `down_for`.
    pub fn new(addrs: &[SocketAddrV4], down_for: Duration) -> Balancer {
        Balancer {
            backends: addrs
                .iter()
                .map(|&addr| Backend {
                    addr,
                    down_until: AtomicU64::new(0),
                })
                .collect(),
            counter: AtomicUsize::new(0),
            down_for,
            start: Instant::now(),
        }
    }

    /// Number of backends.
    pub fn len(&self) -> usize {
        self.backends.len()
    }

    /// Whether there are no backends (never, after parsing).
    pub fn is_empty(&self) -> bool {
        self.backends.is_empty()
    }

    /// Backend `i`.
    pub fn backend(&self, i: usize) -> &Backend {
        &self.backends[i]
    }

    /// The monotonic clock, in nanoseconds (never 0).
    pub fn now(&self) -> u64 {
        self.start.elapsed().as_nanos() as u64 + 1
    }

    /// The index of the next backend that is up at `now`, or `None` when the N backends looked
    /// at were all down. Every look advances the shared counter by one.
    pub fn pick_at(&self, now: u64) -> Option<usize> {
        let n = self.backends.len();
        (0..n)
            .map(|_| self.counter.fetch_add(1, Ordering::Relaxed) % n)
            .find(|&i| self.backends[i].down_until.load(Ordering::Relaxed) <= now)
    }

    /// [`Balancer::pick_at`] now.
    pub fn pick(&self) -> Option<usize> {
        self.pick_at(self.now())
    }

    /// Leaves backend `i` out of the rotation from `now` for the down period.
    pub fn mark_down_at(&self, i: usize, now: u64) {
        self.backends[i]
            .down_until
            .store(now + self.down_for.as_nanos() as u64, Ordering::Relaxed);
    }

    /// [`Balancer::mark_down_at`] now.
    pub fn mark_down(&self, i: usize) {
        self.mark_down_at(i, self.now())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lb() -> Balancer {
        let addrs: Vec<SocketAddrV4> = (1..=3)
            .map(|p| SocketAddrV4::new([127, 0, 0, 1].into(), p))
            .collect();
        Balancer::new(&addrs, Duration::from_nanos(100))
    }

    #[test]
    fn round_robin_in_list_order() {
        let lb = lb();
        let got: Vec<usize> = (0..7).map(|_| lb.pick_at(1).unwrap()).collect();
        assert_eq!(got, [0, 1, 2, 0, 1, 2, 0]);
    }

    #[test]
    fn down_backends_are_skipped_evenly_then_retried() {
        let lb = lb();
        lb.mark_down_at(1, 1);
        let got: Vec<usize> = (0..6).map(|_| lb.pick_at(1).unwrap()).collect();
        assert_eq!(got, [0, 2, 0, 2, 0, 2]);
        let got: Vec<usize> = (0..3).map(|_| lb.pick_at(101).unwrap()).collect();
        assert_eq!(got, [0, 1, 2]);
        for i in 0..3 {
            lb.mark_down_at(i, 200);
        }
        assert_eq!(lb.pick_at(200), None);
    }
}
