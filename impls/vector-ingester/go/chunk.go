package main

import "fmt"

// chunkParams are the chunk size and overlap in bytes; the minimum chunk is half the size.
type chunkParams struct {
	size, overlap int
}

func newChunkParams(size, overlap int) (chunkParams, error) {
	if size < 16 || overlap >= size/2 {
		return chunkParams{}, fmt.Errorf("invalid chunk parameters: size %d, overlap %d", size, overlap)
	}
	return chunkParams{size: size, overlap: overlap}, nil
}

func (p chunkParams) min() int { return p.size / 2 }

// isSpace: ASCII whitespace, 0x09–0x0D and 0x20.
func isSpace(b byte) bool { return b == ' ' || b >= 0x09 && b <= 0x0D }

func isContinuation(b byte) bool { return b&0xC0 == 0x80 }

// chunkEnd is the end of the chunk that starts at t[0], when more than p.size bytes remain:
// the largest end in [min, size] of the best boundary kind available.
func chunkEnd(t []byte, p chunkParams) int {
	lo, hi := p.min(), p.size
	sentence, word := 0, 0
	for e := hi; e >= lo; e-- {
		a := t[e-1]
		if !isSpace(a) {
			continue
		}
		if a == '\n' {
			b := t[e-2]
			if b == '\n' || b == '\r' && t[e-3] == '\n' {
				return e // paragraph: the first found from the top is the largest
			}
			if sentence == 0 {
				sentence = e
			}
		} else if sentence == 0 {
			if b := t[e-2]; b == '.' || b == '!' || b == '?' {
				sentence = e
			}
		}
		if word == 0 {
			word = e
		}
	}
	if sentence != 0 {
		return sentence
	}
	if word != 0 {
		return word
	}
	e := hi
	for isContinuation(t[e]) {
		e--
	}
	return e
}

// nextStart is where the chunk after t[0:e] starts: the first word start in [e-overlap, e),
// else the first code-point boundary at or after e-overlap.
func nextStart(t []byte, e int, p chunkParams) int {
	lo := e - p.overlap
	for q := lo; q < e; q++ {
		if isSpace(t[q-1]) && !isSpace(t[q]) {
			return q
		}
	}
	q := lo
	for q < e && isContinuation(t[q]) {
		q++
	}
	return q
}
