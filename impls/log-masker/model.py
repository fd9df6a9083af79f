#!/usr/bin/env python3
"""Reference model of the log masker, written from the spec (README.md) alone — not from the
Go, Rust or Zig code — and used by the runner as the oracle of every implementation's output.

usage:
  model.py mask INPUT OUTPUT          write the masked copy of INPUT, print the summary line
  model.py verify INPUT OUTPUT STDOUT [--budget BYTES] [--seed N]
                                      check an implementation's OUTPUT (and its STDOUT summary)
                                      against the model; exit 0 when they agree

`verify` compares every line when INPUT is at most --budget bytes (default 32 MiB) and then also
the whole summary line; above that it compares a seeded random sample of lines holding about
--budget bytes (lines are independent: a match never crosses a newline), and the line count.

Slow on purpose: one rule at a time, in the spec's order and words. The one shortcut, `fast`
scanning, only visits the positions where a rule *can* start — every rule needs the previous byte
outside `W` (LB, LBd, the e-mail and IPv6 boundaries all imply it) and a first byte in `L`, `(`,
`:` or `+` — and the unit tests check it against trying every position.
"""
import json
import os
import random
import re
import sys

KEYS = ["jwt", "bearer", "secret", "api_key", "email", "ipv6", "ipv4", "thai_id", "card", "phone"]


def cls(s):
    return frozenset(s.encode())


UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
LOWER = UPPER.lower()
DIG = "0123456789"
D = cls(DIG)
H = cls(DIG + "ABCDEFabcdef")
W = cls(UPPER + LOWER + DIG + "_")
B64 = cls(UPPER + LOWER + DIG + "_-")
L = cls(UPPER + LOWER + DIG + "._%+-")
TOK = cls(UPPER + LOWER + DIG + "._~+/=-")
ALNUM = cls(UPPER + LOWER + DIG)
UPDIG = cls(UPPER + DIG)
ALPHA = cls(UPPER + LOWER)
DOMAIN = cls(UPPER + LOWER + DIG + ".-")
SEP = cls("- ")
HEXCOLON = H | cls(":")
VALUE_STOP = cls(" \t\"'&,;\n")
SECRET_KEYS = [b"password", b"passwd", b"pwd", b"secret", b"api_key", b"apikey", b"access_token"]


def at(line, i):
    """The byte at i, or None past the end."""
    return line[i] if 0 <= i < len(line) else None


def run(line, i, klass):
    """End of the maximal run of bytes in klass from i."""
    while i < len(line) and line[i] in klass:
        i += 1
    return i


def lb(line, p):
    return p == 0 or line[p - 1] not in W


def lbd(line, p):
    return p == 0 or (line[p - 1] not in W and line[p - 1] not in b"-.+")


def rbd(line, q):
    if q == len(line):
        return True
    if line[q] in W:
        return False
    return not (line[q] in b"-." and at(line, q + 1) is not None and line[q + 1] in D)


def lower_eq(line, p, word):
    return line[p:p + len(word)].lower() == word


# Each rule: (line, p) -> (end, replacement) or None.

def rule_jwt(line, p):
    if not lb(line, p) or line[p:p + 3] != b"eyJ":
        return None
    a = run(line, p, B64)
    if a - p < 4 or at(line, a) != ord("."):
        return None
    b = run(line, a + 1, B64)
    if b - (a + 1) < 1 or at(line, b) != ord("."):
        return None
    c = run(line, b + 1, B64)
    if c - (b + 1) < 1:
        return None
    return c, b"[JWT]"


def rule_bearer(line, p):
    if not lb(line, p) or not lower_eq(line, p, b"bearer"):
        return None
    s = p + 6
    t = s
    while at(line, t) == 0x20:
        t += 1
    if t == s:
        return None
    e = run(line, t, TOK)
    if e - t < 8:
        return None
    return e, line[p:t] + b"[TOKEN]"


