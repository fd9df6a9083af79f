//! Classifies 64 bytes at a time into bitmaps (bit `k` = byte `base + k`).
//!
//! Performance: the scanner must find the few positions where a rule can start. Instead of
//! testing bytes one by one, it gets one bitmap per byte class for a 64-byte window — SIMD
//! compares on 16 or 32 bytes at once and one `pmovmskb` per class — and combines them with
//! shifts and ANDs into a bitmap of candidate positions (see `scan`). Two classes look one byte
//! ahead (`jwt`, `zd`); the SIMD path reads that byte with a second unaligned load at offset 1.
//!
//! SSE2 is part of baseline x86-64 and always used; AVX2 (twice the width, and three-operand
//! instructions that avoid register copies) is used when the CPU reports it at run time. No
//! `target-cpu` is set: the binary runs on any x86-64. Other architectures use the scalar code.

/// Bitmaps of one window of up to 64 bytes; bits past the end of the input are 0.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Masks {
    /// `W`.
    pub word: u64,
    /// `L` (`W` and `. % + -`).
    pub l: u64,
    /// `D`.
    pub digit: u64,
    /// `H`.
    pub hex: u64,
    /// `@`.
    pub at: u64,
    /// `:`.
    pub colon: u64,
    /// `.`.
    pub dot: u64,
    /// `SEP`: space or `-`.
    pub sep: u64,
    /// `-`.
    pub dash: u64,
    /// What may follow a `secret` key: `"`, space, `=`, `:`.
    pub follow: u64,
    /// First letter of `bearer` or of a `secret` key: `b p s a`, either case.
    pub kwf: u64,
    /// `e` followed by `y` (start of `eyJ`).
    pub jwt: u64,
    /// A phone start (`0`, `+` or `(`) followed by a digit.
    pub zd: u64,
}

/// A way of computing the bitmaps of a window.
pub trait Classifier {
    /// Bitmaps of `s[base..base + 64]` (`base < s.len()`).
    fn classify(s: &[u8], base: usize) -> Masks;
}

/// Byte-by-byte classification (reference, other architectures, end of input).
pub struct Scalar;

impl Classifier for Scalar {
    #[inline(always)]
    fn classify(s: &[u8], base: usize) -> Masks {
        classify_scalar(s, base)
    }
}

/// Portable version (used near the end of the input, and on other architectures).
pub fn classify_scalar(s: &[u8], base: usize) -> Masks {
    use crate::class::{is, D, H, L, W};
    let mut m = Masks::default();
    let end = s.len().min(base + 64);
    for (k, &x) in s[base..end].iter().enumerate() {
        let next = s.get(base + k + 1).copied();
        let set = |mask: &mut u64, on: bool| *mask |= u64::from(on) << k;
        set(&mut m.word, is(x, W));
        set(&mut m.l, is(x, L));
        set(&mut m.digit, is(x, D));
        set(&mut m.hex, is(x, H));
        set(&mut m.at, x == b'@');
        set(&mut m.colon, x == b':');
        set(&mut m.dot, x == b'.');
        set(&mut m.sep, x == b' ' || x == b'-');
        set(&mut m.dash, x == b'-');
        set(&mut m.follow, matches!(x, b'"' | b' ' | b'=' | b':'));
        set(&mut m.kwf, matches!(x | 0x20, b'b' | b'p' | b's' | b'a'));
        set(&mut m.jwt, x == b'e' && next == Some(b'y'));
        set(
            &mut m.zd,
            matches!(x, b'0' | b'+' | b'(') && next.is_some_and(|b| b.is_ascii_digit()),
        );
    }
    m
}

#[cfg(target_arch = "x86_64")]
pub(crate) use x86::{Avx2, Sse2};

#[cfg(target_arch = "x86_64")]
mod x86 {
    use super::{classify_scalar, Classifier, Masks};
    use std::arch::x86_64::*;

    /// The vector operations the classification needs, for one register width.
    ///
    /// Every method is `#[inline(always)]`: the code is instantiated inside a function compiled
    /// for the matching target feature (see `scan::mask_block`), where the intrinsics inline.
    pub(crate) trait Vector: Copy {
        const WIDTH: usize;
        /// # Safety
        /// `p..p + WIDTH` must be readable, and the CPU must support the vector width.
        unsafe fn load(p: *const u8) -> Self;
        fn splat(b: u8) -> Self;
        fn eq(self, o: Self) -> Self;
        /// Signed byte-wise `self < o`.
        fn lt(self, o: Self) -> Self;
        fn add(self, o: Self) -> Self;
        fn or(self, o: Self) -> Self;
        fn and(self, o: Self) -> Self;
        /// One bit per byte (the byte's top bit), in the low `WIDTH` bits.
        fn bits(self) -> u64;
    }

