package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// maskString masks in with the given read block size and returns the output and statistics.
func maskString(t *testing.T, in string, blockSize int) (string, Stats) {
	t.Helper()
	var out bytes.Buffer
	st, err := maskStream(&out, strings.NewReader(in), blockSize)
	if err != nil {
		t.Fatalf("maskStream: %v", err)
	}
	return out.String(), st
}

func TestRules(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string
	}{
		// 1. jwt
		{"jwt", "t eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.sig_-x9 done", "t [JWT] done"},
		{"jwt minimal", "eyJa.b.c", "[JWT]"},
		{"jwt ends after third run", "eyJa.b.c.d", "[JWT].d"},
		{"jwt after dash", "-eyJa.b.c", "-[JWT]"},
		{"jwt first run too short", "eyJ.abc.def", "eyJ.abc.def"},
		{"jwt two parts only", "eyJabc.def", "eyJabc.def"},
		{"jwt empty middle run", "eyJa..c", "eyJa..c"},
		{"jwt inside word", "xeyJabc.def.ghi _eyJa.b.c", "xeyJabc.def.ghi _eyJa.b.c"},

		// 2. bearer
		{"bearer", "Authorization: Bearer abcDEF123._~+/=- next", "Authorization: Bearer [TOKEN] next"},
		{"bearer spaces and case", "BEARER    0123456789abcdef", "BEARER    [TOKEN]"},
		{"bearer exactly 8", "bearer 12345678", "bearer [TOKEN]"},
		{"bearer token too short", "bearer short1 bearer 1234567", "bearer short1 bearer 1234567"},
		{"bearer tab is no space", "bearer\t12345678", "bearer\t12345678"},
		{"bearer needs LB", "xbearer 12345678", "xbearer 12345678"},
		{"bearer needs space right after", "bearerx 12345678", "bearerx 12345678"},
		{"bearer beats jwt in token", "bearer eyJa.b.c.d.e", "bearer [TOKEN]"},

		// 3. secret
		{"secret ampersand", "password=hunter2&user=bob", "password=[REDACTED]&user=bob"},
		{"secret json", `{"password": "s3cr3t!", "apikey":"k-123", "secret" : x}`,
			`{"password": "[REDACTED]", "apikey":"[REDACTED]", "secret" : [REDACTED]`},
		{"secret keys and misses", "Passwd:  pa55 pwd=a;b secret_key=nope passwords=nope api_key= ",
			"Passwd:  [REDACTED] pwd=[REDACTED];b secret_key=nope passwords=nope api_key= "},
		{"secret comma", "access_token=aaa,bbb", "access_token=[REDACTED],bbb"},
		{"secret upper case spaces", "PASSWORD = x", "PASSWORD = [REDACTED]"},
		{"secret empty quoted value", `password=""`, `password=""`},
		{"secret single quote", "api_key:'x'", "api_key:'x'"},
		{"secret tab before =", "secret\t=x", "secret\t=x"},
		{"secret needs LB", "xpassword=1", "xpassword=1"},
		{"secret value takes CR", "password=abc\r\nnext", "password=[REDACTED]\nnext"},
		{"secret value stops at UTF-8", "password=ab€cd", "password=[REDACTED]€cd"},
		{"secret before ipv4", "password=10.0.0.1", "password=[REDACTED]"},

		// 4. api_key
		{"aws", "key AKIAIOSFODNN7EXAMPLE and AKIAIOSFODNN7EXAMPLE1 and AKIAshort",
			"key [API_KEY] and AKIAIOSFODNN7EXAMPLE1 and AKIAshort"},
		{"aws RBd fails on -digit", "AKIAIOSFODNN7EXAMPLE-1", "AKIAIOSFODNN7EXAMPLE-1"},
		{"aws RBd ok on -letter", "AKIAIOSFODNN7EXAMPLE-x", "[API_KEY]-x"},
		{"github", "gh ghp_0123456789abcdefghijABCDEFGHIJ012345 end ghp_tooshort",
			"gh [API_KEY] end ghp_tooshort"},
		{"stripe", "stripe sk_live_4eC39HqLyjWDarjtT1zdp7dc pk_test_abcdefghijklmnop rk_live_short",
			"stripe [API_KEY] [API_KEY] rk_live_short"},
		{"stripe wrong mode", "sk_prod_abcdefghijklmnop", "sk_prod_abcdefghijklmnop"},

		// 5. email
		{"email", `mail john.doe+tag@example.co.th, x@localhost, a@b.c, "bob@mail.example.com."`,
			`mail [EMAIL], x@localhost, a@b.c, "[EMAIL]."`},
		{"email odd", "odd a@b@c.com user@-x.io u@x..com q@x.c0m", "odd a@[EMAIL] [EMAIL] u@x..com q@x.c0m"},
		{"email local starts with dot", ".a@b.co", "[EMAIL]"},
		{"email underscore", "x_y@b.co", "[EMAIL]"},
		{"email domain stops at underscore", "a@b.co_x", "[EMAIL]_x"},
		{"email trailing dot", "a@b.co.", "[EMAIL]."},
		{"email after UTF-8", "€a@b.co", "€[EMAIL]"},
		{"email after Thai is no local part", "ก@example.com", "ก@example.com"},
		{"email bad last label", "a@b.c- a@b.c1", "a@b.c- a@b.c1"},
		{"email invalid then ipv4", "user@10.0.0.1", "user@[IPV4]"},

		// 6. ipv6
		{"ipv6", "v6 2001:db8::1 and fe80::1ff:fe23:4567:890a%eth0 and ::1 and 2001:0db8:85a3:0000:0000:8a2e:0370:7334",
			"v6 [IPV6] and [IPV6]%eth0 and [IPV6] and [IPV6]"},
		{"ipv6 misses", "not v6 12:30:45 aa:bb:cc:dd:ee:ff a::b::c 1:2:3:4:5:6:7 2001:db8::1.2",
			"not v6 12:30:45 aa:bb:cc:dd:ee:ff a::b::c 1:2:3:4:5:6:7 2001:db8::1.2"},
		{"ipv6 trailing colon", "client 2001:db8::7: refused; gggg::1", "client [IPV6]: refused; gggg::1"},
		{"ipv6 eight groups", "1:2:3:4:5:6:7:8 1:2:3:4:5:6:7:8:9", "[IPV6] 1:2:3:4:5:6:7:8:9"},
		{"ipv6 seven groups and ::", "1:2:3:4:5:6:7:: 1:2:3:4:5:6:7:8::", "[IPV6] 1:2:3:4:5:6:7:8::"},
		{"ipv6 trailing ::", "1:: 1::x", "[IPV6] 1::x"},
		{"ipv6 group too long", "12345::1", "12345::1"},
		{"ipv6 triple colon", "1:::2", "1:::2"},
		{"ipv6 bare ::", "a :: b", "a [IPV6] b"},
		{"ipv6 left boundary", "x:1::2 .1::2", "x:1::2 .1::2"},
		{"ipv6 mapped ipv4", "::ffff:1.2.3.4", "::ffff:[IPV4]"},

		// 7. ipv4
		{"ipv4", "v4 192.168.1.10:8080 and 10.0.0.1 and 255.255.255.255", "v4 [IPV4]:8080 and [IPV4] and [IPV4]"},
		{"ipv4 misses", "not v4 1.2.3.4.5 256.1.1.1 01.2.3.4 1.2.3 v1.2.3.4 1.2.3.4-beta",
			"not v4 1.2.3.4.5 256.1.1.1 01.2.3.4 1.2.3 v1.2.3.4 [IPV4]-beta"},
		{"ipv4 RBd dash digit", "1.2.3.4-5", "1.2.3.4-5"},
		{"ipv4 LBd dash", "-1.2.3.4 +1.2.3.4 .1.2.3.4", "-1.2.3.4 +1.2.3.4 .1.2.3.4"},
		{"ipv4 trailing dot", "a=1.2.3.4.", "a=[IPV4]."},
		{"ipv4 zero octets", "0.0.0.0 1.0.00.1", "[IPV4] 1.0.00.1"},

		// 8. thai_id
		{"thai id", "thai id 1101700207366 and 1-1017-00207-36-6 and 1 1017 00207 36 6",
			"thai id [THAI_ID] and [THAI_ID] and [THAI_ID]"},
		{"thai id misses", "not id 1101700207367 and 1-1017-00207-36 6 and 11017002073661",
			"not id 1101700207367 and 1-1017-00207-36 6 and 11017002073661"},

		// 9. card
		{"card", "card 4111111111111111 4111-1111-1111-1111 4111 1111 1111 1111 5500005555555559",
			"card [CARD] [CARD] [CARD] [CARD]"},
		{"card misses", "not card 4111111111111112 4111-1111 1111-1111 41111111111111111111 4111111111111111x",
			"not card 4111111111111112 4111-1111 1111-1111 41111111111111111111 4111111111111111x"},
		{"card 13 digits, no thai checksum", "4222222222222", "[CARD]"},

		// 10. phone
		{"phone th", "phone 081-234-5678 0812345678 +66 81 234 5678 +66-2-123-4567 02 123 4567",
			"phone [PHONE] [PHONE] [PHONE] [PHONE] [PHONE]"},
		{"phone us", "phone us (212) 555-0199 +1 212 555 0199 212-555-0199 +1(212)555-0199",
			"phone us [PHONE] [PHONE] [PHONE] [PHONE]"},
		{"phone misses", "not phone 081-234-56789 2125550199 (212) 5550199 0812345678-9 x0812345678",
			"not phone 081-234-56789 2125550199 (212) 5550199 0812345678-9 x0812345678"},
		{"phone compact +66", "+66812345678", "[PHONE]"},
		{"phone paren no space", "(212)555-0199", "[PHONE]"},
		{"phone +1 paren", "+1 (212) 555-0199", "[PHONE]"},
		{"phone bangkok dashes", "02-123-4567", "[PHONE]"},
		{"phone LBd plus", "a+0812345678", "a+0812345678"},

		// processing model
		{"UTF-8 around matches", "ทดสอบ 0812345678 ข้อมูล", "ทดสอบ [PHONE] ข้อมูล"},
		{"CR is ordinary", "10.0.0.1\r\n", "[IPV4]\r\n"},
		{"no match crosses a line", "bearer\n12345678 eyJa.b\n.c", "bearer\n12345678 eyJa.b\n.c"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, st := maskString(t, tc.in, readBlockSize)
			if got != tc.want {
				t.Errorf("mask(%q)\n got %q\nwant %q", tc.in, got, tc.want)
			}
			if st.BytesOut != int64(len(got)) || st.BytesIn != int64(len(tc.in)) {
				t.Errorf("byte counts %d/%d, want %d/%d", st.BytesIn, st.BytesOut, len(tc.in), len(got))
			}
			// The literal reference must agree (it checks the scanner's filters and skips).
			if ref, _ := referenceMask([]byte(tc.in)); string(ref) != tc.want {
				t.Errorf("reference(%q) = %q, want %q", tc.in, ref, tc.want)
			}
		})
	}
}

