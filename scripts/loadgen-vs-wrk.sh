#!/usr/bin/env bash
# Benchmark (not a test): the runner's load generator against wrk (Debian package) on the same
# server, side by side, alternating, at the same connection counts and thread count.
# Prints req/s of each, their ratio, and the generator's own peak RSS (GNU time). Both use
# THREADS client threads (default: half the CPUs, the runner's default, since the server under
# test needs the other half).
#
# usage: scripts/loadgen-vs-wrk.sh [SECONDS] [ROUNDS] [CONNECTIONS...]
# The server is the runner's built-in HTTP backend (1 KiB bodies), on 127.0.0.1 only.
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-10}; rounds=${2:-3}; shift 2 || true
conns=("${@:-64 256}"); [ $# -gt 0 ] && conns=("$@") || conns=(64 256)
runner=./target/release/runner
[ -x "$runner" ] || cargo build --release --locked -p runner
command -v wrk >/dev/null || { echo "wrk not found: apt-get install wrk" >&2; exit 2; }
threads=${THREADS:-$(( $(nproc) > 1 ? $(nproc) / 2 : 1 ))}
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$runner" __backend "$port" 1024 0 0 & backend=$!
trap 'kill $backend 2>/dev/null' EXIT
until python3 -c "import socket; socket.create_connection(('127.0.0.1',$port))" 2>/dev/null; do sleep 0.05; done
url="http://127.0.0.1:$port/"
printf '%-6s %-5s %12s %12s %7s %12s\n' conns round wrk_rps runner_rps ratio runner_rss
for c in "${conns[@]}"; do
  for r in $(seq "$rounds"); do
    w=$(wrk -t"$threads" -c"$c" -d"${secs}s" "$url" | awk '/Requests\/sec/ {print $2}')
    out=$( { /usr/bin/time -f 'RSS %M' "$runner" load "$url" -c "$c" -t "$threads" -d "$secs" --warmup 0 --json; } 2>&1 )
    rr=$(echo "$out" | python3 -c 'import json,sys; print(json.loads(sys.stdin.readline())["rps"])')
    rss=$(echo "$out" | awk '/^RSS/ {printf "%.1f MiB", $2/1024}')
    printf '%-6s %-5s %12.0f %12.0f %7.3f %12s\n' "$c" "$r" "$w" "$rr" "$(python3 -c "print($rr/$w)")" "$rss"
  done
done
