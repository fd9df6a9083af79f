package main

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/bits"
	"strconv"
)

// Rule identifies one masking rule. The numeric order is the priority order of the spec.
type Rule int

// The ten rules of the spec, in priority order.
const (
	RuleJWT Rule = iota
	RuleBearer
	RuleSecret
	RuleAPIKey
	RuleEmail
	RuleIPv6
	RuleIPv4
	RuleThaiID
	RuleCard
	RulePhone
	numRules
	noRule Rule = -1
)

// Read-only tables indexed by Rule.
var (
	ruleNames = [numRules]string{"jwt", "bearer", "secret", "api_key", "email", "ipv6", "ipv4", "thai_id", "card", "phone"}
	ruleRepl  = [numRules]string{"[JWT]", "[TOKEN]", "[REDACTED]", "[API_KEY]", "[EMAIL]", "[IPV6]", "[IPV4]", "[THAI_ID]", "[CARD]", "[PHONE]"}
)

// String returns the rule's label as used in the summary line.
func (r Rule) String() string {
	if r < 0 || r >= numRules {
		return "none"
	}
	return ruleNames[r]
}

// Errors returned by Mask wrap one of these, so callers can tell which side of the stream failed.
var (
	ErrRead  = errors.New("read failed")
	ErrWrite = errors.New("write failed")
)

const (
	// readBlockSize is the size of each read from the input. Big blocks mean few syscalls and
	// long runs of complete lines for the scanner.
	readBlockSize = 1 << 20
	// writeBufSize is the size of the buffered writer in front of the output.
	writeBufSize = 1 << 20
)

// Stats is what the summary line reports.
type Stats struct {
	BytesIn  int64
	BytesOut int64
	Lines    int64
	Masked   [numRules]int64
}

// AppendJSON appends the summary line (without the trailing newline) to b. It is written by
// hand so that key order and spacing are exactly those of the spec.
func (st *Stats) AppendJSON(b []byte) []byte {
	b = append(b, `{"bytes_in":`...)
	b = strconv.AppendInt(b, st.BytesIn, 10)
	b = append(b, `,"bytes_out":`...)
	b = strconv.AppendInt(b, st.BytesOut, 10)
	b = append(b, `,"lines":`...)
	b = strconv.AppendInt(b, st.Lines, 10)
	b = append(b, `,"masked":{`...)
	for r := Rule(0); r < numRules; r++ {
		if r > 0 {
			b = append(b, ',')
		}
		b = append(b, '"')
		b = append(b, ruleNames[r]...)
		b = append(b, `":`...)
		b = strconv.AppendInt(b, st.Masked[r], 10)
	}
	return append(b, "}}"...)
}

// Mask copies src to dst with every match of the spec's rules replaced, and returns the
// statistics for the summary line. It streams: memory use is bounded by the longest line plus
// the fixed read and write buffers.
func Mask(dst io.Writer, src io.Reader) (Stats, error) {
	return maskStream(dst, src, readBlockSize)
}

// maskStream is Mask with a configurable initial read block size (the tests use tiny blocks to
// exercise the carry-over logic).
func maskStream(dst io.Writer, src io.Reader, blockSize int) (Stats, error) {
	m := masker{w: bufio.NewWriterSize(dst, writeBufSize)}
	buf := make([]byte, blockSize)
	carry := 0 // bytes at the front of buf that belong to an unfinished line
	for {
		n, rerr := src.Read(buf[carry:])
		if rerr != nil && rerr != io.EOF {
			return m.stats, fmt.Errorf("%w: %w", ErrRead, rerr)
		}
		filled := carry + n
		if rerr == io.EOF {
			// Whatever is left is the final line (possibly empty, possibly without '\n').
			if err := m.block(buf[:filled]); err != nil {
				return m.stats, err
			}
			if filled > 0 && buf[filled-1] != '\n' {
				m.stats.Lines++
			}
			break
		}
		// The carried-over bytes contain no '\n' (they follow the last one), so only the
		// newly read bytes need searching; this keeps long lines from being rescanned.
		last := bytes.LastIndexByte(buf[carry:filled], '\n')
		if last < 0 {
			carry = filled
			if carry == len(buf) {
				// A line longer than the buffer: grow it. Doubling keeps the total copying
				// linear, and memory stays within about twice the longest line.
				nb := make([]byte, 2*len(buf))
				copy(nb, buf[:carry])
				buf = nb
			}
			continue
		}
		end := carry + last + 1
		if err := m.block(buf[:end]); err != nil {
			return m.stats, err
		}
		carry = copy(buf, buf[end:filled])
	}
	if err := m.w.Flush(); err != nil {
		return m.stats, fmt.Errorf("%w: %w", ErrWrite, err)
	}
	return m.stats, nil
}

// masker holds the output side of one run.
type masker struct {
	w     *bufio.Writer
	stats Stats
}

