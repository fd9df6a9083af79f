#!/usr/bin/env bash
# The README's quick start, tried as a new user would: in a fresh container of a minimal Debian 12
# (bookworm) that has only Rust (the host's toolchain, mounted read-only), Python 3, git, a C
# compiler and CA certificates, from a fresh `git clone` of one commit of this repository.
#
# No image registry is reachable, Debian's package archive is: the image is built here with
# `debootstrap --variant=minbase` and `docker import`ed as `runner-clean:bookworm-<hash of its
# package list>`, then reused (`--rebuild` makes it anew). Each step prints its time; the script
# stops with a non-zero exit at the first step that fails. Slow (a full build of the workspace and
# of every implementation): it is not part of `.ci/run`.
#
# usage: scripts/clean-container.sh [options] [-- COMMAND...]
#   --rev REV         commit, branch or tag to clone (default: HEAD of the checkout this runs from;
#                     uncommitted changes are not part of a clone)
#   --bench CMD       the README's first command (default: its quick variant, below)
#   --test CMD        the README's second command (default: cargo test --workspace --locked)
#   --user            run the commands as an unprivileged user instead of root (the runner
#                     cannot install system packages then and must say how)
#   --nice N          run the commands inside at `nice -n N` (default 10: the machine is shared)
#   --rebuild         build the image again even if it exists
#   --image-only      build the image if needed, print its tag, and stop
#   --keep            leave the container running at the end (its name is printed)
#   --out DIR         where step logs go (default: a new folder under /tmp)
#   -- COMMAND...     instead of the README's commands, run COMMAND (bash -c) in the clone
# Environment: MIRROR (default http://deb.debian.org/debian); PACKAGES (default "python3 git gcc
# libc6-dev ca-certificates": what the image has besides Debian's minimal base).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)

rev=HEAD rebuild=0 image_only=0 keep=0 user=0 nice_n=10 out=""
bench='cargo run --release -p runner -- bench --quick manifests/*.toml'
tests='cargo test --workspace --locked'
custom=()
while [ $# -gt 0 ]; do
  case "$1" in
    --rev) rev=$2; shift 2 ;;
    --bench) bench=$2; shift 2 ;;
    --test) tests=$2; shift 2 ;;
    --user) user=1; shift ;;
    --nice) nice_n=$2; shift 2 ;;
    --rebuild) rebuild=1; shift ;;
    --image-only) image_only=1; shift ;;
    --keep) keep=1; shift ;;
    --out) out=$2; shift 2 ;;
    --) shift; custom=("$@"); break ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown option: $1 (see --help)" >&2; exit 2 ;;
  esac
done

