// Command subtitle-burn-in draws SRT/WebVTT subtitles onto a video with its own pixel code and
// re-encodes it with libx264 (lossless), copying the audio; see ../README.md.
//
// Usage:
//
//	subtitle-burn-in <input-video> <subtitles.srt|.vtt> <output.mp4>
//
// Exit codes: 0 on success, 1 on any error (no output file is left), 2 on wrong usage.
package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run is the whole program minus the process exit, so that tests can drive it.
func run(args []string, stdout, stderr io.Writer) int {
	if len(args) != 3 {
		fmt.Fprintln(stderr, "usage: subtitle-burn-in <input-video> <subtitles.srt|.vtt> <output.mp4>")
		return 2
	}
	sum, err := burnInFiles(args[0], args[1], args[2])
	if err != nil {
		fmt.Fprintf(stderr, "subtitle-burn-in: %v\n", err)
		return 1
	}
	fmt.Fprintln(stdout, sum.JSON())
	return 0
}

func burnInFiles(inPath, subsPath, outPath string) (Summary, error) {
	data, err := os.ReadFile(subsPath)
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return Summary{}, fmt.Errorf("%s: %v", subsPath, err)
	}
	subs, err := ParseSubtitles(data)
	if err != nil {
		return Summary{}, fmt.Errorf("%s:%v", subsPath, err)
	}
	font, err := ParseFont(fontHex)
	if err != nil {
		return Summary{}, err
	}
	return BurnIn(inPath, subsPath, outPath, subs, font)
}