func readTestdata(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestCorpus(t *testing.T) {
	in := readTestdata(t, "cases.log")
	want := readTestdata(t, "cases.expected")
	wantSummary := readTestdata(t, "cases.summary.json")

	// Several read block sizes, down to one byte, exercise the carry-over of partial lines.
	for _, bs := range []int{readBlockSize, 4096, 100, 7, 2, 1} {
		t.Run(fmt.Sprintf("block=%d", bs), func(t *testing.T) {
			got, st := maskString(t, string(in), bs)
			if got != string(want) {
				t.Errorf("output differs from cases.expected:\n%s", lineDiff(got, string(want)))
			}
			if summary := string(st.AppendJSON(nil)) + "\n"; summary != string(wantSummary) {
				t.Errorf("summary\n got %s\nwant %s", summary, wantSummary)
			}
		})
	}

	// The whole program, through files, byte for byte on stdout.
	t.Run("cli", func(t *testing.T) {
		out := filepath.Join(t.TempDir(), "out.log")
		var stdout, stderr bytes.Buffer
		if code := run([]string{filepath.Join("..", "testdata", "cases.log"), out}, &stdout, &stderr); code != 0 {
			t.Fatalf("exit code %d, stderr %q", code, stderr.String())
		}
		got, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("output file differs from cases.expected:\n%s", lineDiff(string(got), string(want)))
		}
		if !bytes.Equal(stdout.Bytes(), wantSummary) {
			t.Errorf("stdout\n got %q\nwant %q", stdout.String(), wantSummary)
		}
		if stderr.Len() != 0 {
			t.Errorf("stderr %q, want nothing", stderr.String())
		}
	})
}