    /// 16-byte SSE2 vectors (baseline x86-64).
    #[derive(Clone, Copy)]
    pub(crate) struct Sse2(__m128i);

    // SAFETY (all methods): SSE2 is part of baseline x86-64, so these intrinsics are always
    // available; `load` has the caller's guarantee.
    impl Vector for Sse2 {
        const WIDTH: usize = 16;
        #[inline(always)]
        unsafe fn load(p: *const u8) -> Self {
            Sse2(unsafe { _mm_loadu_si128(p.cast()) })
        }
        #[inline(always)]
        fn splat(b: u8) -> Self {
            Sse2(unsafe { _mm_set1_epi8(b as i8) })
        }
        #[inline(always)]
        fn eq(self, o: Self) -> Self {
            Sse2(unsafe { _mm_cmpeq_epi8(self.0, o.0) })
        }
        #[inline(always)]
        fn lt(self, o: Self) -> Self {
            Sse2(unsafe { _mm_cmplt_epi8(self.0, o.0) })
        }
        #[inline(always)]
        fn add(self, o: Self) -> Self {
            Sse2(unsafe { _mm_add_epi8(self.0, o.0) })
        }
        #[inline(always)]
        fn or(self, o: Self) -> Self {
            Sse2(unsafe { _mm_or_si128(self.0, o.0) })
        }
        #[inline(always)]
        fn and(self, o: Self) -> Self {
            Sse2(unsafe { _mm_and_si128(self.0, o.0) })
        }
        #[inline(always)]
        fn bits(self) -> u64 {
            u64::from(unsafe { _mm_movemask_epi8(self.0) } as u16)
        }
    }

    /// 32-byte AVX2 vectors; only used after `is_x86_feature_detected!("avx2")` (the type is
    /// private to the crate so that nothing else can run it on a CPU without AVX2).
    #[derive(Clone, Copy)]
    pub(crate) struct Avx2(__m256i);

    // SAFETY (all methods): only instantiated inside `#[target_feature(enable = "avx2")]` code
    // that runs after the run-time check; `load` has the caller's guarantee.
    impl Vector for Avx2 {
        const WIDTH: usize = 32;
        #[inline(always)]
        unsafe fn load(p: *const u8) -> Self {
            Avx2(unsafe { _mm256_loadu_si256(p.cast()) })
        }
        #[inline(always)]
        fn splat(b: u8) -> Self {
            Avx2(unsafe { _mm256_set1_epi8(b as i8) })
        }
        #[inline(always)]
        fn eq(self, o: Self) -> Self {
            Avx2(unsafe { _mm256_cmpeq_epi8(self.0, o.0) })
        }
        #[inline(always)]
        fn lt(self, o: Self) -> Self {
            Avx2(unsafe { _mm256_cmpgt_epi8(o.0, self.0) })
        }
        #[inline(always)]
        fn add(self, o: Self) -> Self {
            Avx2(unsafe { _mm256_add_epi8(self.0, o.0) })
        }
        #[inline(always)]
        fn or(self, o: Self) -> Self {
            Avx2(unsafe { _mm256_or_si256(self.0, o.0) })
        }
        #[inline(always)]
        fn and(self, o: Self) -> Self {
            Avx2(unsafe { _mm256_and_si256(self.0, o.0) })
        }
        #[inline(always)]
        fn bits(self) -> u64 {
            u64::from(unsafe { _mm256_movemask_epi8(self.0) } as u32)
        }
    }

    /// Byte-wise `lo <= x <= hi` (unsigned) with signed compares: shift the range so that it
    /// starts at -128, then one signed compare tests the upper end.
    #[inline(always)]
    fn in_range<V: Vector>(x: V, lo: u8, hi: u8) -> V {
        x.add(V::splat(0x80u8.wrapping_sub(lo)))
            .lt(V::splat(0x80u8 + (hi - lo) + 1))
    }

