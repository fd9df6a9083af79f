package main

import (
	"bytes"
	"encoding/binary"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// small.mp4: 320×240, 30 fps (time base 1/15360, 512 per frame), 2 s, keyframes at 0 s and 1 s.
const small = "../testdata/small.mp4"

func runCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(args, &out, &errb)
	return code, out.String(), errb.String()
}

func listDir(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	sort.Strings(names)
	return names
}

func pngSize(t *testing.T, path string) (int, int) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(b) < 24 || string(b[:8]) != "\x89PNG\r\n\x1a\n" || string(b[12:16]) != "IHDR" {
		t.Fatalf("%s is not a PNG", path)
	}
	return int(binary.BigEndian.Uint32(b[16:20])), int(binary.BigEndian.Uint32(b[20:24]))
}

func TestExtractAtTimestamps(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "thumbs") // created by the program
	code, stdout, stderr := runCLI(t, "--width", "100", "--at", "0,0.5,0.51,1.9,0.5", "--raw", small, dir)
	if code != 0 || stderr != "" {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	// 0.51 s is pts 7833.6 -> 7834: the next frame is #16 (pts 8192, 0.533333 s).
	want := "001.png t=0.000000 frame=0.000000 pts=0\n" +
		"002.png t=0.500000 frame=0.500000 pts=7680\n" +
		"003.png t=0.510000 frame=0.533333 pts=8192\n" +
		"004.png t=1.900000 frame=1.900000 pts=29184\n" +
		"005.png t=0.500000 frame=0.500000 pts=7680\n"
	if stdout != want {
		t.Fatalf("stdout:\n%s\nwant:\n%s", stdout, want)
	}
	names := listDir(t, dir)
	if strings.Join(names, " ") != "001.png 002.png 003.png 004.png 005.png frames.rgb" {
		t.Fatalf("files: %v", names)
	}
	for _, n := range names[:5] {
		if w, h := pngSize(t, filepath.Join(dir, n)); w != 100 || h != 76 {
			t.Errorf("%s is %d×%d, want 100×76", n, w, h)
		}
	}
	raw, _ := os.ReadFile(filepath.Join(dir, "frames.rgb"))
	const frame = 100 * 76 * 3
	if len(raw) != 5*frame {
		t.Fatalf("frames.rgb has %d bytes, want %d", len(raw), 5*frame)
	}
	slice := func(i int) []byte { return raw[i*frame : (i+1)*frame] }
	if !bytes.Equal(slice(1), slice(4)) {
		t.Error("the same timestamp twice gave different pixels")
	}
	if bytes.Equal(slice(1), slice(2)) || bytes.Equal(slice(0), slice(3)) {
		t.Error("different frames gave the same pixels")
	}
	png2, _ := os.ReadFile(filepath.Join(dir, "002.png"))
	png5, _ := os.ReadFile(filepath.Join(dir, "005.png"))
	if !bytes.Equal(png2, png5) {
		t.Error("the reused PNG encoder gave different bytes for the same pixels")
	}
}

func TestExtractEvery(t *testing.T) {
	dir := t.TempDir()
	code, stdout, stderr := runCLI(t, "--every", "0.5", small, dir)
	if code != 0 {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	if n := strings.Count(stdout, "\n"); n != 4 {
		t.Fatalf("want 4 thumbnails (0, 0.5, 1, 1.5), got:\n%s", stdout)
	}
	if got := strings.Join(listDir(t, dir), " "); got != "001.png 002.png 003.png 004.png" {
		t.Fatalf("files without --raw: %s", got)
	}
	if w, h := pngSize(t, filepath.Join(dir, "004.png")); w != 320 || h != 240 {
		t.Errorf("default width: %d×%d, want 320×240", w, h)
	}
}

// expectFailure runs a job that must fail with exit code 1 and leave no output file behind.
func expectFailure(t *testing.T, input, wantErr string, extra ...string) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "out")
	args := append([]string{"--raw", input, dir}, extra...)
	code, stdout, stderr := runCLI(t, args...)
	if code != 1 {
		t.Fatalf("exit %d, want 1 (stderr %q)", code, stderr)
	}
	if stdout != "" {
		t.Errorf("stdout %q, want nothing", stdout)
	}
	if !strings.HasPrefix(stderr, "video-frame-extractor: ") || !strings.Contains(stderr, wantErr) ||
		strings.Count(stderr, "\n") != 1 {
		t.Errorf("stderr %q, want one line containing %q", stderr, wantErr)
	}
	if files := listDir(t, dir); len(files) != 0 {
		t.Errorf("files left behind: %v", files)
	}
}

func TestMissingFile(t *testing.T) {
	expectFailure(t, filepath.Join(t.TempDir(), "nope.mp4"), "No such file or directory", "--at", "0")
}

func TestNotAVideo(t *testing.T) {
	path := filepath.Join(t.TempDir(), "notes.mp4")
	os.WriteFile(path, []byte(strings.Repeat("this is not a video\n", 200)), 0o644)
	expectFailure(t, path, "Invalid data found when processing input", "--at", "0")
}

func TestAudioOnly(t *testing.T) {
	expectFailure(t, "../testdata/audio-only.m4a", "no video stream", "--at", "0")
}

func TestTruncatedFile(t *testing.T) {
	data, err := os.ReadFile(small)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "half.mp4")
	os.WriteFile(path, data[:len(data)/2], 0o644)
	expectFailure(t, path, "half.mp4", "--at", "0")
}

func TestTimestampPastEnd(t *testing.T) {
	expectFailure(t, small, "timestamp 2.500000 is past the end", "--at", "0.5,2.5")
	expectFailure(t, small, "timestamp 2.000000 is past the end", "--at", "2")
}

// 1.99 s is before the container's end (2 s) but after the last frame (1.966667 s): the failure
// comes after 001.png was already encoded, and its .part file must be gone too.
func TestNoFrameAfterLastLeavesNothing(t *testing.T) {
	expectFailure(t, small, "no frame at or after 1.990000", "--at", "0.5,1.99")
}

func TestUsageErrorsExit2(t *testing.T) {
	for _, args := range [][]string{{}, {small}, {"--at", "x", small, t.TempDir()}, {"--every", "0.000001", small, t.TempDir()}} {
		code, stdout, stderr := runCLI(t, args...)
		if code != 2 || stdout != "" || !strings.Contains(stderr, "video-frame-extractor: ") {
			t.Errorf("%q: exit %d, stdout %q, stderr %q", args, code, stdout, stderr)
		}
	}
}
