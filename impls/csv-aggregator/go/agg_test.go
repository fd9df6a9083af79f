package main

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/iotest"
)

const testdata = "../testdata"

// TestCases runs the program on every testdata/*.csv and compares with the expected files.
func TestCases(t *testing.T) {
	inputs, _ := filepath.Glob(filepath.Join(testdata, "*.csv"))
	n := 0
	for _, in := range inputs {
		if strings.HasSuffix(in, ".expected.csv") {
			continue
		}
		n++
		stem := strings.TrimSuffix(in, ".csv")
		t.Run(filepath.Base(stem), func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "out.csv")
			var stdout, stderr bytes.Buffer
			code := run([]string{in, out}, &stdout, &stderr)
			if want, err := os.ReadFile(stem + ".error"); err == nil {
				wantErr := strings.ReplaceAll(string(want), "INPUT", in)
				if code != 1 || stderr.String() != wantErr || stdout.Len() != 0 {
					t.Fatalf("exit %d, stderr %q, stdout %q; want 1, %q", code, stderr.String(), stdout.String(), wantErr)
				}
				if _, err := os.Stat(out); err == nil {
					t.Fatalf("output file left behind")
				}
				return
			}
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr.String())
			}
			got, _ := os.ReadFile(out)
			want, _ := os.ReadFile(stem + ".expected.csv")
			if !bytes.Equal(got, want) {
				t.Fatalf("output:\n%s\nwant:\n%s", got, want)
			}
			summary, _ := os.ReadFile(stem + ".summary")
			if stdout.String() != string(summary) {
				t.Fatalf("stdout %q, want %q", stdout.String(), summary)
			}
		})
	}
	if n < 20 {
		t.Fatalf("only %d cases found", n)
	}
}

// TestChunking parses the inputs with tiny buffers, so every record crosses buffer ends (and
// makes the buffer grow); the results must not change.
func TestChunking(t *testing.T) {
	for _, name := range []string{"basic", "columns", "sorting", "header-only"} {
		data, _ := os.ReadFile(filepath.Join(testdata, name+".csv"))
		whole, err := Aggregate(bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		var want bytes.Buffer
		WriteOutput(&want, whole.Groups)
		for size := 1; size < 40; size++ {
			small, err := AggregateWith(iotest.OneByteReader(bytes.NewReader(data)), size)
			if err != nil {
				t.Fatalf("%s, buffer %d: %v", name, size, err)
			}
			var got bytes.Buffer
			WriteOutput(&got, small.Groups)
			if want.String() != got.String() || whole.Summary() != small.Summary() {
				t.Fatalf("%s: buffer %d changed the result", name, size)
			}
		}
	}
}

// TestLongRecord: a record longer than the buffer makes it grow.
func TestLongRecord(t *testing.T) {
	long := strings.Repeat("x", 3*BufferSize)
	in := "region,product,qty,unit_price\n" + long + ",P,1,1.00\nR,\"" + long + "\",2,2.00\n"
	res, err := Aggregate(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Groups) != 2 || res.Groups[0].Region != "R" || res.Groups[1].Region != long {
		t.Fatalf("unexpected groups")
	}
}

func TestParseNumbers(t *testing.T) {
	for _, c := range []struct {
		in   string
		want int64
		ok   bool
	}{{"0", 0, true}, {"-0", 0, true}, {"007", 7, true}, {"-999999999", -999999999, true},
		{"1234567890", 0, false}, {"", 0, false}, {"-", 0, false}, {"+1", 0, false}, {"1 ", 0, false}} {
		if v, ok := parseQty([]byte(c.in)); v != c.want || ok != c.ok {
			t.Errorf("parseQty(%q) = %d, %v", c.in, v, ok)
		}
	}
	for _, c := range []struct {
		in   string
		want int64
		ok   bool
	}{{"0.00", 0, true}, {"12.50", 1250, true}, {"9999999.99", 999999999, true},
		{"12345678.00", 0, false}, {".50", 0, false}, {"1.5", 0, false}, {"1,50", 0, false},
		{"1.500", 0, false}, {"-1.00", 0, false}, {"1.0a", 0, false}} {
		if v, ok := parsePrice([]byte(c.in)); v != c.want || ok != c.ok {
			t.Errorf("parsePrice(%q) = %d, %v", c.in, v, ok)
		}
	}
}

func TestCents(t *testing.T) {
	for v, want := range map[int64]string{0: "0.00", 5: "0.05", 123456: "1234.56", -150: "-1.50",
		math.MinInt64: "-92233720368547758.08", math.MaxInt64: "92233720368547758.07"} {
		if got := string(appendCents(nil, v)); got != want {
			t.Errorf("cents %d = %q, want %q", v, got, want)
		}
	}
}

func TestQtyOverflow(t *testing.T) {
	a := &aggregator{record: 5, line: 7, index: map[string]int32{}}
	if err := a.add([]byte("R"), []byte("P"), 1, 0); err != nil {
		t.Fatal(err)
	}
	a.groups[0].SumQty = math.MaxInt64
	err := a.add([]byte("R"), []byte("P"), 1, 0)
	if err == nil || err.Error() != "record 5 (line 7): qty sum overflows int64" {
		t.Fatalf("got %v", err)
	}
}

func TestFaults(t *testing.T) {
	dir := t.TempDir()
	var stdout, stderr bytes.Buffer
	missing := filepath.Join(dir, "missing.csv")
	if code := run([]string{missing, filepath.Join(dir, "o.csv")}, &stdout, &stderr); code != 1 ||
		stderr.String() != "csv-aggregator: "+missing+": no such file or directory\n" {
		t.Fatalf("missing input: exit %d, %q", code, stderr.String())
	}
	stderr.Reset()
	bad := filepath.Join(dir, "no-such-dir", "o.csv")
	in := filepath.Join(testdata, "basic.csv")
	if code := run([]string{in, bad}, &stdout, &stderr); code != 1 ||
		!strings.HasPrefix(stderr.String(), "csv-aggregator: "+bad+": ") {
		t.Fatalf("unwritable output: exit %d, %q", code, stderr.String())
	}
	stderr.Reset()
	if code := run([]string{in}, &stdout, &stderr); code != 2 {
		t.Fatalf("usage: exit %d", code)
	}
	// A malformed input removes an output file that existed before.
	old := filepath.Join(dir, "old.csv")
	os.WriteFile(old, []byte("old"), 0o644)
	if code := run([]string{filepath.Join(testdata, "bad-qty.csv"), old}, &stdout, &stderr); code != 1 {
		t.Fatalf("malformed: exit %d", code)
	}
	if _, err := os.Stat(old); err == nil {
		t.Fatalf("output left behind after an error")
	}
	if stdout.Len() != 0 {
		t.Fatalf("stdout written on error")
	}
}
