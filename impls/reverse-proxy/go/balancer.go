package main

import (
	"sync/atomic"
	"time"
)

// backend is one upstream and its passive-health state.
type backend struct {
	addr string
	// downUntil is the balancer clock reading (nanoseconds) until which the backend is left out
	// of the rotation; 0 means it is up.
	downUntil atomic.Int64
}

// balancer picks backends in round-robin order, skipping those marked down (README: Round robin).
type balancer struct {
	backends []*backend
	counter  atomic.Uint64
	downFor  time.Duration
	// now reads a monotonic clock in nanoseconds; tests replace it.
	now func() int64
}

func newBalancer(addrs []string, downFor time.Duration) *balancer {
	start := time.Now()
	b := &balancer{
		downFor: downFor,
		now:     func() int64 { return int64(time.Since(start)) + 1 },
	}
	for _, a := range addrs {
		b.backends = append(b.backends, &backend{addr: a})
	}
	return b
}

// pick returns the next backend that is up, or nil when all N candidates it looked at are down.
// Each look advances the shared counter by one.
func (b *balancer) pick() *backend {
	n := uint64(len(b.backends))
	now := b.now()
	for range n {
		be := b.backends[(b.counter.Add(1)-1)%n]
		if be.downUntil.Load() <= now {
			return be
		}
	}
	return nil
}

// markDown leaves be out of the rotation for the balancer's down period.
func (b *balancer) markDown(be *backend) {
	be.downUntil.Store(b.now() + int64(b.downFor))
}
