package main

import "unicode/utf8"

// Streaming UTF-8 repair: every maximal ill-formed subsequence becomes one U+FFFD (the WHATWG /
// Unicode "maximal subparts" practice). A block is checked with the standard library's
// utf8.Valid and copied whole when it is valid (nearly always); only a block holding ill-formed
// bytes is walked by repair, because the standard library replaces differently (utf8.DecodeRune
// and strings.ToValidUTF8 do not substitute maximal subparts).

var replacement = []byte("\uFFFD")

// decodeUTF8 appends the repaired text of in to out. Unless last, a sequence cut at the very end
// is not consumed (used < len(in)); the caller passes it again with the next bytes.
func decodeUTF8(in []byte, last bool, out []byte) (res []byte, used int, replaced int) {
	used = len(in)
	if !last {
		used -= cut(in)
	}
	if utf8.Valid(in[:used]) {
		return append(out, in[:used]...), used, 0
	}
	res, replaced = repair(in[:used], out)
	return res, used, replaced
}

// cut is the length of a sequence the end of in may have cut: a lead byte and fewer continuation
// bytes than it announces (0 when in ends on a whole code point or on bytes that are ill-formed
// anyway). Holding it back changes nothing before it: no ill-formed subsequence extends over a
// lead byte.
func cut(in []byte) int {
	for k := 1; k <= 3 && k <= len(in); k++ {
		b := in[len(in)-k]
		switch {
		case b < 0x80:
			return 0
		case b < 0xC0:
			continue // a continuation byte
		case b < 0xE0 && k < 2, b >= 0xE0 && b < 0xF0 && k < 3, b >= 0xF0 && b < 0xF8 && k < 4:
			return k
		default:
			return 0
		}
	}
	return 0
}

// leadRange tells, for a non-ASCII byte, how many continuation bytes it needs and the allowed
// range of the first one; need == 0 means the byte can never start a sequence.
func leadRange(b byte) (need int, lo, hi byte) {
	switch {
	case b >= 0xC2 && b <= 0xDF:
		return 1, 0x80, 0xBF
	case b == 0xE0:
		return 2, 0xA0, 0xBF
	case b >= 0xE1 && b <= 0xEC, b == 0xEE, b == 0xEF:
		return 2, 0x80, 0xBF
	case b == 0xED:
		return 2, 0x80, 0x9F
	case b == 0xF0:
		return 3, 0x90, 0xBF
	case b >= 0xF1 && b <= 0xF3:
		return 3, 0x80, 0xBF
	case b == 0xF4:
		return 3, 0x80, 0x8F
	}
	return 0, 0, 0
}

// repair appends in to out with every maximal ill-formed subsequence (an incomplete sequence at
// the end included) replaced by one U+FFFD, and counts the replacements.
func repair(in []byte, out []byte) ([]byte, int) {
	replaced := 0
	i, n := 0, len(in)
	for i < n {
		b := in[i]
		if b < 0x80 {
			j := i + 1
			for j < n && in[j] < 0x80 {
				j++
			}
			out = append(out, in[i:j]...)
			i = j
			continue
		}
		need, lo, hi := leadRange(b)
		if need == 0 {
			out = append(out, replacement...)
			replaced++
			i++
			continue
		}
		j, k := i+1, 0
		for k < need && j < n {
			c := in[j]
			if k == 0 && (c < lo || c > hi) || k > 0 && (c < 0x80 || c > 0xBF) {
				break
			}
			j++
			k++
		}
		if k == need {
			out = append(out, in[i:j]...)
		} else {
			out = append(out, replacement...)
			replaced++
		}
		i = j
	}
	return out, replaced
}