// block masks s, which is a run of complete lines (each ending in '\n', except that the very
// last line of the input may lack it), and writes the result.
//
// The block is scanned as a whole instead of line by line: the '\n' byte belongs to none of the
// spec's character classes and is not a rule start, so every maximal run and lookahead stops at
// it exactly as at the end of a line, and as the byte before a line start it passes every left
// boundary test exactly as "start of line" does. This avoids per-line calls and lets unmodified
// lines be copied to the output in one big write.
func (m *masker) block(s []byte) error {
	m.stats.BytesIn += int64(len(s))
	// bytes.Count with a one-byte separator is SIMD-accelerated; far cheaper than counting in
	// the scanning loop.
	m.stats.Lines += int64(bytes.Count(s, []byte{'\n'}))

	sc := scanner{s: s, at: -1, tailFrom: -1}
	n := len(s)
	copied := 0 // s[:copied] has been written already
	for p := sc.next(0); p < n; {
		end, keep, r := sc.match(p)
		if r == noRule {
			p = sc.next(sc.skip(p))
			continue
		}
		repl := ruleRepl[r]
		if _, err := m.w.Write(s[copied : p+keep]); err != nil {
			return fmt.Errorf("%w: %w", ErrWrite, err)
		}
		if _, err := m.w.WriteString(repl); err != nil {
			return fmt.Errorf("%w: %w", ErrWrite, err)
		}
		m.stats.BytesOut += int64(p + keep - copied + len(repl))
		m.stats.Masked[r]++
		copied = end
		// Scanning continues at the end of the match; if the match ended inside a word
		// (possible for e-mail), the rest of it cannot start a rule.
		if class[s[end-1]]&cW != 0 {
			p = sc.next(sc.skip(end - 1))
		} else {
			p = sc.next(end)
		}
	}
	if _, err := m.w.Write(s[copied:]); err != nil {
		return fmt.Errorf("%w: %w", ErrWrite, err)
	}
	m.stats.BytesOut += int64(n - copied)
	return nil
}

// Character-class bits for the lookup table.
const (
	cD         uint16 = 1 << iota // 0-9
	cH                            // 0-9 A-F a-f
	cW                            // A-Z a-z 0-9 _
	cB64                          // A-Z a-z 0-9 _ -
	cL                            // A-Z a-z 0-9 . _ % + -   (e-mail local part)
	cTOK                          // A-Z a-z 0-9 . _ ~ + / = -   (bearer token)
	cDom                          // A-Z a-z 0-9 . -   (e-mail domain)
	cAlnum                        // A-Z a-z 0-9
	cAKIA                         // 0-9 A-Z
	cVal                          // ASCII, none of space tab " ' & , ; \n   (secret value)
	cHC                           // H or ':'   (IPv6 run)
	cAlpha                        // A-Z a-z
	cStart                        // may start some rule: L, '(', ':', '+'
	cKey                          // may start rules 1-4: e b B p P s S a A g r
	cEmailOnly                    // W, and only the e-mail rule can start with it
)

// class maps every byte to its class bits. It is built once at start-up and only read after
// that. One table lookup answers "is this byte in class X" for any class, with no branches on
// ranges.
var class = func() (t [256]uint16) {
	in := func(c byte, set string) bool {
		for i := 0; i < len(set); i++ {
			if set[i] == c {
				return true
			}
		}
		return false
	}
	for b := range 256 {
		c := byte(b)
		digit := c >= '0' && c <= '9'
		alpha := (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')
		alnum := digit || alpha
		var f uint16
		if digit {
			f |= cD
		}
		if digit || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') {
			f |= cH | cHC
		}
		if c == ':' {
			f |= cHC
		}
		if alnum || c == '_' {
			f |= cW
		}
		if alnum || c == '_' || c == '-' {
			f |= cB64
		}
		if alnum || in(c, "._%+-") {
			f |= cL
		}
		if alnum || in(c, "._~+/=-") {
			f |= cTOK
		}
		if alnum || c == '.' || c == '-' {
			f |= cDom
		}
		if alnum {
			f |= cAlnum
		}
		if alpha {
			f |= cAlpha
		}
		if digit || (c >= 'A' && c <= 'Z') {
			f |= cAKIA
		}
		if c < 0x80 && !in(c, " \t\"'&,;\n") {
			f |= cVal
		}
		if f&cL != 0 || c == '(' || c == ':' || c == '+' {
			f |= cStart
		}
		if in(c, "ebBpPsSaAgr") {
			f |= cKey
		}
		if f&cW != 0 && f&(cKey|cH) == 0 {
			f |= cEmailOnly
		}
		t[b] = f
	}
	return t
}()

// scanner evaluates the rules at positions of one block.
type scanner struct {
	s []byte
	// at is the index of the next '@' at or after the last e-mail candidate, len(s) if there
	// is none, -1 before the first search; atLine is the start of its line. Finding it with
	// bytes.IndexByte (SIMD) lets the e-mail rule, which may start at any word, be rejected
	// without scanning the word when no '@' follows on the same line.
	at, atLine int
	// The jwt rule scans maximal B64 runs, and a failed candidate may be followed by another
	// candidate inside the same run (after a '-'); caching the last run and the result of
	// its tail keeps the scan linear even for adversarial input.
	b64Start, b64End  int
	tailFrom, tailEnd int
}

