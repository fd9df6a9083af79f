package main

import (
	"bytes"
	"encoding/hex"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

const testdata = "../testdata"

func read(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(testdata, name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func mustFont(t *testing.T) *Font {
	t.Helper()
	f, err := ParseFont(fontHex)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func TestFontCopyIsTheSharedFont(t *testing.T) {
	shared, err := os.ReadFile("../font.hex")
	if err != nil {
		t.Fatal(err)
	}
	if string(shared) != fontHex {
		t.Fatal("go/font.hex differs from ../font.hex: copy it again (cp ../font.hex .)")
	}
	f := mustFont(t)
	if len(f.glyphs) < 160 || f.Glyph('A') == f.fallback || f.Glyph(0x0E2A) != f.fallback {
		t.Fatalf("unexpected font: %d glyphs", len(f.glyphs))
	}
}

func TestParseCases(t *testing.T) {
	for _, name := range []string{"cases.srt", "cases.vtt"} {
		subs, err := ParseSubtitles(read(t, name))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if got, want := Dump(subs), string(read(t, name+".expected")); got != want {
			t.Errorf("%s: dump differs\n--- got\n%s--- want\n%s", name, got, want)
		}
		if subs.VTT != strings.HasSuffix(name, ".vtt") {
			t.Errorf("%s: detected VTT=%v", name, subs.VTT)
		}
	}
}

func TestParseDetails(t *testing.T) {
	subs, err := ParseSubtitles([]byte("1\n00:00:01,000 --> 00:00:02,000\n<i>a\nb</i> c\n"))
	if err != nil {
		t.Fatal(err)
	}
	c := subs.Cues[0]
	if c.Start != 1000 || c.End != 2000 || c.Line != 2 || len(c.Text) != 2 {
		t.Fatalf("cue %+v", c)
	}
	cells := Cells(&c, false)
	if !cells[0][0].Italic || !cells[1][0].Italic || cells[1][2].Italic || cells[1][2].CP != 'c' {
		t.Fatalf("italic must carry over lines and stop at </i>: %+v", cells)
	}
	empty, err := ParseSubtitles([]byte("\n \n"))
	if err != nil || len(empty.Cues) != 0 || empty.VTT {
		t.Fatalf("blank SRT: %v %+v", err, empty)
	}
	if _, err := ParseSubtitles([]byte("WEBVTT")); err != nil {
		t.Fatalf("header-only WebVTT: %v", err)
	}
	if s, _ := ParseSubtitles([]byte("WEBVTTX\n")); s != nil && s.VTT {
		t.Fatal("WEBVTTX is not a WebVTT header")
	}
}

func TestBadSubtitles(t *testing.T) {
	lines := strings.Split(strings.TrimSpace(string(read(t, "bad/expected.txt"))), "\n")
	if len(lines) < 10 {
		t.Fatalf("only %d bad cases", len(lines))
	}
	for _, row := range lines {
		parts := strings.SplitN(row, " ", 3)
		line, _ := strconv.Atoi(parts[1])
		_, err := ParseSubtitles(read(t, "bad/"+parts[0]))
		se, ok := err.(*SubtitleError)
		if !ok {
			t.Errorf("%s: want an error at line %d, got %v", parts[0], line, err)
			continue
		}
		if se.Line != line || !strings.HasPrefix(se.Msg, parts[2]) {
			t.Errorf("%s: got line %d %q, want line %d %q", parts[0], se.Line, se.Msg, line, parts[2])
		}
	}
}

func TestBlend(t *testing.T) {
	rows := strings.Split(strings.TrimSpace(string(read(t, "blend.expected"))), "\n")
	for _, row := range rows {
		var v [4]int
		for i, f := range strings.Fields(row) {
			v[i], _ = strconv.Atoi(f)
		}
		if got := Blend(v[0], v[1], v[2]); got != v[3] {
			t.Errorf("Blend(%d, %d, %d) = %d, want %d", v[0], v[1], v[2], got, v[3])
		}
	}
}

// drawFrame is the pattern frame of testdata/draw.expected.
func drawFrame(w, h int) (y, u, v []byte) {
	y, u, v = make([]byte, w*h), make([]byte, w*h/4), make([]byte, w*h/4)
	for r := 0; r < h; r++ {
		for x := 0; x < w; x++ {
			y[r*w+x] = byte(7*x + 13*r)
		}
	}
	for r := 0; r < h/2; r++ {
		for x := 0; x < w/2; x++ {
			u[r*w/2+x] = byte(5*x + 3*r + 64)
			v[r*w/2+x] = byte(11*x + 2*r + 32)
		}
	}
	return
}

func TestDrawOnSmallFrame(t *testing.T) {
	const w, h = 66, 64
	subs, err := ParseSubtitles(read(t, "draw.srt"))
	if err != nil {
		t.Fatal(err)
	}
	var block [][]Cell
	for i := range subs.Cues {
		block = append(block, Cells(&subs.Cues[i], subs.VTT)...)
	}
	l := NewLayout(mustFont(t), block, w, h)
	if l == nil || l.X0%2 != 0 || l.X1%2 != 0 {
		t.Fatalf("layout %+v", l)
	}
	y, u, v := drawFrame(w, h)
	l.Draw(y, u, v, w, w/2, w/2)
	var got []string
	for _, p := range []struct {
		b []byte
		w int
	}{{y, w}, {u, w / 2}, {v, w / 2}} {
		for off := 0; off < len(p.b); off += p.w {
			got = append(got, hex.EncodeToString(p.b[off:off+p.w]))
		}
	}
	want := strings.Split(strings.TrimSpace(string(read(t, "draw.expected"))), "\n")
	if len(got) != len(want) {
		t.Fatalf("%d rows, want %d", len(got), len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("row %d differs:\n got %s\nwant %s", i, got[i], want[i])
		}
	}
	// Pixels outside the box are untouched.
	y0, _, _ := drawFrame(w, h)
	for r := 0; r < h; r++ {
		for x := 0; x < w; x++ {
			inside := x >= l.X0 && x < l.X1 && r >= l.Y0 && r < l.Y1
			if !inside && y[r*w+x] != y0[r*w+x] {
				t.Fatalf("pixel %d,%d outside the box changed", x, r)
			}
		}
	}
}

func TestNothingToDraw(t *testing.T) {
	if NewLayout(mustFont(t), [][]Cell{{}, {}}, 64, 64) != nil {
		t.Fatal("a block of empty lines must draw nothing")
	}
}

func runCLI(args ...string) (int, string, string) {
	var out, errb bytes.Buffer
	code := run(args, &out, &errb)
	return code, out.String(), errb.String()
}

func TestEndToEnd(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "out.mp4")
	in := filepath.Join(testdata, "tiny.mp4")
	code, stdout, stderr := runCLI(in, filepath.Join(testdata, "tiny.srt"), out)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if want := `{"frames":12,"frames_with_text":5,"cues":1,"audio_packets":20}` + "\n"; stdout != want || stderr != "" {
		t.Fatalf("stdout %q stderr %q", stdout, stderr)
	}
	if _, err := os.Stat(out + ".partial"); err == nil {
		t.Fatal("temporary file left behind")
	}
	src, err := DecodeFrames(in)
	if err != nil {
		t.Fatal(err)
	}
	got, err := DecodeFrames(out)
	if err != nil {
		t.Fatal(err)
	}
	if len(src) != 12 || len(got) != 12 {
		t.Fatalf("%d source frames, %d output frames", len(src), len(got))
	}
	// Cue 100–250 ms at 30 fps: frames 3..7 (t = 100, 133, 166, 200, 233) carry text.
	subs, _ := ParseSubtitles(read(t, "tiny.srt"))
	l := NewLayout(mustFont(t), Cells(&subs.Cues[0], false), 160, 96)
	for i := range src {
		want := src[i]
		if i >= 3 && i <= 7 {
			want = bytes.Clone(src[i])
			l.Draw(want[:160*96], want[160*96:160*96+80*48], want[160*96+80*48:], 160, 80, 80)
			if bytes.Equal(want, src[i]) {
				t.Fatalf("frame %d: drawing changed nothing", i)
			}
		}
		if !bytes.Equal(got[i], want) {
			t.Errorf("frame %d differs from the expected frame", i)
		}
	}
}

func TestFaults(t *testing.T) {
	dir := t.TempDir()
	tiny := filepath.Join(testdata, "tiny.mp4")
	srt := filepath.Join(testdata, "tiny.srt")
	half := filepath.Join(dir, "half.mp4")
	data := read(t, "tiny.mp4")
	os.WriteFile(half, data[:len(data)/2], 0o644)
	fs := read(t, "tiny-faststart.mp4")
	fsCut := filepath.Join(dir, "faststart-cut.mp4")
	os.WriteFile(fsCut, fs[:len(fs)*9/10], 0o644)
	notVideo := filepath.Join(dir, "not-a-video.mp4")
	os.WriteFile(notVideo, []byte("this is not a video file, just some text\n"), 0o644)

	cases := []struct {
		name, in, subs, want string
	}{
		{"missing video", filepath.Join(dir, "missing.mp4"), srt, "cannot open"},
		{"not a video", notVideo, srt, "cannot open"},
		{"subtitles as video", srt, srt, "no video stream"},
		{"cut in half", half, srt, "cannot open"},
		{"faststart cut at 90%", fsCut, srt, "truncated or corrupt: decoded 11 of 12 frames"},
		{"cue past the end", tiny, filepath.Join(testdata, "tiny-late.srt"), "tiny-late.srt:6: cue starts at 5000 ms"},
		{"broken timing", tiny, filepath.Join(testdata, "bad/bad-arrow.srt"), "bad-arrow.srt:2: bad timing line"},
		{"missing subtitles", tiny, filepath.Join(dir, "missing.srt"), "missing.srt: no such file"},
	}
	for _, c := range cases {
		out := filepath.Join(dir, "out.mp4")
		code, stdout, stderr := runCLI(c.in, c.subs, out)
		if code != 1 || stdout != "" || !strings.Contains(stderr, c.want) {
			t.Errorf("%s: exit %d, stdout %q, stderr %q; want exit 1 and %q", c.name, code, stdout, stderr, c.want)
		}
		for _, p := range []string{out, out + ".partial"} {
			if _, err := os.Stat(p); err == nil {
				t.Errorf("%s: %s left behind", c.name, p)
			}
		}
	}
	if code, _, stderr := runCLI(tiny, srt, filepath.Join(dir, "no-such-dir", "out.mp4")); code != 1 || stderr == "" {
		t.Errorf("unwritable output: exit %d %q", code, stderr)
	}
	if code, _, _ := runCLI(tiny, srt); code != 2 {
		t.Errorf("usage: exit %d, want 2", code)
	}
}
