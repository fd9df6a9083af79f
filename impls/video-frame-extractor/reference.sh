#!/bin/sh
# Reference row of the benchmark: the ffmpeg CLI doing the job of video-frame-extractor the way a
# user naturally would — one invocation per timestamp, each with an input seek (-ss before -i).
#
# usage: reference.sh INPUT OUTDIR WIDTH EVERY DURATION
#   Thumbnails OUTDIR/001.png, 002.png, … at 0, EVERY, 2·EVERY, … < DURATION (seconds), WIDTH wide.
set -eu
[ $# -eq 5 ] || { echo "usage: reference.sh INPUT OUTDIR WIDTH EVERY DURATION" >&2; exit 2; }
in=$1 out=$2 width=$3 every=$4 duration=$5

# The timestamps, computed in integer microseconds like the implementations (no rounding drift).
times=$(awk -v e="$every" -v d="$duration" '
	function us(s,   p, n) { n = split(s, p, "."); return p[1] * 1000000 + (n > 1 ? substr(p[2] "000000", 1, 6) + 0 : 0) }
	BEGIN { eu = us(e); du = us(d); for (t = 0; t < du; t += eu) printf "%d.%06d\n", int(t / 1000000), t % 1000000 }')

i=0
for t in $times; do
	i=$((i + 1))
	ffmpeg -nostdin -loglevel error -y -ss "$t" -i "$in" -frames:v 1 -vf "scale=$width:-2" "$out/$(printf %03d "$i").png"
done
