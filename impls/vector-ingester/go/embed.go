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

// fnv1aLower is FNV-1a of data with ASCII upper case folded to lower case.
func fnv1aLower(h uint64, data []byte) uint64 {
	for _, b := range data {
		h = (h ^ uint64(lower(b))) * fnvPrime
	}
	return h
}

// HashEmbedder is fnv1a-hash-384/1: signed feature hashing of word unigrams and character
// 3-grams into 384 dimensions, L2-normalised (see the spec).
type HashEmbedder struct{}

func (HashEmbedder) Name() string { return "fnv1a-hash-384/1" }
func (HashEmbedder) Dims() int    { return dims }

// counts fills c with the integer counts of text. Words are hashed in place, in one pass over the
// bytes: the unigram while scanning, each 3-gram when the code point after it (or the word's end)
// is reached.
func counts(text []byte, c *[dims]int32) {
	*c = [dims]int32{}
	n := len(text)
	for i := 0; i < n; {
		if !isWord(text[i]) {
			i++
			continue
		}
		hw := uint64(hWord)
		var starts [3]int // starts of the last three code points (a ring)
		ncp := 0
		for ; i < n && isWord(text[i]); i++ {
			b := text[i]
			if b&0xC0 != 0x80 {
				if ncp >= 3 {
					add(c, fnv1aLower(hGram, text[starts[(ncp-3)%3]:i]))
				}
				starts[ncp%3] = i
				ncp++
			}
			hw = (hw ^ uint64(lower(b))) * fnvPrime
		}
		if ncp >= 3 {
			add(c, fnv1aLower(hGram, text[starts[(ncp-3)%3]:i]))
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
