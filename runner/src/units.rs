//! Number formatting, in one place: durations, byte sizes, rates and the headline value of any
//! metric with its unit, with three significant digits and thousands separators; ratios,
//! percentages and the scales and ticks of chart axes.

use std::time::Duration;

/// `1234567.8` → `"1,234,568"`: integer part with thousands separators.
pub fn thousands(v: f64) -> String {
    let neg = v < 0.0;
    let digits = format!("{:.0}", v.abs());
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if neg {
        format!("-{out}")
    } else {
        out
    }
}

/// Three significant digits; thousands separators from 1000 up.
pub fn sig3(v: f64) -> String {
    let a = v.abs();
    if !v.is_finite() {
        return v.to_string();
    }
    if a >= 1000.0 {
        thousands(v)
    } else if a >= 100.0 {
        format!("{v:.0}")
    } else if a >= 10.0 {
        format!("{v:.1}")
    } else if a >= 1.0 {
        format!("{v:.2}")
    } else if a == 0.0 {
        "0".into()
    } else {
        let decimals = (-a.log10().floor()) as usize + 2;
        format!("{v:.decimals$}")
    }
}

/// Three significant digits like [`sig3`] but without thousands separators, for fields that other
/// tools read as numbers: `24864.4` → `"24864"`, `0.012345` → `"0.0123"`.
pub fn sig3_plain(v: f64) -> String {
    if v.is_finite() && v.abs() >= 1000.0 {
        format!("{v:.0}")
    } else {
        sig3(v)
    }
}

/// Seconds in the most readable unit: `0.000512` → `"512 µs"`, `1.5` → `"1.50 s"`.
pub fn seconds(s: f64) -> String {
    let a = s.abs();
    if a >= 1.0 {
        format!("{} s", sig3(s))
    } else if a >= 1e-3 {
        format!("{} ms", sig3(s * 1e3))
    } else if a >= 1e-6 {
        format!("{} µs", sig3(s * 1e6))
    } else {
        format!("{} ns", sig3(s * 1e9))
    }
}

/// A duration, via [`seconds`].
pub fn duration(d: Duration) -> String {
    seconds(d.as_secs_f64())
}

/// Parses a size like `512M`, `2G`, `1.5GiB` or `1048576` (binary units) into bytes.
pub fn parse_bytes(s: &str) -> Option<u64> {
    let s = s.trim();
    let split = s
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(s.len());
    let (num, unit) = s.split_at(split);
    let n: f64 = num.parse().ok()?;
    let mult: u64 = match unit.trim().trim_end_matches(['B', 'b', 'i']) {
        "" => 1,
        "K" | "k" => 1 << 10,
        "M" | "m" => 1 << 20,
        "G" | "g" => 1 << 30,
        "T" | "t" => 1 << 40,
        _ => return None,
    };
    (n.is_finite() && n >= 0.0).then_some((n * mult as f64) as u64)
}

/// Bytes in binary units: `397312` → `"388 KiB"`.
pub fn bytes(b: f64) -> String {
    let units = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut v = b;
    let mut u = 0;
    while v.abs() >= 1024.0 && u + 1 < units.len() {
        v /= 1024.0;
        u += 1;
    }
    if u == 0 {
        format!("{} B", thousands(v))
    } else {
        format!("{} {}", sig3(v), units[u])
    }
}

/// A count with an SI prefix: `1234567` → `"1.23 M"`, `512` → `"512"`.
pub fn si(v: f64) -> String {
    let (scaled, prefix) = match v.abs() {
        a if a >= 1e12 => (v / 1e12, " T"),
        a if a >= 1e9 => (v / 1e9, " G"),
        a if a >= 1e6 => (v / 1e6, " M"),
        a if a >= 1e3 => (v / 1e3, " k"),
        _ => (v, ""),
    };
    format!("{}{prefix}", sig3(scaled))
}

/// A headline value with its unit: seconds pick their own scale, other units are appended.
pub fn value(v: f64, unit: &str) -> String {
    match unit {
        "s" => seconds(v),
        "B" | "bytes" => bytes(v),
        "instr" => format!("{} instr", si(v)),
        _ => format!("{} {unit}", sig3(v)),
    }
}

/// How far a 95% CI reaches below and above the mean, relative to it: `"±1.2%"` when both sides
/// show alike, else `"+14/−12%"` (above, then below: a log-scale interval reaches further up).
pub fn ci_percent(mean: f64, low: f64, high: f64) -> String {
    if mean == 0.0 || !mean.is_finite() {
        return "±?".into();
    }
    let side = |d: f64| {
        let p = d / mean.abs() * 100.0;
        if p < 0.1 {
            "<0.1".to_string()
        } else {
            sig_pct(p)
        }
    };
    let (above, below) = (high - mean, mean - low);
    // A symmetric interval may differ in the last bits: one side, not two.
    let symmetric = (above - below).abs() <= 1e-9 * above.abs().max(below.abs());
    let (up, down) = (side(above), side(below));
    if symmetric || up == down {
        format!("±{up}%")
    } else {
        format!("+{up}/−{down}%")
    }
}