// match tries the rules in priority order at p. It returns the end of the match, the number of
// matched bytes to copy before the replacement, and the rule; r is noRule if nothing matches.
// The caller guarantees p == 0 or s[p-1] is not a word byte.
//
// match is the exact definition; next (the filter in front of it) only decides where it is
// worth calling. Inside, cheap necessary conditions (first two bytes, digit-run length, the
// byte after it) still pick which rule functions to call.
func (sc *scanner) match(p int) (end, keep int, r Rule) {
	s := sc.s
	c := s[p]
	prev := byte('\n') // "start of line" behaves exactly like a preceding '\n'
	if p > 0 {
		prev = s[p-1]
	}
	cc := class[c]

	// Rules 1-4 start with one of a few letters, and no first letter serves both jwt/bearer
	// and secret/api_key, so one switch keeps the priority order. The second byte (|0x20
	// lower-cases letters and maps no other byte to a letter) must fit the keyword.
	if cc&cKey != 0 {
		c1 := sc.byteAt(p + 1)
		l1 := c1 | 0x20
		switch c {
		case 'e':
			if c1 == 'y' {
				if e := sc.jwt(p); e >= 0 {
					return e, 0, RuleJWT
				}
			}
		case 'b', 'B':
			if l1 == 'e' {
				if e, k := sc.bearer(p); e >= 0 {
					return e, k, RuleBearer
				}
			}
		case 'p', 'P', 's', 'S', 'a', 'A':
			// password passwd pwd secret api_key apikey access_token
			if l1 == 'a' || l1 == 'w' || l1 == 'e' || l1 == 'p' || l1 == 'c' {
				if e, k := sc.secret(p); e >= 0 {
					return e, k, RuleSecret
				}
			}
			if (c == 'A' && c1 == 'K') || ((c == 's' || c == 'p') && c1 == 'k') {
				if e := sc.apiKey(p); e >= 0 {
					return e, 0, RuleAPIKey
				}
			}
		case 'g', 'r':
			if c1 == 'h' || c1 == 'k' {
				if e := sc.apiKey(p); e >= 0 {
					return e, 0, RuleAPIKey
				}
			}
		}
	}
	if cc&cL != 0 && class[prev]&cL == 0 {
		if sc.at < p {
			sc.findAt(p)
		}
		if p >= sc.atLine {
			if e := sc.email(p); e >= 0 {
				return e, 0, RuleEmail
			}
		}
	}
	ipv6Left := prev != ':' && prev != '.'
	lbd := prev != '-' && prev != '.' && prev != '+' // LBd, given that prev is not W
	if cc&cD != 0 {
		// Numbers are frequent in logs (timestamps, counters) and almost never match: the
		// length of the digit run and the byte after it rule out most rules before any of
		// them is called.
		dl := sc.digitRun(p, 20) // 20 is enough to tell every length that matters (≤ 19)
		nx := sc.byteAt(p + dl)
		// IPv6: the first group is 1-4 hex bytes followed by ':'.
		if ipv6Left && dl <= 4 && (nx == ':' || (dl < 4 && class[nx]&cH != 0)) {
			if e := sc.ipv6(p); e >= 0 {
				return e, 0, RuleIPv6
			}
		}
		if !lbd {
			return -1, 0, noRule
		}
		sep := nx == '-' || nx == ' '
		if dl <= 3 && nx == '.' {
			if e := sc.ipv4(p); e >= 0 {
				return e, 0, RuleIPv4
			}
		}
		if dl == 13 || (dl == 1 && sep) {
			if e := sc.thaiID(p, dl); e >= 0 {
				return e, 0, RuleThaiID
			}
		}
		if (dl >= 13 && dl <= 19) || (dl == 4 && sep) {
			if e := sc.card(p, dl); e >= 0 {
				return e, 0, RuleCard
			}
		}
		// Phone forms starting with a digit start with '0' or are D{3} '-' ....
		if c == '0' || (dl == 3 && nx == '-') {
			if e := sc.phone(p); e >= 0 {
				return e, 0, RulePhone
			}
		}
		return -1, 0, noRule
	}
	if cc&cHC != 0 && ipv6Left {
		if e := sc.ipv6(p); e >= 0 {
			return e, 0, RuleIPv6
		}
	}
	if (c == '+' || c == '(') && lbd {
		if e := sc.phone(p); e >= 0 {
			return e, 0, RulePhone
		}
	}
	return -1, 0, noRule
}

// skip returns the position after a failed candidate p where scanning resumes. If s[p] is a
// word byte, no rule can start in the rest of its word (the previous byte would be a word
// byte) nor at the byte right after it, so all of that is skipped.
func (sc *scanner) skip(p int) int {
	s := sc.s
	if class[s[p]]&cW == 0 {
		return p + 1
	}
	p++
	for p < len(s) && class[s[p]]&cW != 0 {
		p++
	}
	return p + 1
}

