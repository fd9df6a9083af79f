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

// lower folds ASCII A-Z to a-z; no other byte changes.
func lower(b byte) byte {
	if b >= 'A' && b <= 'Z' {
		return b + ('a' - 'A')
	}
	return b
}

// HashEmbedder is fnv1a-hash-384/1: signed feature hashing of word unigrams and character
// 3-grams into 384 dimensions, L2-normalised (see the spec).
type HashEmbedder struct{}

func (HashEmbedder) Name() string { return "fnv1a-hash-384/1" }
func (HashEmbedder) Dims() int    { return dims }

// counts fills c with the integer counts of text. Every feature is hashed in one pass over the
// bytes, each byte read and lower-cased once: the word's unigram hash and the hashes of the three
// 3-grams that can still contain the byte (started at the last three code points) run side by
// side; a 3-gram is complete when the code point after it (or the word's end) is reached.
func counts(text []byte, c *[dims]int32) {
	*c = [dims]int32{}
	n := len(text)
	for i := 0; i < n; {
		if !isWord(text[i]) {
			i++
			continue
		}
		hw := uint64(hWord)
		// 3-grams started at the code point before last (g0), the last (g1) and this one (g2)
		g0, g1, g2 := uint64(hGram), uint64(hGram), uint64(hGram)
		ncp := 0
		for ; i < n && isWord(text[i]); i++ {
			b := text[i]
			if b&0xC0 != 0x80 {
				if ncp >= 3 {
					add(c, g0)
				}
				g0, g1, g2 = g1, g2, hGram
				ncp++
			}
			l := uint64(lower(b))
			hw = (hw ^ l) * fnvPrime
			g0 = (g0 ^ l) * fnvPrime
			g1 = (g1 ^ l) * fnvPrime
			g2 = (g2 ^ l) * fnvPrime
		}
		if ncp >= 3 {
			add(c, g0)
		}
		add(c, hw)
	}
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

func (HashEmbedder) Embed(text []byte, out []float32) {
	var c [dims]int32
	counts(text, &c)
	normalise(&c, out)
}