# What the image holds, and nothing else: a new user's "Rust, Python 3, git and a C compiler".
# PACKAGES="" gives a bare minbase, the stand-in for the `debian:bookworm` image (run-workflow.py).
read -r -a packages <<< "${PACKAGES-python3 git gcc libc6-dev ca-certificates}"
mirror=${MIRROR:-http://deb.debian.org/debian}
tag="runner-clean:bookworm-$(printf '%s\n' "${packages[@]}" "$mirror" | sha256sum | cut -c1-12)"

t0=$(date +%s)
n=0
# step TITLE COMMAND...: runs it, prints its time, stops the script when it fails. (`set -e` does
# not apply inside a command tested by `||`: the functions below return their failures themselves.)
step() {
  local title=$1; shift
  n=$((n + 1))
  local s; s=$(date +%s)
  printf '\n=== [%d] %s\n' "$n" "$title"
  local rc=0
  "$@" || rc=$?
  local e=$(( $(date +%s) - s ))
  printf '=== [%d] %s: %s in %dm%02ds (total %dm%02ds)\n' "$n" "$title" \
    "$([ $rc -eq 0 ] && echo ok || echo "FAILED (exit $rc)")" $((e / 60)) $((e % 60)) \
    $(( ($(date +%s) - t0) / 60 )) $(( ($(date +%s) - t0) % 60 ))
  summary+=("$(printf '%-58s %-10s %dm%02ds' "$title" "$([ $rc -eq 0 ] && echo ok || echo "exit $rc")" $((e / 60)) $((e % 60)))")
  if [ $rc -ne 0 ]; then finish; exit "$rc"; fi
}
summary=()
finish() {
  printf '\n=== summary (%s, %s)\n' "${commit:-?}" "$tag"
  printf '%s\n' "${summary[@]}"
  [ -n "$out" ] && echo "logs: $out"
}

build_image() {
  command -v debootstrap >/dev/null || {
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap
  } || return
  local root rc=0; root=$(mktemp -d /var/tmp/runner-clean-rootfs.XXXXXX)
  make_rootfs "$root" || rc=$?
  [ $rc -eq 0 ] && { tar -C "$root" -c . | docker import \
    -c 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    -c 'ENV LANG=C.UTF-8' -c 'CMD ["bash"]' \
    -m "minimal Debian 12 with ${packages[*]} (scripts/clean-container.sh)" - "$tag" >/dev/null || rc=$?; }
  rm -rf "$root"
  return $rc
}
make_rootfs() {
  local inc=(); [ ${#packages[@]} -gt 0 ] && inc=(--include="$(IFS=,; echo "${packages[*]}")")
  debootstrap --variant=minbase "${inc[@]}" bookworm "$1" "$mirror" >"$out/debootstrap.log" 2>&1 \
    || { tail -20 "$out/debootstrap.log"; return 1; }
  cat >"$1/etc/apt/sources.list" <<EOF || return
deb $mirror bookworm main
deb $mirror bookworm-updates main
deb ${mirror%/debian}/debian-security bookworm-security main
EOF
  rm -rf "$1"/var/cache/apt/archives/*.deb "$1"/var/lib/apt/lists/*
}

[ -n "$out" ] || out=$(mktemp -d /tmp/clean-container.XXXXXX)
mkdir -p "$out"
if [ "$rebuild" = 1 ] || ! docker image inspect "$tag" >/dev/null 2>&1; then
  step "image $tag: debootstrap bookworm (${packages[*]}) and docker import" build_image
fi
if [ "$image_only" = 1 ]; then echo "$tag"; exit 0; fi

# The commit to clone, resolved here so that a branch moving meanwhile does not matter.
commit=$(git -C "$here" rev-parse --verify "$rev^{commit}")
gitdir=$(cd "$here" && cd "$(git rev-parse --git-common-dir)" && pwd)

# The host's Rust toolchain, read-only: rustup's proxies and toolchains. CARGO_HOME (the crates
# registry, git checkouts) is a fresh, writable folder inside the container.
rustup_home=${RUSTUP_HOME:-$HOME/.rustup}
cargo_bin=${CARGO_HOME:-$HOME/.cargo}/bin
name="runner-clean-$$"
cleanup() { [ "$keep" = 1 ] && { echo "container kept: docker exec -it $name bash"; return; }; docker rm -f "$name" >/dev/null 2>&1 || true; }
trap cleanup EXIT

home=/root; [ "$user" = 1 ] && home=/home/user
# The host's certificate bundle: where the network inspects TLS, the container must trust what
# the host trusts (pip does not read the system store by itself: PIP_CERT).
bundle=/etc/ssl/certs/ca-certificates.crt
tls=()
[ -f "$bundle" ] && tls=(-v "$bundle:$bundle:ro" -e PIP_CERT="$bundle" -e REQUESTS_CA_BUNDLE="$bundle" -e SSL_CERT_FILE="$bundle")
start() {
  docker run -d --name "$name" --hostname clean "${tls[@]}" \
    -v "$rustup_home:/opt/rust/rustup:ro" -v "$cargo_bin:/opt/rust/cargo-bin:ro" \
    -v "$gitdir:/src.git:ro" \
    -e RUSTUP_HOME=/opt/rust/rustup -e CARGO_HOME="$home/.cargo" \
    -e PATH="/opt/rust/cargo-bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" \
    -e CARGO_TERM_COLOR=never -e TERM=dumb \
    "$tag" sleep infinity >/dev/null || return
  if [ "$user" = 1 ]; then
    docker exec "$name" useradd --create-home --uid 1000 user || return
  fi
}
step "start a fresh container" start

inside() { # inside COMMAND: bash -c in the clone, as the chosen user, niced
  local u=(); [ "$user" = 1 ] && u=(--user user)
  docker exec "${u[@]}" -w "$home/repo" "$name" nice -n "$nice_n" bash -c "set -euo pipefail; $1" 2>&1 \
    | tee -a "$out/step-$n.log"
  return "${PIPESTATUS[0]}"
}
clone() {
  local u=(); [ "$user" = 1 ] && u=(--user user)
  docker exec "${u[@]}" "$name" bash -c "set -e
    git config --global --add safe.directory /src.git
    git clone --quiet --no-local --no-checkout /src.git $home/repo
    git -C $home/repo checkout --quiet --detach $commit
    git -C $home/repo log -1 --format='%h %s'" 2>&1 | tee -a "$out/step-$n.log"
  return "${PIPESTATUS[0]}"
}
step "git clone of $rev ($(git -C "$here" rev-parse --short "$commit"))" clone
step "what the container has" inside 'id -un; . /etc/os-release; echo "$PRETTY_NAME"; rustc -V; cargo -V; python3 -V; git --version; cc --version | head -1
  for t in pkg-config valgrind ffmpeg sqlite3 nginx go zig; do command -v "$t" >/dev/null && echo "has $t" || echo "no $t"; done'

if [ ${#custom[@]} -gt 0 ]; then
  step "${custom[*]}" inside "${custom[*]}"
else
  # The clone's README must give these commands, or this run proves nothing about it.
  for c in "$bench" "$tests"; do
    docker exec "$name" grep -qF -- "$c" "$home/repo/README.md" \
      || echo "warning: README.md of $commit does not contain \`$c\`" >&2
  done
  step "$bench" inside "$bench"
  step "$tests" inside "$tests"
fi
finish
