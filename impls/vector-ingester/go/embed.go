package main

import "math"

// Embedder turns one chunk of text into a fixed-size vector. The ingester knows nothing else
// about the model, so a real one can be plugged in instead of HashEmbedder.
type Embedder interface {
	// Name is stored in the database's meta table.
	Name() string
	// Dims is the length of every vector.
	Dims() int
	// Embed fills out (of length Dims()) with the vector of text (valid UTF-8).
	Embed(text []byte, out []float32)
}

const (
	dims      = 384
	fnvOffset = 0xcbf29ce484222325
	fnvPrime  = 0x100000001b3
	// hash state after the tag byte of a word unigram ('w') and of a 3-gram ('c')
	hWord = (fnvOffset ^ 'w') * fnvPrime & math.MaxUint64
	hGram = (fnvOffset ^ 'c') * fnvPrime & math.MaxUint64
)

func fnv1a(h uint64, data []byte) uint64 {
	for _, b := range data {
		h = (h ^ uint64(b)) * fnvPrime
	}
	return h
}

// isWord: ASCII 0-9 A-Z a-z and every byte >= 0x80.
func isWord(b byte) bool {
	return b >= 0x80 || b >= '0' && b <= '9' || b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z'
}

// HashEmbedder is fnv1a-hash-384/1: signed feature hashing of word unigrams and character
// 3-grams into 384 dimensions, L2-normalised (see the spec).
type HashEmbedder struct {
	starts []int  // code point offsets of the current word, then its end
	word   []byte // the current word in lower case
	counts [dims]int32
}

func (e *HashEmbedder) Name() string { return "fnv1a-hash-384/1" }
func (e *HashEmbedder) Dims() int    { return dims }

// Counts fills e.counts with the integer counts of text.
func (e *HashEmbedder) Counts(text []byte) *[dims]int32 {
	c := &e.counts
	*c = [dims]int32{}
	n := len(text)
	for i := 0; i < n; {
		if !isWord(text[i]) {
			i++
			continue
		}
		e.word, e.starts = e.word[:0], e.starts[:0]
		for ; i < n && isWord(text[i]); i++ {
			b := text[i]
			if b&0xC0 != 0x80 {
				e.starts = append(e.starts, len(e.word))
			}
			if b >= 'A' && b <= 'Z' {
				b += 'a' - 'A'
			}
			e.word = append(e.word, b)
		}
		w := e.word
		add(c, fnv1a(hWord, w))
		e.starts = append(e.starts, len(w))
		for k := 0; k+3 < len(e.starts); k++ {
			add(c, fnv1a(hGram, w[e.starts[k]:e.starts[k+3]]))
		}
	}
	return c
}

func add(c *[dims]int32, h uint64) {
	bucket := (h >> 32) % dims
	if (h>>31)&1 == 1 {
		c[bucket]--
	} else {
		c[bucket]++
	}
}

// normalise: out[i] = float32(float64(c[i]) / sqrt(float64(sum c²))), or zeros.
func normalise(c *[dims]int32, out []float32) {
	var sumsq int64
	for _, x := range c {
		sumsq += int64(x) * int64(x)
	}
	if sumsq == 0 {
		clear(out)
		return
	}
	norm := math.Sqrt(float64(sumsq))
	for i, x := range c {
		out[i] = float32(float64(x) / norm)
	}
}

func (e *HashEmbedder) Embed(text []byte, out []float32) {
	normalise(e.Counts(text), out)
}