// next returns the first candidate position at or after i where a rule may match, or len(s).
// The caller guarantees i == 0 or s[i-1] is not a word byte, or that i > len(s)-1.
//
// This is the hot loop. Every rule needs the byte before its start not to be a word byte and
// its first byte to be a "start" byte (L, '(', ':', '+'), so the candidates are the first bytes
// of words, numbers and a few punctuation marks: one every few bytes in a log, and almost none
// of them matches. Each candidate gets a series of cheap necessary conditions of the rules,
// computed inline (no call per candidate), mostly on its first 8 bytes loaded as one integer;
// only if one holds does the caller run the full rules (match).
func (sc *scanner) next(i int) int {
	s := sc.s
	n := len(s)
	for {
		// Bytes that cannot start a rule (space, most punctuation, '\n', every byte >= 0x80)
		// cost one lookup in a 256-entry table. They are never copied one by one: unmodified
		// spans are written in bulk when a match is emitted. (Measured: this plain loop beats
		// 8-bytes-at-a-time SWAR classification, because the gaps between words are short.)
		// (uint(i) < uint(n) also proves i >= 0, which removes the bounds check on s[i].)
		for uint(i) < uint(n) && class[s[i]]&cStart == 0 {
			i++
		}
		if i >= n {
			return n
		}
		c := s[i]
		f := class[c]
		// The most common candidate - a word starting with a letter that begins no keyword
		// and is no hex digit - can only start an e-mail; reject it at once when no '@'
		// follows on this line.
		if f&cEmailOnly != 0 && sc.at >= i && i < sc.atLine {
			goto skipWord
		}
		if i+8 > n {
			return i // the last bytes of a block are rare: no filter needed
		}
		{
			x := binary.LittleEndian.Uint64(s[i:]) // the first 8 bytes, as one integer
			prev := byte('\n')
			if i > 0 {
				prev = s[i-1]
			}
			if f&cW == 0 {
				// Punctuation: '(' starts only phones "(DDD)", ':' only IPv6 "::", '+'
				// phones "+66"/"+1" or an e-mail, '.', '%', '-' only an e-mail.
				switch {
				case c == '(' && byte(x>>32) == ')' && digitMask(x)&(0x808080<<8) == 0x808080<<8,
					c == ':' && byte(x>>8) == ':',
					c == '+' && (x&0xffffff == '+'|'6'<<8|'6'<<16 || byte(x>>8) == '1'):
					return i
				}
				if f&cL != 0 && sc.emailAt(i, prev) {
					return i
				}
				i++
				continue
			}
			// Rules 1-4: the first bytes must begin one of their keywords. A bit table on
			// the first two bytes rejects most words before the 4-byte comparison.
			if f&cKey != 0 && keyPair[c]>>(byte(x>>8)&31)&1 != 0 && keywordStart(uint32(x)) {
				return i
			}
			// Rule 5: an e-mail needs an '@' on this line (the call is made only when the
			// '@' cursor is stale or points into this line).
			if (sc.at < i || i >= sc.atLine) && sc.emailAt(i, prev) {
				return i
			}
			if f&cD != 0 {
				// Numbers: a SWAR digit mask of the 8 bytes gives the digit-run length dl
				// and the layout of what follows without a loop.
				dm := digitMask(x) // digit bit of lane k: 0x80 << 8k
				dl := bits.TrailingZeros64(^dm&hi1) >> 3
				if dl == 8 {
					// 8 or more digits: no IPv6 group, maybe a card or an ID.
					if !lbdBlocker(prev) {
						return i
					}
					goto skipWord
				}
				nx := byte(x >> (8 * dl))
				// Rule 6 (IPv6): a ':' must end a first group of at most 4 hex digits.
				if prev != ':' && prev != '.' && dl <= 4 &&
					(nx == ':' || (dl < 4 && class[nx]&cH != 0 && hexColon(x))) {
					return i
				}
				// Rules 7-10: LBd and the shape of a number. numberShape is called only when
				// the byte after the digits and their count fit one of its shapes.
				if !lbdBlocker(prev) && (shapeAfter[nx]>>dl&1 != 0 || c == '0') &&
					numberShape(x, dm, dl, nx) {
					return i
				}
				if class[nx]&cW == 0 {
					// The usual case: the word is just the number, and nx ends it. Skip
					// both without the byte loop below.
					i += dl + 1
					continue
				}
			} else if f&cH != 0 && prev != ':' && prev != '.' && hexColon(x) {
				return i // rule 6 (IPv6), for a word starting with a hex letter
			}
		}
	skipWord:
		// No rule starts at this word's first byte: skip the word and the byte after it.
		i++
		for uint(i) < uint(n) && class[s[i]]&cW != 0 {
			i++
		}
		i++
	}
}

// emailAt reports whether the e-mail rule matches at i (prev is s[i-1]). It costs two
// comparisons unless an '@' follows on the same line.
func (sc *scanner) emailAt(i int, prev byte) bool {
	if sc.at < i {
		sc.findAt(i)
	}
	return i >= sc.atLine && class[prev]&cL == 0 && sc.email(i) >= 0
}

// hexColon reports whether the 8 bytes x start with 1-4 hex digits followed by ':'.
func hexColon(x uint64) bool {
	k := 1
	for k < 4 && class[byte(x>>(8*k))]&cH != 0 {
		k++
	}
	return byte(x>>(8*k)) == ':'
}

// numberShape reports whether the 8 bytes x, which start with a run of dl digits (dl < 8,
// digit mask dm) followed by nx, may start an ipv4, thai_id, card or phone match.
func numberShape(x, dm uint64, dl int, nx byte) bool {
	const d3, d4 = 0x80 * 0x010101, 0x80 * 0x01010101
	switch nx {
	case '.': // ipv4: octet '.' octet '.', octets of 1-3 digits: fits in 8 bytes
		if dl <= 3 {
			rest := dm >> (8 * (dl + 1))
			d2 := bits.TrailingZeros64(^rest&hi1) >> 3
			if d2 >= 1 && d2 <= 3 && byte(x>>(8*(dl+1+d2))) == '.' {
				return true
			}
		}
	case '-':
		// phone D{3} - D{3} - ...
		if dl == 3 && dm&(d3<<32) == d3<<32 {
			return true
		}
		fallthrough
	case ' ':
		// thai_id grouped D S DDDD ..., card grouped DDDD S DDD(D) ...
		if (dl == 1 && dm&(d4<<16) == d4<<16) || (dl == 4 && dm&(d3<<40) == d3<<40) {
			return true
		}
	}
	// phone: 0[689]... or 02...
	c1 := byte(x >> 8)
	return byte(x) == '0' && (c1 == '2' || c1 == '6' || c1 == '8' || c1 == '9')
}