// lineDiff lists the lines that differ.
func lineDiff(got, want string) string {
	g, w := strings.Split(got, "\n"), strings.Split(want, "\n")
	var b strings.Builder
	for i := 0; i < max(len(g), len(w)); i++ {
		var gl, wl string
		if i < len(g) {
			gl = g[i]
		}
		if i < len(w) {
			wl = w[i]
		}
		if gl != wl {
			fmt.Fprintf(&b, "line %d\n got %q\nwant %q\n", i+1, gl, wl)
		}
	}
	return b.String()
}

func TestStreamEdges(t *testing.T) {
	tests := []struct {
		name      string
		in, want  string
		lines     int64
		maskedIPs int64
	}{
		{"empty", "", "", 0, 0},
		{"only newline", "\n", "\n", 1, 0},
		{"no trailing newline", "a\nb 10.0.0.1", "a\nb [IPV4]", 2, 1},
		{"trailing newline", "a\nb 10.0.0.1\n", "a\nb [IPV4]\n", 2, 1},
		{"blank lines", "\n\n10.0.0.1\n\n", "\n\n[IPV4]\n\n", 4, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for _, bs := range []int{readBlockSize, 3, 1} {
				got, st := maskString(t, tc.in, bs)
				if got != tc.want {
					t.Errorf("block %d: got %q, want %q", bs, got, tc.want)
				}
				if st.Lines != tc.lines || st.Masked[RuleIPv4] != tc.maskedIPs {
					t.Errorf("block %d: lines %d ipv4 %d, want %d %d", bs, st.Lines, st.Masked[RuleIPv4], tc.lines, tc.maskedIPs)
				}
				if st.BytesIn != int64(len(tc.in)) || st.BytesOut != int64(len(tc.want)) {
					t.Errorf("block %d: bytes %d/%d, want %d/%d", bs, st.BytesIn, st.BytesOut, len(tc.in), len(tc.want))
				}
			}
		})
	}

	t.Run("empty summary", func(t *testing.T) {
		_, st := maskString(t, "", readBlockSize)
		want := `{"bytes_in":0,"bytes_out":0,"lines":0,"masked":{"jwt":0,"bearer":0,"secret":0,"api_key":0,"email":0,"ipv6":0,"ipv4":0,"thai_id":0,"card":0,"phone":0}}`
		if got := string(st.AppendJSON(nil)); got != want {
			t.Errorf("got %s\nwant %s", got, want)
		}
	})
}

