//! The benchmark input: a seeded, speech-like 16 kHz signal (impls/audio-chunker/README.md,
//! "Benchmark input"). Only integer arithmetic and basic IEEE double operations (+ − × ÷ and
//! rounding) are used — no library maths — so a seed gives the same bytes on every machine.

pub const RATE: usize = 16_000;

/// splitmix64.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed ^ 0x5EED_C4A1_D0C7_0000)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `lo..=hi`.
    pub fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next_u64() % (hi - lo + 1)
    }

    /// Uniform in [-1, 1).
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 52) as f64 - 1.0
    }

    /// Uniform in [lo, hi).
    pub fn between(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * ((self.next_u64() >> 11) as f64 / (1u64 << 53) as f64)
    }
}

/// A polynomial approximation of sin(2π·phase) for phase in [0, 1) (parabola plus one
/// refinement step; error below 0.1 %).
pub fn sine(phase: f64) -> f64 {
    let x = 2.0 * phase - 1.0; // [-1, 1): sin(π(x+1)) = -sin(πx)
    let y = 4.0 * x * (1.0 - x.abs());
    -(0.225 * (y * y.abs() - y) + y)
}

fn ms(n: u64) -> usize {
    n as usize * RATE / 1000
}

/// Amplitude envelope at sample `i` of `len`: linear attack over 15 %, release over 25 %
/// (no release when `sustain_to_end`).
fn envelope(i: usize, len: usize, sustain_to_end: bool) -> f64 {
    let attack = (len * 15 / 100).max(1);
    let release = (len * 25 / 100).max(1);
    if i < attack {
        i as f64 / attack as f64
    } else if !sustain_to_end && i + release > len {
        (len - i) as f64 / release as f64
    } else {
        1.0
    }
}

struct Synth<'a> {
    rng: Rng,
    out: &'a mut [i32],
}

impl Synth<'_> {
    /// One syllable at `[at, at+len)` (clipped to the buffer), peak `level`.
    fn syllable(&mut self, at: usize, len: usize, level: f64, sustain_to_end: bool) {
        let voiced = sustain_to_end || self.rng.range(0, 99) < 80;
        let gain = level * self.rng.between(0.6, 1.0);
        let f0 = self.rng.between(90.0, 260.0);
        let f1 = f0 * self.rng.between(0.85, 1.15);
        let mut phase = 0.0f64;
        let end = (at + len).min(self.out.len());
        for i in 0..end.saturating_sub(at) {
            let env = envelope(i, len, sustain_to_end) * gain;
            let v = if voiced {
                let f = f0 + (f1 - f0) * (i as f64 / len as f64);
                phase += f / RATE as f64;
                phase -= (phase as u64) as f64;
                let h = |k: f64| {
                    let p = phase * k;
                    sine(p - (p as u64) as f64)
                };
                (h(1.0) + 0.5 * h(2.0) + 0.3 * h(3.0) + 0.15 * h(4.0)) / 1.95
            } else {
                0.5 * self.rng.unit()
            };
            self.out[at + i] += (env * v).round() as i32;
        }
    }

    /// An utterance: syllables separated by 20–180 ms gaps, from `at` up to `at+len`.
    fn utterance(&mut self, at: usize, len: usize, level: f64, sustain_to_end: bool) {
        let end = (at + len).min(self.out.len());
        let mut pos = at;
        while pos < end {
            let syl = ms(self.rng.range(80, 350));
            let gap = ms(self.rng.range(20, 180));
            if sustain_to_end && pos + syl + gap >= end {
                self.syllable(pos, end - pos, level, true);
                break;
            }
            self.syllable(pos, syl.min(end - pos), level, false);
            pos += syl + gap;
        }
    }
}

/// `seconds · 16000` samples for `seed`, as 16-bit little-endian bytes.
pub fn generate(seed: u64, seconds: u64) -> Vec<u8> {
    let total = seconds as usize * RATE;
    let mut rng = Rng::new(seed);
    // Noise floor everywhere: uniform in [-120, 120] (RMS ≈ 70).
    let mut acc: Vec<i32> = (0..total).map(|_| rng.range(0, 240) as i32 - 120).collect();
    let final_len = RATE.min(total);
    let body = total - final_len;
    let mut synth = Synth {
        rng: Rng::new(seed.wrapping_mul(31).wrapping_add(7)),
        out: &mut acc[..],
    };
    let mut pos = 0usize;
    while pos < body {
        let pause = ms(synth.rng.range(350, 1500));
        if synth.rng.range(0, 99) < 20 {
            // An isolated click in the middle of the pause.
            let click = ms(synth.rng.range(20, 60));
            let at = pos + pause / 2;
            for i in at..(at + click).min(body) {
                synth.out[i] += (8000.0 * synth.rng.unit()).round() as i32;
            }
        }
        pos += pause;
        if pos >= body {
            break;
        }
        let r = synth.rng.range(0, 99);
        let len = ms(if r < 10 {
            synth.rng.range(6000, 14000)
        } else if r < 35 {
            synth.rng.range(2000, 4500)
        } else {
            synth.rng.range(400, 2000)
        });
        let level = if synth.rng.range(0, 99) < 20 {
            synth.rng.between(2000.0, 3600.0)
        } else {
            synth.rng.between(3600.0, 16000.0)
        };
        let len = len.min(body - pos);
        synth.utterance(pos, len, level, false);
        pos += len;
    }
    let level = synth.rng.between(6000.0, 12000.0);
    synth.utterance(body, final_len, level, true);
    let mut bytes = Vec::with_capacity(2 * total);
    for v in acc {
        bytes.extend_from_slice(&(v.clamp(i16::MIN as i32, i16::MAX as i32) as i16).to_le_bytes());
    }
    bytes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sine_is_close_to_the_real_one() {
        for i in 0..1000 {
            let p = i as f64 / 1000.0;
            let err = (sine(p) - (2.0 * std::f64::consts::PI * p).sin()).abs();
            assert!(err < 0.002, "phase {p}: error {err}");
        }
    }

    #[test]
    fn deterministic_and_seed_dependent() {
        let a = generate(42, 3);
        assert_eq!(a.len(), 3 * RATE * 2);
        assert_eq!(a, generate(42, 3));
        assert_ne!(a, generate(43, 3));
    }

    #[test]
    fn ends_in_speech() {
        let a = generate(1, 4);
        let tail: Vec<i64> = a[a.len() - 640..]
            .chunks(2)
            .map(|b| i16::from_le_bytes([b[0], b[1]]) as i64)
            .collect();
        let energy: i64 = tail.iter().map(|s| s * s).sum();
        assert!(energy >= 320 * 1000 * 1000, "last frame energy {energy}");
    }
}