// keyPair[c] has bit b set when c followed by a byte whose low 5 bits are b may begin a
// keyword of rules 1-4 (both cases of letters, and some non-letters, share those 5 bits:
// a superset, which is all a filter needs).
var keyPair = func() (t [256]uint32) {
	for _, kw := range []string{"ey", "be", "pa", "pw", "se", "ap", "ac", "AK", "gh", "sk", "pk", "rk"} {
		for _, c0 := range []byte{kw[0], kw[0] ^ 0x20} { // bearer, secret keys: any case
			t[c0] |= 1 << (kw[1] & 31)
		}
	}
	return t
}()

// shapeAfter[nx] has bit dl set when a run of dl digits followed by nx may begin an ipv4
// ("D.", "DD.", "DDD."), a grouped thai_id or card ("D-", "D ", "DDDD-", "DDDD ") or a
// phone "DDD-" (phones starting with '0' are tested separately).
var shapeAfter = func() (t [256]uint8) {
	t['.'] = 1<<1 | 1<<2 | 1<<3
	t['-'] = 1<<1 | 1<<3 | 1<<4
	t[' '] = 1<<1 | 1<<4
	return t
}()

// Little-endian 32-bit values of keyword prefixes, for keywordStart.
const (
	le3Mask = 0x00ffffff
	kwBear  = 'b' | 'e'<<8 | 'a'<<16 | 'r'<<24
	kwPass  = 'p' | 'a'<<8 | 's'<<16 | 's'<<24
	kwSecr  = 's' | 'e'<<8 | 'c'<<16 | 'r'<<24
	kwApi_  = 'a' | 'p'<<8 | 'i'<<16 | ('_'|0x20)<<24
	kwApik  = 'a' | 'p'<<8 | 'i'<<16 | 'k'<<24
	kwAcce  = 'a' | 'c'<<8 | 'c'<<16 | 'e'<<24
	kwPwd   = 'p' | 'w'<<8 | 'd'<<16
	kwEyJ   = 'e' | 'y'<<8 | 'J'<<16
	kwAKIA  = 'A' | 'K'<<8 | 'I'<<16 | 'A'<<24
	kwGhp_  = 'g' | 'h'<<8 | 'p'<<16 | '_'<<24
	kwSk_   = 's' | 'k'<<8 | '_'<<16
	kwPk_   = 'p' | 'k'<<8 | '_'<<16
	kwRk_   = 'r' | 'k'<<8 | '_'<<16
)

// keywordStart reports whether the 4 bytes w (little endian) may begin a match of rules 1-4:
// eyJ, bearer, a secret key, AKIA, ghp_, sk_/pk_/rk_. OR-ing 0x20 into every byte lower-cases
// letters (the case-insensitive keywords); it may let a few non-letters through, which is
// harmless because match checks exactly.
func keywordStart(w uint32) bool {
	switch l := w | 0x20202020; l {
	case kwBear, kwPass, kwSecr, kwApi_, kwApik, kwAcce:
		return true
	default:
		if l&le3Mask == kwPwd {
			return true
		}
	}
	switch w {
	case kwAKIA, kwGhp_:
		return true
	}
	switch w & le3Mask {
	case kwEyJ, kwSk_, kwPk_, kwRk_:
		return true
	}
	return false
}

// lbdBlocker reports whether a non-word byte before a number makes LBd fail.
func lbdBlocker(b byte) bool {
	return b == '-' || b == '.' || b == '+'
}

// findAt moves the '@' cursor to the first '@' at or after p.
func (sc *scanner) findAt(p int) {
	s := sc.s
	if k := bytes.IndexByte(s[p:], '@'); k >= 0 {
		sc.at = p + k
		// Start of the line holding that '@': candidates before it are on earlier lines and
		// cannot reach it. The backward search stays within one line.
		sc.atLine = p + bytes.LastIndexByte(s[p:sc.at], '\n') + 1
	} else {
		sc.at, sc.atLine = len(s), len(s)+1
	}
}

// run returns the end of the maximal run of bytes in class mask starting at i.
func (sc *scanner) run(i int, mask uint16) int {
	s := sc.s
	for i < len(s) && class[s[i]]&mask != 0 {
		i++
	}
	return i
}

// digitRun returns the length of the run of digits at i, counting at most limit.
func (sc *scanner) digitRun(i, limit int) int {
	return digitRun(sc.s, i, limit)
}

// digits reports whether s[i:i+k] exists and is all digits (k <= 8).
func (sc *scanner) digits(i, k int) bool {
	s := sc.s
	if i < 0 || i+k > len(s) {
		return false
	}
	if i+8 <= len(s) {
		// One 8-byte load and a SWAR digit mask; want has the digit bit of lanes 0..k-1.
		want := uint64(hi1) >> (64 - 8*k)
		return digitMask(binary.LittleEndian.Uint64(s[i:]))&want == want
	}
	for _, c := range s[i : i+k] {
		if class[c]&cD == 0 {
			return false
		}
	}
	return true
}

