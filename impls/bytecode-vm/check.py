#!/usr/bin/env python3
"""Independent check of one bytecode-vm run of programs/bench.asm (run by the benchmark runner).

usage: check.py STDOUT SCALE

Recomputes the six numbers the benchmark program prints directly in Python (no bytecode is
interpreted): the workload sizes are read from the `.param`/`.const` lines of programs/bench.asm
with SCALE as `scale`, and the results are computed with ordinary Python code (iterative fib,
memoised Collatz, a bytearray sieve, and the matrix checksum through the identity
sum_ij w_i v_j C_ij = sum_k (sum_i w_i A_ik)(sum_j v_j B_kj), all mod 2^64).
Exit 0 when STDOUT is exactly those six lines; otherwise print the first difference and exit 1.
"""
import os
import sys

sys.dont_write_bytecode = True  # importing asm must not leave __pycache__ in the checkout
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import asm  # noqa: E402  (only its expression evaluator)

MASK = (1 << 64) - 1


def signed(v):
    v &= MASK
    return v - (1 << 64) if v >> 63 else v


def constants(scale):
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "programs", "bench.asm")
    names = {}
    for raw in open(path, encoding="utf-8"):
        line = raw.split(";", 1)[0].strip()
        parts = line.split(None, 2)
        if len(parts) == 3 and parts[0] in (".param", ".const"):
            names[parts[1]] = scale if parts[0] == ".param" else asm.evaluate(parts[2], names)
    return names


def fib_table(n):
    t = [0, 1]
    while len(t) <= n:
        t.append(t[-1] + t[-2])
    return t


def collatz(limit):
    cache = {1: 0}
    total = best = 0
    for x in range(1, limit + 1):
        path, n = [], x
        while n not in cache:
            path.append(n)
            n = n // 2 if n % 2 == 0 else 3 * n + 1
        steps = cache[n]
        for m in reversed(path):
            steps += 1
            if m <= limit:
                cache[m] = steps
        s = cache[x] if x in cache else steps
        total += s
        best = max(best, s)
    return total, best


def primes(limit):
    sieve = bytearray([1]) * max(limit, 2)
    sieve[0] = sieve[1] = 0
    i = 2
    while i * i < limit:
        if sieve[i]:
            sieve[i * i::i] = bytes(len(range(i * i, limit, i)))
        i += 1
    count = total = 0
    for p in range(2, limit):
        if sieve[p]:
            count += 1
            total += p
    return count, total


def matmul_checksum(n, reps):
    x = 88172645463325252
    acc = 0
    for _ in range(reps):
        cells = []
        for _ in range(2 * n * n):
            x = (x * 6364136223846793005 + 1442695040888963407) & MASK
            cells.append((x >> 40) - 8388608)
        a, b = cells[: n * n], cells[n * n:]
        for k in range(n):
            wa = sum((i + 1) * a[i * n + k] for i in range(n))
            vb = sum((2 * j + 1) * b[k * n + j] for j in range(n))
            acc = (acc + wa * vb) & MASK
    return signed(acc)


def expected(scale):
    c = constants(scale)
    fib = fib_table(c["FIB_BASE"] + 3)
    fibsum = sum(fib[c["FIB_BASE"] + r % 4] for r in range(c["FIB_REPS"]))
    ctotal, cmax = collatz(c["COLLATZ_N"])
    pcount, psum = primes(c["SIEVE_N"])
    mm = matmul_checksum(c["MM_N"], c["MM_REPS"])
    return [signed(fibsum), signed(ctotal), cmax, pcount, signed(psum), mm]


def main():
    if len(sys.argv) != 3:
        print("usage: check.py STDOUT SCALE", file=sys.stderr)
        sys.exit(2)
    want = "".join(f"{v}\n" for v in expected(int(sys.argv[2])))
    got = open(sys.argv[1], "rb").read().decode("utf-8", "replace")
    if got == want:
        return
    names = ["fibsum", "collatz total", "collatz max", "prime count", "prime sum", "matmul checksum"]
    g, w = got.split("\n"), want.split("\n")
    for i, wl in enumerate(w):
        gl = g[i] if i < len(g) else "<missing>"
        if gl != wl:
            what = names[i] if i < len(names) else "end of output"
            print(f"check.py: line {i + 1} ({what}): expected {wl!r}, got {gl!r}", file=sys.stderr)
            sys.exit(1)
    print(f"check.py: unexpected output after line {len(w) - 1}: {got!r}"[:300], file=sys.stderr)
    sys.exit(1)


if __name__ == "__main__":
    main()