// TestLongLine: a 3 MiB line (three times the read block) with secrets at its start, in its
// middle and at its end, followed by a short line.
func TestLongLine(t *testing.T) {
	filler := strings.Repeat("lorem ipsum dolor ", (1<<20)/18) // about 1 MiB
	in := "password=abc " + filler + "10.0.0.1 " + filler + filler + "bob@example.com\ntail 0812345678"
	want := "password=[REDACTED] " + filler + "[IPV4] " + filler + filler + "[EMAIL]\ntail [PHONE]"
	if len(in) < 3<<20 {
		t.Fatalf("test line is only %d bytes", len(in))
	}
	got, st := maskString(t, in, readBlockSize)
	if got != want {
		t.Fatalf("long line masked wrongly (len %d, want %d)", len(got), len(want))
	}
	wantCounts := map[Rule]int64{RuleSecret: 1, RuleIPv4: 1, RuleEmail: 1, RulePhone: 1}
	for r := Rule(0); r < numRules; r++ {
		if st.Masked[r] != wantCounts[r] {
			t.Errorf("%s: %d, want %d", r, st.Masked[r], wantCounts[r])
		}
	}
	if st.Lines != 2 || st.BytesIn != int64(len(in)) || st.BytesOut != int64(len(want)) {
		t.Errorf("lines %d bytes %d/%d", st.Lines, st.BytesIn, st.BytesOut)
	}
}