// byteAt returns s[i], or 0 (in no class) past the end.
func (sc *scanner) byteAt(i int) byte {
	if i < len(sc.s) {
		return sc.s[i]
	}
	return 0
}

// rbd is the numeric right boundary RBd(q).
func (sc *scanner) rbd(q int) bool {
	s := sc.s
	if q >= len(s) {
		return true
	}
	c := s[q]
	if class[c]&cW != 0 {
		return false
	}
	if (c == '-' || c == '.') && q+1 < len(s) && class[s[q+1]]&cD != 0 {
		return false
	}
	return true
}

// hasFoldPrefix reports whether b starts with key, comparing ASCII letters without case.
// key must be lower case.
func hasFoldPrefix(b []byte, key string) bool {
	if len(b) < len(key) {
		return false
	}
	for i := 0; i < len(key); i++ {
		c := b[i]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != key[i] {
			return false
		}
	}
	return true
}

// hasPrefix reports whether s[i:] starts with lit (exact case).
func (sc *scanner) hasPrefix(i int, lit string) bool {
	return i+len(lit) <= len(sc.s) && string(sc.s[i:i+len(lit)]) == lit
}

// jwt: eyJ + B64 run (≥ 4) . B64 run (≥ 1) . B64 run (≥ 1). Caller checked s[p] == 'e'.
func (sc *scanner) jwt(p int) int {
	s := sc.s
	if p+3 >= len(s) || s[p+1] != 'y' || s[p+2] != 'J' {
		return -1
	}
	var e1 int
	if p >= sc.b64Start && p < sc.b64End {
		e1 = sc.b64End // same maximal run as an earlier candidate
	} else {
		e1 = sc.run(p+3, cB64)
		sc.b64Start, sc.b64End = p, e1
	}
	if e1-p < 4 {
		return -1
	}
	if e1 != sc.tailFrom {
		sc.tailFrom, sc.tailEnd = e1, sc.jwtTail(e1)
	}
	return sc.tailEnd
}

func (sc *scanner) jwtTail(e1 int) int {
	if sc.byteAt(e1) != '.' {
		return -1
	}
	e2 := sc.run(e1+1, cB64)
	if e2 == e1+1 || sc.byteAt(e2) != '.' {
		return -1
	}
	e3 := sc.run(e2+1, cB64)
	if e3 == e2+1 {
		return -1
	}
	return e3
}

// bearer: "bearer" (any case), spaces (≥ 1), TOK run (≥ 8). The word and spaces are kept.
func (sc *scanner) bearer(p int) (end, keep int) {
	s := sc.s
	if !hasFoldPrefix(s[p:], "bearer") {
		return -1, 0
	}
	i := p + 6
	for i < len(s) && s[i] == ' ' {
		i++
	}
	if i == p+6 {
		return -1, 0
	}
	e := sc.run(i, cTOK)
	if e-i < 8 {
		return -1, 0
	}
	return e, i - p
}

// secret: key ["] spaces (=|:) spaces ["] value. Everything before the value is kept.
func (sc *scanner) secret(p int) (end, keep int) {
	s := sc.s
	b := s[p:]
	k := 0
	switch s[p] | 0x20 { // s[p] is a letter here, so |0x20 lower-cases it
	case 'p':
		switch {
		case hasFoldPrefix(b, "password"):
			k = 8
		case hasFoldPrefix(b, "passwd"):
			k = 6
		case hasFoldPrefix(b, "pwd"):
			k = 3
		}
	case 's':
		if hasFoldPrefix(b, "secret") {
			k = 6
		}
	case 'a':
		switch {
		case hasFoldPrefix(b, "api_key"):
			k = 7
		case hasFoldPrefix(b, "apikey"):
			k = 6
		case hasFoldPrefix(b, "access_token"):
			k = 12
		}
	}
	if k == 0 {
		return -1, 0
	}
	// No two keys can both be prefixes at p, so there is nothing to backtrack into; and the
	// optional quotes and space runs are deterministic (a value can start with neither).
	i := p + k
	n := len(s)
	if i < n && s[i] == '"' {
		i++
	}
	for i < n && s[i] == ' ' {
		i++
	}
	if i >= n || (s[i] != '=' && s[i] != ':') {
		return -1, 0
	}
	i++
	for i < n && s[i] == ' ' {
		i++
	}
	if i < n && s[i] == '"' {
		i++
	}
	e := sc.run(i, cVal)
	if e == i {
		return -1, 0
	}
	return e, i - p
}

