#!/usr/bin/env python3
"""Seeded, deterministic generator of sales CSV for the csv-aggregator benchmark.

usage: gen.py --seed N --size SIZE --out FILE      (SIZE: bytes, or with K/M/G suffix, binary units)

Columns ts,region,product,customer,qty,unit_price. 12 regions and 3000 products with Zipf-like
skew; ~6% of rows hold fields that need quotes (commas, doubled quotes, ~0.1% newlines), ~1%
negative qty, a few quoted numbers and CR LF terminators, some UTF-8 names. Rows are assembled in
large batches from precomputed pools, so generation runs at tens of MB/s. Writes whole records
until the file holds at least SIZE bytes.
"""
import argparse
import itertools
import random
import sys

HEADER = "ts,region,product,customer,qty,unit_price\n"
BATCH = 1 << 16


def parse_size(text):
    units = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40}
    t = text.strip().upper().removesuffix("B").removesuffix("I")
    if t and t[-1] in units:
        return int(t[:-1]) * units[t[-1]]
    return int(t)


def quote(value):
    if any(c in value for c in ',"\r\n'):
        return '"' + value.replace('"', '""') + '"'
    return value


def zipf_cum(n, s):
    cum, total = [], 0.0
    for i in range(1, n + 1):
        total += 1.0 / i ** s
        cum.append(total)
    return cum


def build_pools(rng):
    regions = ["North America", "Europe", "Asia", "South America", "Oceania", "Africa",
               "Middle East", "Central Asia", "Caribbean", "Nordics", "Middle East, Africa",
               "Côte d'Ivoire"]
    adjectives = ["Basic", "Pro", "Ultra", "Mini", "Max", "Eco", "Smart", "Classic", "Deluxe",
                  "Compact", "Heavy-Duty", "Wireless", "Portable", "Premium", "Lite"]
    nouns = ["Widget", "Gadget", "Monitor", "Keyboard", "Mouse", "Cable", "Charger", "Lamp",
             "Chair", "Desk", "Speaker", "Headset", "Router", "Camera", "Backpack", "Bottle",
             "Notebook", "Pen", "Drone", "Tablet"]
    products, seen = [], set()
    while len(products) < 3000:
        a, n = rng.choice(adjectives), rng.choice(nouns)
        r = rng.random()
        if r < 0.01:
            name = f'{a} {n} {rng.randint(10, 40)}"'            # inch mark: doubled quote
        elif r < 0.03:
            name = f"{n}, {a}, {rng.choice(['S', 'M', 'L', 'XL'])}"  # commas
        elif r < 0.032:
            name = f"{a} {n}\nrev {rng.randint(1, 9)}"           # embedded newline
        else:
            name = f"{a} {n} {rng.choice('ABCDEFGHJKLMNPQRSTUVWXYZ')}{rng.randint(1, 999)}"
        if name not in seen:
            seen.add(name)
            products.append(name)
    rng.shuffle(products)
    # Group part "region,product": product skew times region skew; the hot groups come first.
    rcum, pcum = zipf_cum(len(regions), 0.9), zipf_cum(len(products), 1.1)
    rw = [rcum[0]] + [rcum[i] - rcum[i - 1] for i in range(1, len(rcum))]
    pw = [pcum[0]] + [pcum[i] - pcum[i - 1] for i in range(1, len(pcum))]
    groups, weights = [], []
    for ri, r in enumerate(regions):
        for pi, p in enumerate(products):
            groups.append(quote(r) + "," + quote(p))
            weights.append(rw[ri] * pw[pi])
    gcum = list(itertools.accumulate(weights))

    first = ["James", "Mary", "Wei", "Aiko", "Somchai", "Zoë", "Jürgen", "Fatima", "Olga", "Raj",
             "Ana", "Lars", "Nguyen", "Priya", "Tomás", "Kofi", "สมชาย", "Chloé", "Ivan", "Mei"]
    last = ["Smith", "Müller", "Tanaka", "Chen", "Garcia", "Okafor", "Johansson", "Kowalski",
            "ใจดี", "Silva", "Novak", "Dubois", "Haddad", "Kim", "Patel", "O'Brien", "Rossi"]
    companies = ["ACME", "Globex", "Initech", "Umbrella", "Stark", "Wayne", "Tyrell", "Hooli"]
    tails = []
    for _ in range(200_000):
        r = rng.random()
        f, l = rng.choice(first), rng.choice(last)
        if r < 0.015:
            cust = f"{l}, {f}"                                   # comma
        elif r < 0.020:
            cust = f'{f} "{rng.choice(["Bob", "Ace", "Doc"])}" {l}'  # doubled quotes
        elif r < 0.0205:
            cust = f"{rng.choice(companies)} Ltd\nAttn: {f} {l}"   # newline
        elif r < 0.10:
            cust = f"{rng.choice(companies)} {rng.choice(['Inc', 'GmbH', 'Co'])}"
        else:
            cust = f"{f} {l}"
        u = rng.random()
        qty = rng.randint(1, 5) if u < 0.7 else rng.randint(1, 50) if u < 0.97 else rng.randint(1, 200)
        if rng.random() < 0.01:
            qty = -qty
        cents = int(50 * (10000 ** rng.random()))               # 0.50 .. 5000.00, log-uniform
        price = f"{cents // 100}.{cents % 100:02d}"
        q = str(qty)
        v = rng.random()
        if v < 0.001:
            q = f'"{q}"'
        elif v < 0.002:
            price = f'"{price}"'
        end = "\r\n" if rng.random() < 0.001 else "\n"
        tails.append(f"{quote(cust)},{q},{price}{end}")

    ts = []
    t = 1_767_225_600  # 2026-01-01T00:00:00Z
    for _ in range(100_003):
        t += rng.randint(0, 3)
        d, s = divmod(t - 1_767_225_600, 86400)
        month, day = divmod(d % 336, 28)
        ts.append(f"2026-{month + 1:02d}-{day + 1:02d}T{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}Z")
    return groups, gcum, tails, ts


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, required=True)
    ap.add_argument("--size", required=True)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    size = parse_size(a.size)
    rng = random.Random(a.seed)
    groups, gcum, tails, ts = build_pools(rng)
    nts = len(ts)
    ts2 = ts + ts  # so that any window of BATCH rows is one slice
    with open(a.out, "wb") as f:
        head = HEADER.encode()
        f.write(head)
        written, row = len(head), 0
        while written < size:
            g = rng.choices(groups, cum_weights=gcum, k=BATCH)
            tl = rng.choices(tails, k=BATCH)
            start = row % nts
            tsl = ts2[start:start + BATCH] if BATCH <= nts else [ts[(row + i) % nts] for i in range(BATCH)]
            rows = [f"{x},{y},{z}" for x, y, z in zip(tsl, g, tl)]
            data = "".join(rows).encode()
            if written + len(data) >= size:
                # Last batch: only as many rows as needed to reach SIZE.
                need, n = size - written, 0
                for i, r in enumerate(rows):
                    n += len(r.encode())
                    if n >= need:
                        data = "".join(rows[:i + 1]).encode()
                        break
            f.write(data)
            written += len(data)
            row += BATCH
    return 0


if __name__ == "__main__":
    sys.exit(main())
