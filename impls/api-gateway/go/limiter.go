package main

import (
	"errors"
	"hash/maphash"
	"strconv"
	"strings"
	"sync"
)

// Token-bucket arithmetic of README "Rate limiting": a token is 10^12 units, a bucket gains
// Rate (thousandths of a token per second) units per nanosecond.
const (
	unitsPerToken = 1_000_000_000_000
	maxBuckets    = 100_000
	shardCount    = 64
)

// Limit is a parsed rate and burst.
type Limit struct {
	Rate  uint64 // thousandths of a token per second (R = 0.1 → 100)
	Burst uint64 // capacity in tokens
}

func (l Limit) capacity() uint64 { return l.Burst * unitsPerToken }

// ParseRate parses a decimal rate with at most 3 fraction digits, 0.001 ≤ R ≤ 1000000.
func ParseRate(s string) (uint64, error) {
	intPart, frac, hasDot := strings.Cut(s, ".")
	if intPart == "" || len(intPart) > 7 || (hasDot && (frac == "" || len(frac) > 3)) || !digits(intPart) || !digits(frac) {
		return 0, errors.New("rate must be a decimal number with at most 3 digits after the point")
	}
	n, _ := strconv.ParseUint(intPart, 10, 64)
	r := n * 1000
	for i, scale := 0, uint64(100); i < 3; i, scale = i+1, scale/10 {
		if i < len(frac) {
			r += uint64(frac[i]-'0') * scale
		}
	}
	if r < 1 || r > 1_000_000_000 {
		return 0, errors.New("rate must be between 0.001 and 1000000")
	}
	return r, nil
}

// ParseBurst parses an integer burst, 1 ≤ B ≤ 1000000.
func ParseBurst(s string) (uint64, error) {
	if s == "" || len(s) > 7 || !digits(s) {
		return 0, errors.New("burst must be an integer")
	}
	b, _ := strconv.ParseUint(s, 10, 64)
	if b < 1 || b > 1_000_000 {
		return 0, errors.New("burst must be between 1 and 1000000")
	}
	return b, nil
}

func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

type bucket struct {
	level uint64 // units
	last  int64  // ns
	limit Limit
}

// refill brings the bucket to time t (saturating at capacity).
func (b *bucket) refill(t int64) {
	if t <= b.last {
		return // no time passed (or a clock that went back): nothing to add
	}
	elapsed := uint64(t - b.last)
	b.last = t
	capacity := b.limit.capacity()
	room := capacity - b.level
	if elapsed > room/b.limit.Rate {
		b.level = capacity
		return
	}
	b.level += elapsed * b.limit.Rate // ≤ room: no overflow
	if b.level > capacity {
		b.level = capacity
	}
}

// take spends one token, or returns the whole seconds until one is back.
func (b *bucket) take() (ok bool, retryAfter uint64) {
	if b.level >= unitsPerToken {
		b.level -= unitsPerToken
		return true, 0
	}
	perSecond := b.limit.Rate * 1_000_000_000
	return false, (unitsPerToken - b.level + perSecond - 1) / perSecond
}

type shard struct {
	mu      sync.Mutex
	buckets map[string]*bucket
}

// Limiter holds one bucket per client id, sharded by a hash of the id.
type Limiter struct {
	def       Limit
	overrides map[string]Limit
	now       func() int64 // monotonic nanoseconds
	seed      maphash.Seed
	shards    [shardCount]shard
}

// NewLimiter makes a limiter with a default limit, per-client overrides and a clock.
func NewLimiter(def Limit, overrides map[string]Limit, now func() int64) *Limiter {
	l := &Limiter{def: def, overrides: overrides, now: now, seed: maphash.MakeSeed()}
	for i := range l.shards {
		l.shards[i].buckets = make(map[string]*bucket)
	}
	return l
}

// Allow takes one token from client's bucket; when there is none it returns false and the
// Retry-After seconds.
func (l *Limiter) Allow(client string) (bool, uint64) {
	s := &l.shards[maphash.String(l.seed, client)%shardCount]
	s.mu.Lock()
	defer s.mu.Unlock()
	t := l.now()
	b := s.buckets[client]
	if b == nil {
		if len(s.buckets) >= maxBuckets/shardCount {
			s.sweep(t)
		}
		limit, ok := l.overrides[client]
		if !ok {
			limit = l.def
		}
		b = &bucket{level: limit.capacity(), last: t, limit: limit}
		s.buckets[client] = b
	} else {
		b.refill(t)
	}
	return b.take()
}

// sweep forgets the buckets that are full at time t (a full bucket is the same as none).
func (s *shard) sweep(t int64) {
	for id, b := range s.buckets {
		b.refill(t)
		if b.level == b.limit.capacity() {
			delete(s.buckets, id)
		}
	}
}

// Len is the number of remembered buckets.
func (l *Limiter) Len() int {
	n := 0
	for i := range l.shards {
		l.shards[i].mu.Lock()
		n += len(l.shards[i].buckets)
		l.shards[i].mu.Unlock()
	}
	return n
}