def rule_secret(line, p):
    if not lb(line, p):
        return None
    for key in SECRET_KEYS:
        if not lower_eq(line, p, key):
            continue
        i = p + len(key)
        if at(line, i) == ord('"'):
            i += 1
        while at(line, i) == 0x20:
            i += 1
        if at(line, i) not in (ord("="), ord(":")):
            continue
        i += 1
        while at(line, i) == 0x20:
            i += 1
        if at(line, i) == ord('"'):
            i += 1
        v = i
        while v < len(line) and line[v] < 0x80 and line[v] not in VALUE_STOP:
            v += 1
        if v == i:
            continue
        return v, line[p:i] + b"[REDACTED]"
    return None


def rule_api_key(line, p):
    if not lb(line, p):
        return None
    if line[p:p + 4] == b"AKIA":
        e = run(line, p + 4, UPDIG)
        if e - (p + 4) == 16 and rbd(line, e):
            return e, b"[API_KEY]"
    if line[p:p + 4] == b"ghp_":
        e = run(line, p + 4, ALNUM)
        if e - (p + 4) == 36 and rbd(line, e):
            return e, b"[API_KEY]"
    if line[p:p + 3] in (b"sk_", b"pk_", b"rk_") and line[p + 3:p + 8] in (b"live_", b"test_"):
        e = run(line, p + 8, ALNUM)
        if e - (p + 8) >= 16 and rbd(line, e):
            return e, b"[API_KEY]"
    return None


def rule_email(line, p):
    if p > 0 and line[p - 1] in L:
        return None
    a = run(line, p, L)
    if a == p or at(line, a) != ord("@"):
        return None
    e = run(line, a + 1, DOMAIN)
    while e > a + 1 and line[e - 1] == ord("."):
        e -= 1
    labels = line[a + 1:e].split(b".")
    if len(labels) < 2 or any(len(x) == 0 for x in labels):
        return None
    last = labels[-1]
    if len(last) < 2 or any(c not in ALPHA for c in last):
        return None
    return e, b"[EMAIL]"


def h_groups(text):
    """Number of groups when text is 1–4 H groups separated by single ':', else None."""
    groups = text.split(b":")
    if any(not 1 <= len(g) <= 4 or any(c not in H for c in g) for g in groups):
        return None
    return len(groups)


def rule_ipv6(line, p):
    if p > 0 and (line[p - 1] in W or line[p - 1] in b":."):
        return None
    e = run(line, p, HEXCOLON)
    if e > p and line[e - 1] == ord(":") and not (e - 2 >= p and line[e - 2] == ord(":")):
        e -= 1
    nxt = at(line, e)
    if nxt is not None and (nxt in W or nxt == ord(".")):
        return None
    r = line[p:e]
    if b":::" in r or r.count(b"::") > 1:
        return None
    if b"::" in r:
        before, after = r.split(b"::")
        n = 0
        for part in (before, after):
            if part:
                g = h_groups(part)
                if g is None:
                    return None
                n += g
        if n > 7:
            return None
    elif h_groups(r) != 8:
        return None
    return e, b"[IPV6]"


def rule_ipv4(line, p):
    if not lbd(line, p):
        return None
    i = p
    for k in range(4):
        if k > 0:
            if at(line, i) != ord("."):
                return None
            i += 1
        e = run(line, i, D)
        octet = line[i:e]
        if not 1 <= len(octet) <= 3 or int(octet) > 255 or (len(octet) > 1 and octet[0] == ord("0")):
            return None
        i = e
    if not rbd(line, i):
        return None
    return i, b"[IPV4]"


def grouped(line, p, sizes, seps):
    """Digits of the grouped form `sizes` (each group a maximal run of D) separated by one
    repeated byte from seps, and its end; None when it does not match."""
    i = p
    sep = None
    digits = b""
    for k, n in enumerate(sizes):
        if k > 0:
            c = at(line, i)
            if c is None or c not in seps or (sep is not None and c != sep):
                return None
            sep = c
            i += 1
        e = run(line, i, D)
        if e - i != n:
            return None
        digits += line[i:e]
        i = e
    return digits, i


def digits_form(line, p, plain_ok, sizes):
    """(digits, end) of the plain run (when plain_ok(length)) or the grouped form, then RBd."""
    e = run(line, p, D)
    if plain_ok(e - p):
        found = (line[p:e], e)
    else:
        found = grouped(line, p, sizes, SEP)
    if found is None or not rbd(line, found[1]):
        return None
    return found


