package main

import (
	"fmt"
	"strings"
)

// SegmentName returns the file name of segment i (seg00000.ts, seg00001.ts, …).
func SegmentName(i int) string {
	return fmt.Sprintf("seg%05d.ts", i)
}

// Playlist renders the VOD playlist for segments of the given durations (in microseconds),
// exactly as the spec (../README.md, "Playlist") prescribes.
func Playlist(durationsUS []int64) string {
	var maxUS int64
	for _, d := range durationsUS {
		if d > maxUS {
			maxUS = d
		}
	}
	target := (maxUS + 999_999) / 1_000_000

	var b strings.Builder
	b.WriteString("#EXTM3U\n#EXT-X-VERSION:3\n")
	fmt.Fprintf(&b, "#EXT-X-TARGETDURATION:%d\n", target)
	b.WriteString("#EXT-X-MEDIA-SEQUENCE:0\n#EXT-X-PLAYLIST-TYPE:VOD\n")
	for i, d := range durationsUS {
		fmt.Fprintf(&b, "#EXTINF:%d.%06d,\n%s\n", d/1_000_000, d%1_000_000, SegmentName(i))
	}
	b.WriteString("#EXT-X-ENDLIST\n")
	return b.String()
}