fn sig_pct(p: f64) -> String {
    if p >= 10.0 {
        format!("{p:.0}")
    } else {
        format!("{p:.1}")
    }
}

/// A ratio as `"1.23×"`.
pub fn ratio(r: f64) -> String {
    format!("{}×", sig3(r))
}

/// A range of ratios as `"1.08–1.13×"`.
pub fn ratio_range(low: f64, high: f64) -> String {
    format!("{}–{}×", sig3(low), sig3(high))
}

/// `part` of `whole` as a percentage with one decimal: `8, 27` → `"29.6%"` (`"0.0%"` of nothing).
pub fn percent(part: usize, whole: usize) -> String {
    if whole == 0 {
        return "0.0%".into();
    }
    format!("{:.1}%", part as f64 / whole as f64 * 100.0)
}

/// The scale of a chart axis showing values in `unit` up to `max`: the factor to multiply values
/// by and the unit then shown (`"s"` up to 0.02 → `(1000, "ms")`; bytes up to 4 MB → MiB).
/// Other units are shown as they are.
pub fn axis_scale(unit: &str, max: f64) -> (f64, String) {
    let a = max.abs();
    match unit {
        "s" if a >= 1.0 || a == 0.0 => (1.0, "s".into()),
        "s" if a >= 1e-3 => (1e3, "ms".into()),
        "s" if a >= 1e-6 => (1e6, "µs".into()),
        "s" => (1e9, "ns".into()),
        "B" | "bytes" => {
            let units = ["B", "KiB", "MiB", "GiB", "TiB"];
            let mut factor = 1.0;
            let mut u = 0;
            while a * factor >= 1024.0 && u + 1 < units.len() {
                factor /= 1024.0;
                u += 1;
            }
            (factor, units[u].into())
        }
        _ => (1.0, unit.into()),
    }
}

/// A fraction as a percentage without trailing zeros: `0.02` → `"2%"`, `0.025` → `"2.5%"`.
pub fn fraction_percent(f: f64) -> String {
    format!("{}%", axis_tick(f * 100.0))
}

/// A tick label of a chart axis (already scaled): three significant digits without trailing
/// zeros (`4`, `2.5`, `0.25`).
pub fn axis_tick(v: f64) -> String {
    if v.abs() < 1e-12 {
        return "0".into();
    }
    let s = sig3(v);
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        let cases: &[(String, &str)] = &[
            (thousands(1234567.8), "1,234,568"),
            (thousands(999.0), "999"),
            (sig3(412.34), "412"),
            (sig3(41.71), "41.7"),
            (sig3(3.914), "3.91"),
            (sig3(0.01234), "0.0123"),
            (sig3(10065.0), "10,065"),
            (sig3_plain(10065.0), "10065"),
            (sig3_plain(-1234567.8), "-1234568"),
            (sig3_plain(0.012345), "0.0123"),
            (seconds(0.000512), "512 µs"),
            (seconds(0.0123), "12.3 ms"),
            (seconds(1.5), "1.50 s"),
            (seconds(2.5e-8), "25.0 ns"),
            (bytes(397312.0), "388 KiB"),
            (bytes(512.0), "512 B"),
            (bytes(3.5 * 1024.0 * 1024.0), "3.50 MiB"),
            (value(412.0, "MB/s"), "412 MB/s"),
            (value(0.517, "s"), "517 ms"),
            (ci_percent(100.0, 99.0, 101.0), "±1.0%"),
            (ci_percent(100.0, 99.99, 100.01), "±<0.1%"),
            (ci_percent(100.0, 97.8, 102.3), "+2.3/−2.2%"),
            (ci_percent(0.171, 0.0351, 0.837), "+389/−79%"),
            (ci_percent(100.0, 99.96, 100.05), "±<0.1%"),
            (ci_percent(1.0, 0.95, 1.05), "±5.0%"),
            (ratio(10.666), "10.7×"),
            (ratio_range(1.0841, 1.128), "1.08–1.13×"),
            (percent(8, 27), "29.6%"),
            (percent(0, 0), "0.0%"),
            (axis_tick(0.0), "0"),
            (axis_tick(250.0), "250"),
            (axis_tick(4.0), "4"),
            (axis_tick(2.5), "2.5"),
            (axis_tick(0.25), "0.25"),
            (axis_tick(1500.0), "1,500"),
            (fraction_percent(0.02), "2%"),
            (fraction_percent(0.025), "2.5%"),
        ];
        for (got, want) in cases {
            assert_eq!(got, want);
        }
    }

    #[test]
    fn axis_scales() {
        let cases: &[(&str, f64, f64, &str)] = &[
            ("s", 2.5, 1.0, "s"),
            ("s", 0.02, 1e3, "ms"),
            ("s", 2e-5, 1e6, "µs"),
            ("s", 3e-8, 1e9, "ns"),
            ("B", 4_000_000.0, 1.0 / 1024.0 / 1024.0, "MiB"),
            ("B", 500.0, 1.0, "B"),
            ("MB/s", 528.0, 1.0, "MB/s"),
        ];
        for (unit, max, factor, shown) in cases {
            assert_eq!(
                axis_scale(unit, *max),
                (*factor, shown.to_string()),
                "{unit} {max}"
            );
        }
    }
}