def thai_ok(d):
    s = sum((c - 48) * (14 - i) for i, c in enumerate(d[:12], start=1))
    return d[12] - 48 == (11 - s % 11) % 10


def luhn_ok(d):
    total = 0
    for k, c in enumerate(reversed(d)):
        x = c - 48
        if k % 2 == 1:
            x *= 2
            if x > 9:
                x -= 9
        total += x
    return total % 10 == 0


def rule_thai_id(line, p):
    if not lbd(line, p):
        return None
    found = digits_form(line, p, lambda n: n == 13, [1, 4, 5, 2, 1])
    if found is None or not thai_ok(found[0]):
        return None
    return found[1], b"[THAI_ID]"


def rule_card(line, p):
    if not lbd(line, p):
        return None
    found = digits_form(line, p, lambda n: 13 <= n <= 19, [4, 4, 4, 4])
    if found is None or not luhn_ok(found[0]):
        return None
    return found[1], b"[CARD]"


class Pat:
    """A tiny sequence matcher for the phone alternatives: a list of steps, each a literal
    bytes, ('d', n) for exactly n digits, ('sep?',) / ('sep',) or ('any', bytes) for one byte
    of a set. SEP? is deterministic here (a SEP byte is never a digit, '(' or a letter)."""

    def __init__(self, *steps):
        self.steps = steps

    def match(self, line, p):
        i = p
        for s in self.steps:
            if isinstance(s, bytes):
                if line[i:i + len(s)] != s:
                    return None
                i += len(s)
            elif s[0] == "d":
                for _ in range(s[1]):
                    if at(line, i) is None or line[i] not in D:
                        return None
                    i += 1
            elif s[0] == "sep?":
                if at(line, i) is not None and line[i] in SEP:
                    i += 1
            elif s[0] == "sep":
                if at(line, i) is None or line[i] not in SEP:
                    return None
                i += 1
            elif s[0] == "any":
                if at(line, i) is None or line[i] not in s[1]:
                    return None
                i += 1
        return i


S_OPT = ("sep?",)
PHONES = [
    # 1. +66 SEP? ([689] D SEP? D{3} SEP? D{4} | 2 SEP? D{3} SEP? D{4})
    Pat(b"+66", S_OPT, ("any", b"689"), ("d", 1), S_OPT, ("d", 3), S_OPT, ("d", 4)),
    Pat(b"+66", S_OPT, b"2", S_OPT, ("d", 3), S_OPT, ("d", 4)),
    # 2. 0 [689] D SEP? D{3} SEP? D{4}
    Pat(b"0", ("any", b"689"), ("d", 1), S_OPT, ("d", 3), S_OPT, ("d", 4)),
    # 3. 02 SEP? D{3} SEP? D{4}
    Pat(b"02", S_OPT, ("d", 3), S_OPT, ("d", 4)),
    # 4. +1 SEP? ( '(' D{3} ')' | D{3} ) SEP? D{3} SEP? D{4}
    Pat(b"+1", S_OPT, b"(", ("d", 3), b")", S_OPT, ("d", 3), S_OPT, ("d", 4)),
    Pat(b"+1", S_OPT, ("d", 3), S_OPT, ("d", 3), S_OPT, ("d", 4)),
    # 5. '(' D{3} ')' SEP? D{3} SEP D{4}
    Pat(b"(", ("d", 3), b")", S_OPT, ("d", 3), ("sep",), ("d", 4)),
    # 6. D{3} - D{3} - D{4}
    Pat(("d", 3), b"-", ("d", 3), b"-", ("d", 4)),
]


def rule_phone(line, p):
    if not lbd(line, p):
        return None
    for pat in PHONES:
        e = pat.match(line, p)
        if e is not None and rbd(line, e):
            return e, b"[PHONE]"
    return None


RULES = [("jwt", rule_jwt), ("bearer", rule_bearer), ("secret", rule_secret),
         ("api_key", rule_api_key), ("email", rule_email), ("ipv6", rule_ipv6),
         ("ipv4", rule_ipv4), ("thai_id", rule_thai_id), ("card", rule_card),
         ("phone", rule_phone)]

# Where a rule can start (see the module doc): the previous byte is not in W, this one is in
# L or one of ( : +.
CANDIDATE = re.compile(rb"(?<![A-Za-z0-9_])[A-Za-z0-9._%+\-(:]")


