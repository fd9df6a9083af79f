package main

import (
	"encoding/binary"
	"math/bits"
)

// SWAR ("SIMD within a register") digit classification. Numbers are everywhere in logs, and
// every number candidate needs its digit-run length and the layout of the bytes after it.
// Instead of a byte loop (a table lookup per byte plus a hard-to-predict exit branch), eight
// bytes are loaded as one little-endian uint64 and classified at once with a few arithmetic
// operations; the run length is then a single trailing-zero count.
//
// (The same trick for word bytes was measured too, and lost to the plain table loop: log words
// are short, and the loop's branches predict well.)
const (
	ones = 0x0101010101010101
	lo7  = 0x7f7f7f7f7f7f7f7f // clears the high bit of every lane
	hi1  = 0x8080808080808080 // the high bit of every lane

	// Range test on lanes a < 0x80: a+(0x80-'0') reaches 0x80 iff a >= '0', and a+(0x7f-'9')
	// reaches 0x80 iff a > '9'. Lanes below 0x80 never carry into their neighbour.
	digitLo = ones * (0x80 - '0')
	digitHi = ones * (0x7f - '9')
)

// digitMask returns a mask with the high bit (0x80) of lane k set exactly when byte k of x
// (little endian) is a digit. Bytes >= 0x80 are cleared with lo7 for the range test and then
// excluded with &^x.
func digitMask(x uint64) uint64 {
	a := x & lo7
	return (a + digitLo) &^ (a + digitHi) &^ x & hi1
}

// digitRun returns the length of the run of digits at s[i:], counting at most limit.
func digitRun(s []byte, i, limit int) int {
	k := 0
	for k < limit && i+k+8 <= len(s) {
		m := digitMask(binary.LittleEndian.Uint64(s[i+k:])) // one unaligned 8-byte load
		if m != hi1 {
			k += bits.TrailingZeros64(^m&hi1) / 8
			return min(k, limit)
		}
		k += 8
	}
	for k < limit && i+k < len(s) && class[s[i+k]]&cD != 0 {
		k++
	}
	return min(k, limit)
}