// apiKey: AKIA + 16 [0-9A-Z] | ghp_ + 36 alnum | (sk|pk|rk)_(live|test)_ + ≥ 16 alnum; then RBd.
func (sc *scanner) apiKey(p int) int {
	s := sc.s
	switch s[p] {
	case 'A':
		if !sc.hasPrefix(p, "AKIA") {
			return -1
		}
		e := p + 4
		for e < len(s) && e-p < 21 && class[s[e]]&cAKIA != 0 { // 17 bytes tell "exactly 16"
			e++
		}
		if e-p != 20 || !sc.rbd(e) {
			return -1
		}
		return e
	case 'g':
		if !sc.hasPrefix(p, "ghp_") {
			return -1
		}
		e := p + 4
		for e < len(s) && e-p < 41 && class[s[e]]&cAlnum != 0 { // 37 bytes tell "exactly 36"
			e++
		}
		if e-p != 40 || !sc.rbd(e) {
			return -1
		}
		return e
	case 's', 'p', 'r':
		if !sc.hasPrefix(p+1, "k_") || !(sc.hasPrefix(p+3, "live_") || sc.hasPrefix(p+3, "test_")) {
			return -1
		}
		e := sc.run(p+8, cAlnum)
		if e-(p+8) < 16 || !sc.rbd(e) {
			return -1
		}
		return e
	}
	return -1
}

// email: L run (≥ 1) @ domain. The caller checked the left condition.
func (sc *scanner) email(p int) int {
	s := sc.s
	at := sc.at // the caller moved it to the next '@' and checked it is on this line
	// '@' is not in L, so the maximal L run from p ends at the '@' iff it reaches it.
	if sc.run(p, cL) != at {
		return -1
	}
	d := sc.run(at+1, cDom)
	for d > at+1 && s[d-1] == '.' {
		d--
	}
	if !validDomain(s[at+1 : d]) {
		return -1
	}
	return d
}

// validDomain: ≥ 2 non-empty labels separated by '.', the last one ≥ 2 letters.
func validDomain(d []byte) bool {
	labels, start := 0, 0
	for i := 0; i <= len(d); i++ {
		if i == len(d) || d[i] == '.' {
			if i == start {
				return false
			}
			labels++
			if i < len(d) {
				start = i + 1
			}
		}
	}
	if labels < 2 {
		return false
	}
	last := d[start:]
	if len(last) < 2 {
		return false
	}
	for _, c := range last {
		if class[c]&cAlpha == 0 {
			return false
		}
	}
	return true
}

// ipv6: maximal run of H and ':' (minus one trailing single ':'), not followed by W or '.'.
// The caller checked the left condition.
func (sc *scanner) ipv6(p int) int {
	s := sc.s
	// Quick reject, since most words starting with a hex letter or digit are not addresses:
	// every valid R contains a ':' and its first group has at most 4 bytes, so a ':' must
	// come within the first 5 bytes.
	k := 0
	for k < 4 && p+k < len(s) && class[s[p+k]]&cH != 0 {
		k++
	}
	if sc.byteAt(p+k) != ':' {
		return -1
	}
	e := sc.run(p, cHC)
	if e > p && s[e-1] == ':' && (e-2 < p || s[e-2] != ':') {
		e--
	}
	if e == p {
		return -1
	}
	if e < len(s) && (class[s[e]]&cW != 0 || s[e] == '.') {
		return -1
	}
	if !validIPv6(s[p:e]) {
		return -1
	}
	return e
}

// validIPv6 checks the group structure of a run of H and ':'.
func validIPv6(r []byte) bool {
	dc := bytes.Index(r, []byte("::"))
	if dc < 0 {
		g, ok := hexGroups(r)
		return ok && g == 8
	}
	// A ":::" or a second "::" leaves an empty group in the text after the first "::",
	// which hexGroups rejects.
	gb, ok1 := hexGroups(r[:dc])
	ga, ok2 := hexGroups(r[dc+2:])
	return ok1 && ok2 && gb+ga <= 7
}

// hexGroups splits t (bytes of H and ':') at ':' and checks every group is 1-4 bytes long.
// Empty t is zero groups.
func hexGroups(t []byte) (int, bool) {
	if len(t) == 0 {
		return 0, true
	}
	groups, start := 0, 0
	for i := 0; i <= len(t); i++ {
		if i == len(t) || t[i] == ':' {
			if l := i - start; l < 1 || l > 4 {
				return 0, false
			}
			groups++
			start = i + 1
		}
	}
	return groups, true
}

// ipv4: four octets separated by '.', then RBd. The caller checked LBd.
func (sc *scanner) ipv4(p int) int {
	i := p
	for k := 0; k < 4; k++ {
		if k > 0 {
			if sc.byteAt(i) != '.' {
				return -1
			}
			i++
		}
		j, ok := sc.octet(i)
		if !ok {
			return -1
		}
		i = j
	}
	if !sc.rbd(i) {
		return -1
	}
	return i
}

// octet checks the maximal digit run at i: 1-3 digits, ≤ 255, no leading zero.
func (sc *scanner) octet(i int) (int, bool) {
	s := sc.s
	l := sc.digitRun(i, 4)
	if l == 0 || l > 3 || (l > 1 && s[i] == '0') {
		return 0, false
	}
	v := 0
	for _, c := range s[i : i+l] {
		v = v*10 + int(c-'0')
	}
	return i + l, v <= 255
}

// thaiID: 13 digits, or D S DDDD S DDDDD S DD S D; then RBd and the checksum. dl is the length
// of the digit run at p (capped). The caller checked LBd.
func (sc *scanner) thaiID(p, dl int) int {
	s := sc.s
	var end int
	switch dl {
	case 13:
		end = p + 13
	case 1:
		end = p + 17
		if end > len(s) {
			return -1
		}
		sep := s[p+1]
		if (sep != '-' && sep != ' ') || s[p+6] != sep || s[p+12] != sep || s[p+15] != sep ||
			!sc.digits(p+2, 4) || !sc.digits(p+7, 5) || !sc.digits(p+13, 2) || !sc.digits(p+16, 1) {
			return -1
		}
	default:
		return -1
	}
	if !sc.rbd(end) || !thaiChecksum(s[p:end]) {
		return -1
	}
	return end
}

