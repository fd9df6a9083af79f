package main

import (
	"bytes"
	"encoding/binary"
	"reflect"
	"strings"
	"syscall"
	"testing"
)

// frames returns n frames of the constant sample v as input bytes.
func frames(v int16, n int) []byte {
	b := make([]byte, 2*frame*n)
	for i := 0; i < len(b); i += 2 {
		binary.LittleEndian.PutUint16(b[i:], uint16(v))
	}
	return b
}

type part struct {
	v int16
	n int
}

func makeSignal(parts ...part) []byte {
	var b []byte
	for _, p := range parts {
		b = append(b, frames(p.v, p.n)...)
	}
	return b
}

type rec struct {
	Seq    uint32
	Start  uint64
	Length uint32
	Reason byte
	Voiced uint16
}

// chunkAll chunks input fed in pieces of the given size.
func chunkAll(t *testing.T, input []byte, piece int) ([]byte, bool) {
	t.Helper()
	var out bytes.Buffer
	c := NewChunker(&out)
	for len(input) > 0 {
		n := min(piece, len(input))
		if err := c.Feed(input[:n]); err != nil {
			t.Fatal(err)
		}
		input = input[n:]
	}
	odd, err := c.Finish()
	if err != nil {
		t.Fatal(err)
	}
	return out.Bytes(), odd
}

// parse splits a record stream and checks every payload against the input.
func parse(t *testing.T, out, input []byte) []rec {
	t.Helper()
	var recs []rec
	for len(out) > 0 {
		if len(out) < headerSize || string(out[:4]) != "ACHK" || out[21] != 0 {
			t.Fatalf("malformed record header % x", out[:min(len(out), headerSize)])
		}
		r := rec{
			Seq:    binary.LittleEndian.Uint32(out[4:]),
			Start:  binary.LittleEndian.Uint64(out[8:]),
			Length: binary.LittleEndian.Uint32(out[16:]),
			Reason: out[20],
			Voiced: binary.LittleEndian.Uint16(out[22:]),
		}
		end := headerSize + 2*int(r.Length)
		if input != nil && !bytes.Equal(out[headerSize:end], input[2*r.Start:2*r.Start+2*uint64(r.Length)]) {
			t.Fatalf("payload of record %d differs from the input", r.Seq)
		}
		recs = append(recs, r)
		out = out[end:]
	}
	return recs
}

func boundaries(t *testing.T, input []byte) []rec {
	t.Helper()
	out, _ := chunkAll(t, input, 65536)
	return parse(t, out, input)
}

func expect(t *testing.T, got []rec, want ...rec) {
	t.Helper()
	if len(got) == 0 && len(want) == 0 {
		return
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("records\n got %+v\nwant %+v", got, want)
	}
}

func TestEnergyIsTheExactSumOfSquares(t *testing.T) {
	if e := frameEnergy(frames(0, 1)); e != 0 {
		t.Fatal(e)
	}
	if e := frameEnergy(frames(1000, 1)); e != onEnergy {
		t.Fatal(e)
	}
	if e := frameEnergy(frames(-500, 1)); e != offEnergy {
		t.Fatal(e)
	}
	if e := frameEnergy(frames(-32768, 1)); e != 320*32768*32768 {
		t.Fatal(e)
	}
	mixed := frames(3, 1)
	binary.LittleEndian.PutUint16(mixed, uint16(0xfffc)) // -4
	if e := frameEnergy(mixed); e != 319*9+16 {
		t.Fatal(e)
	}
}

func TestWorkedExample(t *testing.T) {
	expect(t, boundaries(t, makeSignal(part{0, 10}, part{2000, 20}, part{0, 20})),
		rec{0, 1600, 12800, reasonSilence, 20})
}

func TestThresholds(t *testing.T) {
	expect(t, boundaries(t, makeSignal(part{999, 40})))
	expect(t, boundaries(t, makeSignal(part{1000, 10}, part{0, 15})), rec{0, 0, 25 * 320, 0, 10})
	expect(t, boundaries(t, makeSignal(part{1000, 10}, part{500, 30}, part{0, 15})), rec{0, 0, 55 * 320, 0, 40})
	expect(t, boundaries(t, makeSignal(part{1000, 10}, part{499, 30})), rec{0, 0, 25 * 320, 0, 10})
}

func TestHysteresisBand(t *testing.T) {
	expect(t, boundaries(t, makeSignal(part{700, 50})))
	expect(t, boundaries(t, makeSignal(part{0, 3}, part{2000, 6}, part{700, 20}, part{0, 16})),
		rec{0, 0, 44 * 320, 0, 26})
}

func TestShortSilencesAndPrerollClamp(t *testing.T) {
	expect(t, boundaries(t, makeSignal(part{2000, 10}, part{0, 14}, part{2000, 10}, part{0, 15})),
		rec{0, 0, 49 * 320, 0, 20})
	expect(t, boundaries(t, makeSignal(part{2000, 10}, part{0, 15}, part{0, 2}, part{2000, 10}, part{0, 15})),
		rec{0, 0, 25 * 320, 0, 10}, rec{1, 25 * 320, 27 * 320, 0, 10})
}