def try_rules(line, p, counts):
    for name, rule in RULES:
        m = rule(line, p)
        if m is not None:
            counts[name] += 1
            return m
    return None


def mask_line(line, counts, fast=True):
    """The masked copy of one line (without its newline); adds the matches to counts."""
    out = []
    pos = 0  # first byte not yet written
    p = 0
    while p < len(line):
        if fast:
            c = CANDIDATE.search(line, p)
            if c is None:
                break
            p = c.start()
        m = try_rules(line, p, counts)
        if m is None:
            p += 1
            continue
        end, repl = m
        out.append(line[pos:p])
        out.append(repl)
        pos = p = end
    out.append(line[pos:])
    return b"".join(out)


def mask(data, fast=True):
    """(masked bytes, summary dict) of a whole input."""
    counts = {k: 0 for k in KEYS}
    out = b"\n".join(mask_line(line, counts, fast) for line in data.split(b"\n"))
    lines = data.count(b"\n") + (1 if data and not data.endswith(b"\n") else 0)
    return out, {"bytes_in": len(data), "bytes_out": len(out), "lines": lines, "masked": counts}


def summary_line(s):
    return json.dumps(s, separators=(",", ":"))


def fail(msg):
    print(f"model.py: {msg}", file=sys.stderr)
    sys.exit(1)


def verify(inp, outp, stdoutp, budget, seed):
    size = os.path.getsize(inp)
    whole = size <= budget
    rate = 1.0 if whole else budget / size
    rng = random.Random(seed)
    counts = {k: 0 for k in KEYS}
    checked = n = 0
    with open(inp, "rb") as fi, open(outp, "rb") as fo:
        while True:
            a, b = fi.readline(), fo.readline()
            if not a and not b:
                break
            n += 1
            if not a or not b:
                fail(f"line {n}: the output has {'more' if a == b'' else 'fewer'} lines than the input")
            if a.endswith(b"\n") != b.endswith(b"\n"):
                fail(f"line {n}: newline in one file and not the other")
            if not whole and rng.random() >= rate:
                continue
            checked += 1
            want = mask_line(a.rstrip(b"\n"), counts) + (b"\n" if a.endswith(b"\n") else b"")
            if want != b:
                fail(f"line {n} differs from the model:\n  input:  {a!r}\n  output: {b!r}\n"
                     f"  model:  {want!r}")
    with open(stdoutp, "rb") as f:
        lines = [l for l in f.read().splitlines() if l.strip()]
    if len(lines) != 1:
        fail(f"stdout must hold exactly one line, found {len(lines)}")
    if whole:
        want = summary_line({"bytes_in": size, "bytes_out": os.path.getsize(outp),
                             "lines": n, "masked": counts})
        if lines[0].decode(errors="replace") != want:
            fail(f"summary line differs from the model:\n  got:   {lines[0]!r}\n  model: {want}")
        print(f"model.py: all {n} lines and the summary line agree with the model")
    else:
        print(f"model.py: a seeded sample of {checked} of {n} lines agrees with the model")


def main(argv):
    if len(argv) == 4 and argv[1] == "mask":
        counts = {k: 0 for k in KEYS}
        n = size_in = size_out = 0
        with open(argv[2], "rb") as fi, open(argv[3], "wb") as fo:
            for line in fi:
                nl = b"\n" if line.endswith(b"\n") else b""
                out = mask_line(line[:len(line) - len(nl)], counts) + nl
                fo.write(out)
                n, size_in, size_out = n + 1, size_in + len(line), size_out + len(out)
        print(summary_line({"bytes_in": size_in, "bytes_out": size_out, "lines": n,
                            "masked": counts}))
        return 0
    if len(argv) >= 5 and argv[1] == "verify":
        budget, seed = 32 << 20, 1
        rest = argv[5:]
        while rest:
            if rest[0] == "--budget" and len(rest) > 1:
                budget = int(rest[1])
            elif rest[0] == "--seed" and len(rest) > 1:
                seed = int(rest[1])
            else:
                fail(f"unknown option {rest[0]}")
            rest = rest[2:]
        verify(argv[2], argv[3], argv[4], budget, seed)
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
