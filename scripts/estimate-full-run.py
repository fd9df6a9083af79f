#!/usr/bin/env python3
"""Estimates how long `runner bench manifests/*.toml` (defaults, no flag) takes, from the committed
reports (reports/latest/*.json) and the manifests, without running anything. An estimate, and
this is how it is made:

- batch projects: each contender's mean wall time per run in its report, scaled linearly to the
  manifest's default input when the report was measured on a smaller one (`size`, `duration`,
  `seconds`), times the number of runs: the report's own count when it was measured with the
  manifest's sampling, else the manifest's `min_runs` (low) and `max_runs` (high), at least
  `min_time` seconds; plus the warm-up runs and one verification run;
- services: every run drives each `[load] connections` count for `warmup + duration` seconds,
  `min_runs` to `max_runs` runs per contender, plus one verification round;
- the callgrind pass of a manifest with `[metric] instructions = true`: one run of each language
  and variant under valgrind, taken as 20× (low) to 50× (high) its mean wall time;
- builds: the build times recorded in the reports.
Not included: generating the inputs (once; cached in .runner/inputs/ afterwards) and installing
prerequisites. The reports were measured on a 2-core virtual machine (see their `host`).

usage: scripts/estimate-full-run.py [ROOT]
"""

import json
import math
import re
import sys
import tomllib
from pathlib import Path

SCALED = ("size", "duration", "seconds")
CALLGRIND = (20, 50)  # slowdown of a run under callgrind without cache simulation, low and high


def number(v):
    m = re.fullmatch(r"([\d.]+)\s*([KMG]?)", str(v))
    if not m:
        return None
    return float(m.group(1)) * {"": 1, "K": 1e3, "M": 1e6, "G": 1e9}[m.group(2)]


def main() -> int:
    root = Path(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).resolve().parent.parent)
    lo_total = hi_total = 0.0
    print(f"{'project':<24} {'runs':>9} {'low':>8} {'high':>8}  how")
    for f in sorted((root / "reports" / "latest").glob("*.json")):
        report = json.loads(f.read_text())
        p = report["projects"][0]
        m = tomllib.loads((root / "manifests" / f"{p['slug']}.toml").read_text())
        defaults = {k: str(v) for k, v in m.get("params", {}).items()}
        scale, notes = 1.0, []
        for k in SCALED:
            a, b = number(p["params"].get(k)), number(defaults.get(k))
            if a and b and a != b:
                scale *= b / a
                notes.append(f"{k} {p['params'][k]}→{defaults[k]}")
        s = m.get("sampling", {})
        warm = s.get("warmup", 1)
        lo = hi = 0.0
        runs_lo = runs_hi = 0
        cmd = report.get("command", [])
        reduced = any(a in cmd for a in ("--runs", "--warmup"))
        for j in p["jobs"] + p["references"]:
            build = (j.get("build") or {}).get("wall_ns") or 0
            lo += build / 1e9
            hi += build / 1e9
            if "load" in m or j.get("load"):
                load = m.get("load", {})
                per_run = len(load.get("connections", [64])) * (load.get("duration", 10) + load.get("warmup", 2))
                n_lo, n_hi = s.get("min_runs", 3), s.get("max_runs", 5)
                lo += per_run * (n_lo + 1)
                hi += per_run * (n_hi + 1)
                runs_lo += n_lo
                runs_hi += n_hi
                continue
            samples = j.get("samples") or []
            if not samples:
                continue
            t = sum(x["wall_ns"] for x in samples) / len(samples) / 1e9 * scale
            if reduced:
                need = math.ceil(s.get("min_time", 0) / t) if t > 0 else 0
                n_lo = min(max(s.get("min_runs", 10), need), s.get("max_runs", 30))
                n_hi = s.get("max_runs", 30)
            else:
                n_lo = n_hi = len(samples)
            lo += t * (n_lo + warm + 1)
            hi += t * (n_hi + warm + 1)
            if m.get("metric", {}).get("instructions") and not j.get("reference"):
                lo += t * CALLGRIND[0]
                hi += t * CALLGRIND[1]
            runs_lo += n_lo
            runs_hi += n_hi
        how = "; ".join(notes + (["runs from the manifest's sampling"] if reduced else ["runs as in its report"]))
        print(f"{p['id'] + ' ' + p['slug']:<24} {runs_lo:>4}–{runs_hi:<4} {lo / 60:7.1f}m {hi / 60:7.1f}m  {how}")
        lo_total += lo
        hi_total += hi
    print(f"{'total':<24} {'':>9} {lo_total / 60:7.1f}m {hi_total / 60:7.1f}m  (builds included; input generation and installs not)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
