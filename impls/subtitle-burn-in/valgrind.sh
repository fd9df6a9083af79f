#!/bin/sh
# Runs built implementations under valgrind's memcheck on the tiny fixture: one successful run
# and the fault cases that fail after FFmpeg objects exist (mid-stream decode error, truncated
# file caught by the frame count, cue past the end, file that cannot be opened). Fails on any
# memcheck error or any definitely/indirectly/possibly lost block.
# usage: valgrind.sh BINARY...   (e.g. rust/target/release/subtitle-burn-in zig/zig-out/bin/subtitle-burn-in;
# build Zig with an explicit -Dcpu: valgrind cannot run AVX-512. Go's runtime is not
# memcheck-clean by itself, so the Go binary is not a useful subject.)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
td=$here/testdata
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
size=$(wc -c < "$td/tiny-faststart.mp4")
head -c $((size / 2)) "$td/tiny-faststart.mp4" > "$tmp/faststart-half.mp4"
head -c $((size * 9 / 10)) "$td/tiny-faststart.mp4" > "$tmp/faststart-90.mp4"
head -c $(($(wc -c < "$td/tiny.mp4") / 2)) "$td/tiny.mp4" > "$tmp/half.mp4"
status=0
for bin in "$@"; do
  for case in "$td/tiny.mp4 $td/tiny.srt 0" "$tmp/faststart-half.mp4 $td/tiny.srt 1" \
              "$tmp/faststart-90.mp4 $td/tiny.srt 1" "$td/tiny.mp4 $td/tiny-late.srt 1" \
              "$tmp/half.mp4 $td/tiny.srt 1"; do
    set -- $case
    rc=0
    valgrind --leak-check=full --errors-for-leak-kinds=definite,indirect,possible --error-exitcode=99 \
      "$bin" "$1" "$2" "$tmp/out.mp4" > /dev/null 2> "$tmp/log" || rc=$?
    summary=$(grep -E "ERROR SUMMARY" "$tmp/log" | sed 's/^==[0-9]*== //')
    echo "$bin $(basename "$1") $(basename "$2"): exit $rc, $summary"
    if [ "$rc" -ne "$3" ]; then status=1; fi
    rm -f "$tmp/out.mp4"
  done
done
exit $status