// thaiChecksum checks the national ID check digit over the 13 digits in b (separators skipped).
func thaiChecksum(b []byte) bool {
	var d [13]int
	k := 0
	for _, c := range b {
		if c >= '0' && c <= '9' {
			d[k] = int(c - '0')
			k++
		}
	}
	sum := 0
	for i := 0; i < 12; i++ {
		sum += d[i] * (13 - i) // weight 14 − i for the 1-based position i+1
	}
	return d[12] == (11-sum%11)%10
}

// card: 13-19 digits, or DDDD S DDDD S DDDD S DDDD; then RBd and Luhn. The caller checked LBd.
func (sc *scanner) card(p, dl int) int {
	s := sc.s
	var end int
	switch {
	case dl >= 13 && dl <= 19:
		end = p + dl
	case dl == 4:
		end = p + 19
		if end > len(s) {
			return -1
		}
		sep := s[p+4]
		if (sep != '-' && sep != ' ') || s[p+9] != sep || s[p+14] != sep ||
			!sc.digits(p+5, 4) || !sc.digits(p+10, 4) || !sc.digits(p+15, 4) {
			return -1
		}
	default:
		return -1
	}
	if !sc.rbd(end) || !luhn(s[p:end]) {
		return -1
	}
	return end
}

// luhn runs the Luhn check over the digits of b (separators skipped).
func luhn(b []byte) bool {
	sum := 0
	double := false
	for i := len(b) - 1; i >= 0; i-- {
		c := b[i]
		if c < '0' || c > '9' {
			continue
		}
		d := int(c - '0')
		if double {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
		double = !double
	}
	return sum%10 == 0
}

// optSep skips one optional SEP byte ('-' or ' ') at i.
func (sc *scanner) optSep(i int) int {
	if c := sc.byteAt(i); c == '-' || c == ' ' {
		return i + 1
	}
	return i
}

// phoneTail matches SEP? D{3} SEP? D{4} at i, the common ending of most phone forms.
func (sc *scanner) phoneTail(i int) int {
	i = sc.optSep(i)
	if !sc.digits(i, 3) {
		return -1
	}
	i = sc.optSep(i + 3)
	if !sc.digits(i, 4) {
		return -1
	}
	return i + 4
}

// phone tries the six alternatives in order; each must be followed by RBd. Every alternative
// is deterministic (an optional SEP can never be followed by a SEP-or-digit choice), so each
// is a single forward check. The caller checked LBd.
func (sc *scanner) phone(p int) int {
	s := sc.s
	switch s[p] {
	case '+':
		// 1. +66 SEP? ([689] D | 2) SEP? D{3} SEP? D{4}
		if sc.hasPrefix(p, "+66") {
			i := sc.optSep(p + 3)
			e := -1
			switch sc.byteAt(i) {
			case '6', '8', '9':
				if sc.digits(i+1, 1) {
					e = sc.phoneTail(i + 2)
				}
			case '2':
				e = sc.phoneTail(i + 1)
			}
			if e >= 0 && sc.rbd(e) {
				return e
			}
		}
		// 4. +1 SEP? ( '(' D{3} ')' | D{3} ) SEP? D{3} SEP? D{4}
		if sc.hasPrefix(p, "+1") {
			i := sc.optSep(p + 2)
			e := -1
			if sc.byteAt(i) == '(' {
				if sc.digits(i+1, 3) && sc.byteAt(i+4) == ')' {
					e = sc.phoneTail(i + 5)
				}
			} else if sc.digits(i, 3) {
				e = sc.phoneTail(i + 3)
			}
			if e >= 0 && sc.rbd(e) {
				return e
			}
		}
	case '(':
		// 5. ( D{3} ) SEP? D{3} SEP D{4}
		if sc.digits(p+1, 3) && sc.byteAt(p+4) == ')' {
			i := sc.optSep(p + 5)
			if sc.digits(i, 3) {
				if c := sc.byteAt(i + 3); (c == '-' || c == ' ') && sc.digits(i+4, 4) && sc.rbd(i+8) {
					return i + 8
				}
			}
		}
	default: // a digit
		if s[p] == '0' {
			// 2. 0 [689] D SEP? D{3} SEP? D{4}
			if c := sc.byteAt(p + 1); (c == '6' || c == '8' || c == '9') && sc.digits(p+2, 1) {
				if e := sc.phoneTail(p + 3); e >= 0 && sc.rbd(e) {
					return e
				}
			}
			// 3. 02 SEP? D{3} SEP? D{4}
			if sc.byteAt(p+1) == '2' {
				if e := sc.phoneTail(p + 2); e >= 0 && sc.rbd(e) {
					return e
				}
			}
		}
		// 6. D{3} - D{3} - D{4}
		if sc.digits(p, 3) && sc.byteAt(p+3) == '-' && sc.digits(p+4, 3) &&
			sc.byteAt(p+7) == '-' && sc.digits(p+8, 4) && sc.rbd(p+12) {
			return p + 12
		}
	}
	return -1
}