func TestInvalidUTF8(t *testing.T) {
	in := "\xff\xfe pwd=x\x80y \xc3(\x80 10.0.0.1\xff \xe0\xb8\x81a@b.co\xc0\n\x80\x80"
	want := "\xff\xfe pwd=[REDACTED]\x80y \xc3(\x80 [IPV4]\xff \xe0\xb8\x81[EMAIL]\xc0\n\x80\x80"
	for _, bs := range []int{readBlockSize, 1} {
		if got, _ := maskString(t, in, bs); got != want {
			t.Errorf("block %d:\n got %q\nwant %q", bs, got, want)
		}
	}
}

// errReader fails after returning some data.
type errReader struct{ data []byte }

func (r *errReader) Read(p []byte) (int, error) {
	if len(r.data) == 0 {
		return 0, errors.New("disk on fire")
	}
	n := copy(p, r.data)
	r.data = r.data[n:]
	return n, nil
}

// errWriter always fails.
type errWriter struct{}

func (errWriter) Write([]byte) (int, error) { return 0, errors.New("no space") }

func TestMaskErrors(t *testing.T) {
	if _, err := Mask(io.Discard, &errReader{data: []byte("a\nb")}); !errors.Is(err, ErrRead) {
		t.Errorf("read failure: err = %v, want ErrRead", err)
	}
	if _, err := Mask(errWriter{}, strings.NewReader("a\n")); !errors.Is(err, ErrWrite) {
		t.Errorf("write failure: err = %v, want ErrWrite", err)
	}
}