func TestClicksAreDropped(t *testing.T) {
	expect(t, boundaries(t, makeSignal(part{0, 20}, part{5000, 4}, part{0, 40}, part{3000, 5}, part{0, 20})),
		rec{0, 59 * 320, 25 * 320, 0, 5})
}

func TestMaxCutOverlapAndEOS(t *testing.T) {
	expect(t, boundaries(t, makeSignal(part{2000, 400})),
		rec{0, 0, 80000, reasonMax, 250}, rec{1, 72000, 56000, reasonEOS, 150})
	expect(t, boundaries(t, makeSignal(part{2000, 600}, part{0, 15})),
		rec{0, 0, 80000, 1, 250}, rec{1, 72000, 80000, 1, 225}, rec{2, 144000, 52800, 0, 125})
}

func TestContinuationWithLittleSpeechIsDropped(t *testing.T) {
	expect(t, boundaries(t, makeSignal(part{2000, 250})), rec{0, 0, 80000, 1, 250})
	expect(t, boundaries(t, makeSignal(part{2000, 252}, part{0, 30})), rec{0, 0, 80000, 1, 250})
}

func TestEOSFlushWithPartialFrame(t *testing.T) {
	in := append(makeSignal(part{2000, 10}), frames(100, 1)[:246]...)
	expect(t, boundaries(t, in), rec{0, 0, 10*320 + 123, 2, 10})
	in = append(makeSignal(part{2000, 10}, part{0, 20}), frames(9000, 1)[:600]...)
	expect(t, boundaries(t, in), rec{0, 0, 25 * 320, 0, 10})
}

func TestOddTrailingByte(t *testing.T) {
	in := append(makeSignal(part{2000, 10}), 0x7f)
	out, odd := chunkAll(t, in, 4096)
	if !odd {
		t.Fatal("odd byte not reported")
	}
	expect(t, parse(t, out, in), rec{0, 0, 3200, 2, 10})
	if _, odd := chunkAll(t, in[:len(in)-1], 4096); odd {
		t.Fatal("even input reported as odd")
	}
}

func TestEmptyInput(t *testing.T) {
	if out, odd := chunkAll(t, nil, 1); len(out) != 0 || odd {
		t.Fatal(out, odd)
	}
	if out, odd := chunkAll(t, []byte{1}, 1); len(out) != 0 || !odd {
		t.Fatal(out, odd)
	}
}

// noise is a deterministic pseudo-random byte stream (xorshift64*).
func noise(n int, state uint64) []byte {
	b := make([]byte, n)
	for i := range b {
		state ^= state >> 12
		state ^= state << 25
		state ^= state >> 27
		b[i] = byte((state * 0x2545F4914F6CDD1D) >> 56)
	}
	return b
}

func TestPiecesOfAnySizeGiveTheSameRecords(t *testing.T) {
	in := makeSignal(part{0, 7}, part{3000, 30}, part{600, 10}, part{0, 20}, part{2500, 300}, part{100, 3})
	in = append(in, noise(3*frameBytes+77, 7)...)
	whole, _ := chunkAll(t, in, len(in))
	if len(whole) == 0 {
		t.Fatal("no records")
	}
	for _, piece := range []int{1, 2, 3, 639, 640, 641, 1000, 4096} {
		if got, _ := chunkAll(t, in, piece); !bytes.Equal(got, whole) {
			t.Fatalf("piece %d gives different records", piece)
		}
	}
}

func TestRandomBytesAndExtremeSamples(t *testing.T) {
	in := noise(1<<20, 42)
	out, _ := chunkAll(t, in, 4093)
	recs := parse(t, out, in)
	if len(recs) == 0 {
		t.Fatal("no records from noise")
	}
	for i, r := range recs {
		if int(r.Seq) != i || r.Length > maxLen {
			t.Fatalf("record %d: %+v", i, r)
		}
	}
	expect(t, boundaries(t, makeSignal(part{-32768, 20}, part{32767, 20}, part{0, 15})), rec{0, 0, 55 * 320, 0, 40})
}

type brokenPipe struct{}

func (brokenPipe) Write([]byte) (int, error) { return 0, syscall.EPIPE }

func TestRunReportsWriteErrorsAndUsage(t *testing.T) {
	var stderr bytes.Buffer
	in := bytes.NewReader(makeSignal(part{2000, 10}, part{0, 15}))
	if code := run(nil, in, brokenPipe{}, &stderr); code != 1 {
		t.Fatalf("exit code %d", code)
	}
	if !strings.Contains(stderr.String(), "audio-chunker: stdout: broken pipe") {
		t.Fatalf("stderr %q", stderr.String())
	}
	stderr.Reset()
	if code := run([]string{"x"}, bytes.NewReader(nil), &bytes.Buffer{}, &stderr); code != 2 {
		t.Fatalf("exit code %d", code)
	}
	var out bytes.Buffer
	stderr.Reset()
	if code := run(nil, bytes.NewReader(append(makeSignal(part{2000, 10}), 1)), &out, &stderr); code != 0 {
		t.Fatalf("exit code %d", code)
	}
	if !strings.Contains(stderr.String(), "odd byte") || out.Len() != headerSize+2*3200 {
		t.Fatalf("stderr %q, %d bytes out", stderr.String(), out.Len())
	}
}
