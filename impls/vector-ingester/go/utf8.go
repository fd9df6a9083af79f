package main

// Streaming UTF-8 repair: every maximal ill-formed subsequence becomes one U+FFFD (the WHATWG /
// Unicode "maximal subparts" practice; utf8.DecodeRune would replace byte by byte instead).

var replacement = []byte("\uFFFD")

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

// decodeUTF8 appends the repaired text of in to out. Unless last, an incomplete sequence at the
// very end is not consumed (used < len(in)); the caller passes it again with the next bytes.
func decodeUTF8(in []byte, last bool, out []byte) (res []byte, used int, replaced int) {
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
		switch {
		case k == need:
			out = append(out, in[i:j]...)
		case j == n && !last:
			return out, i, replaced
		default:
			out = append(out, replacement...)
			replaced++
		}
		i = j
	}
	return out, n, replaced
}