func TestCLIErrors(t *testing.T) {
	dir := t.TempDir()
	input := filepath.Join(dir, "in.log")
	if err := os.WriteFile(input, []byte("ip 10.0.0.1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(dir, "missing.log")

	tests := []struct {
		name       string
		args       []string
		code       int
		wantStderr string // exact, if not empty
		stderrPfx  string // prefix, if not empty
	}{
		{"no args", nil, 2, "", "usage: log-masker "},
		{"one arg", []string{input}, 2, "", "usage: log-masker "},
		{"three args", []string{input, input, input}, 2, "", "usage: log-masker "},
		{"missing input", []string{missing, filepath.Join(dir, "out.log")}, 1,
			"log-masker: " + missing + ": no such file or directory\n", ""},
		{"output is a directory", []string{input, dir}, 1,
			"log-masker: " + dir + ": is a directory\n", ""},
		{"input is a directory", []string{dir, filepath.Join(dir, "out2.log")}, 1,
			"log-masker: " + dir + ": is a directory\n", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			if code := run(tc.args, &stdout, &stderr); code != tc.code {
				t.Errorf("exit code %d, want %d (stderr %q)", code, tc.code, stderr.String())
			}
			if stdout.Len() != 0 {
				t.Errorf("stdout %q, want nothing", stdout.String())
			}
			if tc.wantStderr != "" && stderr.String() != tc.wantStderr {
				t.Errorf("stderr %q, want %q", stderr.String(), tc.wantStderr)
			}
			if !strings.HasPrefix(stderr.String(), tc.stderrPfx) {
				t.Errorf("stderr %q, want prefix %q", stderr.String(), tc.stderrPfx)
			}
		})
	}

	t.Run("write error", func(t *testing.T) {
		if _, err := os.Stat("/dev/full"); err != nil {
			t.Skip("no /dev/full")
		}
		var stdout, stderr bytes.Buffer
		if code := run([]string{input, "/dev/full"}, &stdout, &stderr); code != 1 {
			t.Errorf("exit code %d, want 1", code)
		}
		if want := "log-masker: /dev/full: no space left on device\n"; stderr.String() != want {
			t.Errorf("stderr %q, want %q", stderr.String(), want)
		}
		if stdout.Len() != 0 {
			t.Errorf("stdout %q, want nothing", stdout.String())
		}
	})
}

// referenceMask applies the spec's definition literally: each line on its own, and at every
// position the rules in priority order with their left conditions as written. It shares the
// rule functions with the scanner (those are covered by TestRules and TestCorpus) but none of
// its filters, skips or block handling, which is what the comparisons below check.
func referenceMask(in []byte) ([]byte, Stats) {
	var st Stats
	var out []byte
	lines := bytes.SplitAfter(in, []byte("\n"))
	for _, line := range lines {
		if len(line) == 0 {
			continue
		}
		st.Lines++
		nl := line[len(line)-1] == '\n'
		if nl {
			line = line[:len(line)-1]
		}
		sc := &scanner{s: line, at: -1, tailFrom: -1}
		for p := 0; p < len(line); {
			end, keep, r := referenceMatch(sc, p)
			if r == noRule {
				out = append(out, line[p])
				p++
				continue
			}
			out = append(out, line[p:p+keep]...)
			out = append(out, ruleRepl[r]...)
			st.Masked[r]++
			p = end
		}
		if nl {
			out = append(out, '\n')
		}
	}
	st.BytesIn, st.BytesOut = int64(len(in)), int64(len(out))
	return out, st
}

func referenceMatch(sc *scanner, p int) (end, keep int, r Rule) {
	s := sc.s
	c := s[p]
	inW := func(i int) bool { return i >= 0 && class[s[i]]&cW != 0 }
	lb := !inW(p - 1)
	lbd := lb && (p == 0 || (s[p-1] != '-' && s[p-1] != '.' && s[p-1] != '+'))
	if lb && c == 'e' {
		if e := sc.jwt(p); e >= 0 {
			return e, 0, RuleJWT
		}
	}
	if lb {
		if e, k := sc.bearer(p); e >= 0 {
			return e, k, RuleBearer
		}
		if e, k := sc.secret(p); e >= 0 {
			return e, k, RuleSecret
		}
		if e := sc.apiKey(p); e >= 0 {
			return e, 0, RuleAPIKey
		}
	}
	if (p == 0 || class[s[p-1]]&cL == 0) && class[c]&cL != 0 {
		sc.at = -1
		sc.findAt(p)
		if sc.at < len(s) {
			if e := sc.email(p); e >= 0 {
				return e, 0, RuleEmail
			}
		}
	}
	if lb && (p == 0 || (s[p-1] != ':' && s[p-1] != '.')) {
		if e := sc.ipv6(p); e >= 0 {
			return e, 0, RuleIPv6
		}
	}
	if lbd {
		dl := digitRun(s, p, 20)
		if e := sc.ipv4(p); e >= 0 {
			return e, 0, RuleIPv4
		}
		if e := sc.thaiID(p, dl); e >= 0 {
			return e, 0, RuleThaiID
		}
		if e := sc.card(p, dl); e >= 0 {
			return e, 0, RuleCard
		}
		if e := sc.phone(p); e >= 0 {
			return e, 0, RulePhone
		}
	}
	return -1, 0, noRule
}

// fragments are the pieces random test lines are made of: rule prefixes, separators and
// near-misses, so that random concatenations hit the boundaries of every rule.
var fragments = []string{
	"eyJ", "eyJa", "abc", "x", "_", ".", "..", "-", "--", "@", "@example.com", "example", ".com",
	".co.th", "a", "Z", "bob", "::", ":", ":1", "1", "2", "0", "00", "08", "02", "255", "256",
	"1234", "4111", "1111", "0812345678", "081", "234", "5678", "4111111111111111",
	"1101700207366", "1-1017-00207-36-6", "+", "+66", "+1", "(", "(212)", ")", "555", "0199",
	" ", " ", " ", "  ", "\t", "\r", "\n", "password", "Passwd", "pwd", "secret", "api_key",
	"apikey", "access_token", "=", ": ", "\"", "'", "&", ",", ";", "Bearer ", "bearer",
	"tok.en/~+=", "AKIA", "IOSFODNN7EXAMPLE", "ghp_", "0123456789abcdefghij", "sk_live_",
	"pk_test_", "abcdefghijklmnop", "fe80", "db8", "ffff", "2001:db8::1", "10.0.0.1", "1.2.3",
	"ก", "ข้อ", "\xff", "\x80", "€", "%", "~", "/", "=", "q", "beta",
}

// randomInput builds n random lines from fragments.
func randomInput(rng *rand.Rand, n int) []byte {
	var b []byte
	for range n {
		for k := rng.IntN(25); k > 0; k-- {
			b = append(b, fragments[rng.IntN(len(fragments))]...)
		}
		if rng.IntN(10) > 0 {
			b = append(b, '\n')
		}
	}
	return b
}

func TestAgainstReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range 300 {
		in := randomInput(rng, 1+rng.IntN(40))
		want, wantSt := referenceMask(in)
		for _, bs := range []int{readBlockSize, 1 + rng.IntN(64)} {
			got, st := maskString(t, string(in), bs)
			if got != string(want) {
				t.Fatalf("case %d, block %d: input %q\n got %q\nwant %q", i, bs, in, got, want)
			}
			if st != wantSt {
				t.Fatalf("case %d, block %d: input %q\nstats %+v\nwant  %+v", i, bs, in, st, wantSt)
			}
		}
	}
}

func FuzzMask(f *testing.F) {
	f.Add([]byte("a@b.co 10.0.0.1 ::1 0812345678"))
	f.Add(readTestdataF(f, "cases.log"))
	f.Fuzz(func(t *testing.T, in []byte) {
		want, wantSt := referenceMask(in)
		var out bytes.Buffer
		st, err := maskStream(&out, bytes.NewReader(in), 16)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(out.Bytes(), want) || st != wantSt {
			t.Fatalf("input %q\n got %q %+v\nwant %q %+v", in, out.Bytes(), st, want, wantSt)
		}
	})
}

func readTestdataF(f *testing.F, name string) []byte {
	b, err := os.ReadFile(filepath.Join("..", "testdata", name))
	if err != nil {
		f.Fatal(err)
	}
	return b
}

func BenchmarkMask(b *testing.B) {
	rng := rand.New(rand.NewPCG(3, 4))
	var in []byte
	for len(in) < 8<<20 {
		in = append(in, randomInput(rng, 100)...)
	}
	b.SetBytes(int64(len(in)))
	for b.Loop() {
		if _, err := Mask(io.Discard, bytes.NewReader(in)); err != nil {
			b.Fatal(err)
		}
	}
}