    /// The masks of one vector of bytes `x` (`x1`: the same bytes shifted by one), in the low
    /// `WIDTH` bits of each field.
    #[inline(always)]
    fn lane<V: Vector>(x: V, x1: V) -> Masks {
        let is = |b: u8| x.eq(V::splat(b));
        // `x | 0x20` folds A-Z onto a-z and maps no other byte into a-z.
        let lower = x.or(V::splat(0x20));
        let lower_is = |b: u8| lower.eq(V::splat(b));
        let digit = in_range(x, b'0', b'9');
        let word = in_range(lower, b'a', b'z').or(digit).or(is(b'_'));
        let (dot, dash, plus, colon, space) = (is(b'.'), is(b'-'), is(b'+'), is(b':'), is(b' '));
        Masks {
            word: word.bits(),
            l: word.or(dot).or(dash.or(plus).or(is(b'%'))).bits(),
            digit: digit.bits(),
            hex: digit.or(in_range(lower, b'a', b'f')).bits(),
            at: is(b'@').bits(),
            colon: colon.bits(),
            dot: dot.bits(),
            sep: space.or(dash).bits(),
            dash: dash.bits(),
            follow: is(b'"').or(space).or(is(b'=').or(colon)).bits(),
            kwf: lower_is(b'b')
                .or(lower_is(b'p'))
                .or(lower_is(b's').or(lower_is(b'a')))
                .bits(),
            jwt: is(b'e').and(x1.eq(V::splat(b'y'))).bits(),
            zd: is(b'0')
                .or(plus)
                .or(is(b'('))
                .and(in_range(x1, b'0', b'9'))
                .bits(),
        }
    }

    /// Bitmaps of `s[base..base + 64]` with vectors `V`, or with the scalar code when fewer than
    /// 65 bytes are left (the look-ahead reads one byte past the window).
    #[inline(always)]
    fn classify_with<V: Vector>(s: &[u8], base: usize) -> Masks {
        if base + 65 > s.len() {
            return classify_scalar(s, base);
        }
        let mut m = Masks::default();
        let mut k = 0;
        while k < 64 {
            // SAFETY: `base + 65 <= s.len()`, so bytes `base + k .. base + k + WIDTH + 1` are in
            // bounds for every `k + WIDTH <= 64`; unaligned loads have no alignment requirement.
            let (x, x1) = unsafe {
                let p = s.as_ptr().add(base + k);
                (V::load(p), V::load(p.add(1)))
            };
            let v = lane(x, x1);
            m.word |= v.word << k;
            m.l |= v.l << k;
            m.digit |= v.digit << k;
            m.hex |= v.hex << k;
            m.at |= v.at << k;
            m.colon |= v.colon << k;
            m.dot |= v.dot << k;
            m.sep |= v.sep << k;
            m.dash |= v.dash << k;
            m.follow |= v.follow << k;
            m.kwf |= v.kwf << k;
            m.jwt |= v.jwt << k;
            m.zd |= v.zd << k;
            k += V::WIDTH;
        }
        m
    }

    impl Classifier for Sse2 {
        #[inline(always)]
        fn classify(s: &[u8], base: usize) -> Masks {
            classify_with::<Sse2>(s, base)
        }
    }

    impl Classifier for Avx2 {
        #[inline(always)]
        fn classify(s: &[u8], base: usize) -> Masks {
            classify_with::<Avx2>(s, base)
        }
    }

    /// Test helper: AVX2 classification behind the run-time check (`None` without AVX2).
    #[cfg(test)]
    pub fn classify_avx2_checked(s: &[u8], base: usize) -> Option<Masks> {
        #[target_feature(enable = "avx2")]
        fn inner(s: &[u8], base: usize) -> Masks {
            classify_with::<Avx2>(s, base)
        }
        if std::is_x86_feature_detected!("avx2") {
            // SAFETY: the CPU supports AVX2 (checked just above).
            Some(unsafe { inner(s, base) })
        } else {
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Vec<u8> {
        // Every byte value at every lane position, and neighbours that matter to the look-ahead
        // classes.
        let mut all: Vec<u8> = (0..=255u8).chain(0..=255u8).collect();
        all.extend_from_slice(b"eyey0102+3(4e(0+y:e");
        all.extend(0..=255u8);
        all
    }

    #[test]
    #[cfg(target_arch = "x86_64")]
    fn simd_equals_scalar_on_all_bytes() {
        let all = sample();
        for base in 0..all.len() {
            let want = classify_scalar(&all, base);
            assert_eq!(Sse2::classify(&all, base), want, "sse2, base {base}");
            if let Some(got) = x86::classify_avx2_checked(&all, base) {
                assert_eq!(got, want, "avx2, base {base}");
            }
        }
    }

    #[test]
    fn partial_window_has_zero_bits_past_the_end() {
        let s = b"ab.c(@ey0";
        let m = classify_scalar(s, 0);
        assert_eq!(m.word, 0b1_1100_1011);
        assert_eq!(m.l, 0b1_1100_1111);
        assert_eq!(m.at, 0b10_0000);
        assert_eq!(m.jwt, 0b100_0000);
        assert_eq!(m.zd, 0); // `0` is the last byte: no digit after it
        let m = classify_scalar(s, 2);
        assert_eq!(m.word, 0b111_0010);
    }
}
