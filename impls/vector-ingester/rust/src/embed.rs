//! The embedding interface and the spec's deterministic embedder `fnv1a-hash-384/1`.

/// Turns one chunk of text into a fixed-size vector. The ingester knows nothing else about the
/// model, so a real one (ONNX, a remote service…) can implement this trait instead.
pub trait Embedder {
    /// Stored in the database's `meta` table.
    fn name(&self) -> &str;
    /// Length of every vector.
    fn dims(&self) -> usize;
    /// Fills `out` (of length `dims()`) with the vector of `text`.
    fn embed(&mut self, text: &str, out: &mut [f32]);
}

pub const DIMS: usize = 384;
const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0100_0000_01b3;

/// FNV-1a 64 of `data`, continuing from `h`.
#[inline]
pub fn fnv1a(mut h: u64, data: &[u8]) -> u64 {
    for &b in data {
        h = (h ^ u64::from(b)).wrapping_mul(FNV_PRIME);
    }
    h
}

/// Hash state after the tag byte of a word unigram (`w`) and of a 3-gram (`c`).
const H_WORD: u64 = (FNV_OFFSET ^ b'w' as u64).wrapping_mul(FNV_PRIME);
const H_GRAM: u64 = (FNV_OFFSET ^ b'c' as u64).wrapping_mul(FNV_PRIME);

/// ASCII `0-9 A-Z a-z` and every byte ≥ 0x80.
#[inline]
fn is_word(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b >= 0x80
}

/// Signed feature hashing of word unigrams and character 3-grams into 384 dimensions,
/// L2-normalised (see the spec for every detail).
#[derive(Default)]
pub struct HashEmbedder;

impl HashEmbedder {
    pub fn new() -> Self {
        HashEmbedder
    }
}

/// The integer counts of `text` before normalisation. Every feature is hashed in one pass over
/// the bytes, each byte read and lower-cased once: the word's unigram hash and the hashes of the
/// three 3-grams that can still contain the byte (started at the last three code points) run side
/// by side; a 3-gram is complete when the code point after it (or the word's end) is reached.
pub fn counts(text: &[u8], counts: &mut [i32; DIMS]) {
    counts.fill(0);
    let n = text.len();
    let mut i = 0;
    while i < n {
        if !is_word(text[i]) {
            i += 1;
            continue;
        }
        let mut hw = H_WORD;
        // 3-grams started at the code point before last (g0), the last (g1) and this one (g2)
        let (mut g0, mut g1, mut g2) = (H_GRAM, H_GRAM, H_GRAM);
        let mut ncp = 0;
        while i < n && is_word(text[i]) {
            let b = text[i];
            if b & 0xC0 != 0x80 {
                if ncp >= 3 {
                    add(counts, g0);
                }
                (g0, g1, g2) = (g1, g2, H_GRAM);
                ncp += 1;
            }
            let l = u64::from(b.to_ascii_lowercase());
            hw = (hw ^ l).wrapping_mul(FNV_PRIME);
            g0 = (g0 ^ l).wrapping_mul(FNV_PRIME);
            g1 = (g1 ^ l).wrapping_mul(FNV_PRIME);
            g2 = (g2 ^ l).wrapping_mul(FNV_PRIME);
            i += 1;
        }
        if ncp >= 3 {
            add(counts, g0);
        }
        add(counts, hw);
    }
}

#[inline]
fn add(counts: &mut [i32; DIMS], h: u64) {
    let bucket = ((h >> 32) % DIMS as u64) as usize;
    if (h >> 31) & 1 == 1 {
        counts[bucket] -= 1;
    } else {
        counts[bucket] += 1;
    }
}

/// `out[i] = f32(f64(count[i]) / sqrt(f64(Σ count²)))`, or zeros.
pub fn normalise(counts: &[i32; DIMS], out: &mut [f32]) {
    let sumsq: i64 = counts.iter().map(|&c| i64::from(c) * i64::from(c)).sum();
    if sumsq == 0 {
        out.fill(0.0);
        return;
    }
    let norm = (sumsq as f64).sqrt();
    for (o, &c) in out.iter_mut().zip(counts) {
        *o = (f64::from(c) / norm) as f32;
    }
}

impl Embedder for HashEmbedder {
    fn name(&self) -> &str {
        "fnv1a-hash-384/1"
    }

    fn dims(&self) -> usize {
        DIMS
    }

    fn embed(&mut self, text: &str, out: &mut [f32]) {
        let mut c = [0i32; DIMS];
        counts(text.as_bytes(), &mut c);
        normalise(&c, out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv1a_reference_values() {
        assert_eq!(fnv1a(FNV_OFFSET, b""), 0xcbf29ce484222325);
        assert_eq!(fnv1a(FNV_OFFSET, b"a"), 0xaf63dc4c8601ec8c);
        assert_eq!(fnv1a(FNV_OFFSET, b"foobar"), 0x85944171f73967e8);
        assert_eq!(fnv1a(H_WORD, b"abc"), fnv1a(FNV_OFFSET, b"wabc"));
    }

    #[test]
    fn a_repeated_word_is_one_unit_component() {
        let mut e = HashEmbedder::new();
        let mut v = vec![0f32; DIMS];
        e.embed("a A a", &mut v);
        let h = fnv1a(FNV_OFFSET, b"wa");
        let bucket = ((h >> 32) % 384) as usize;
        let sign = if (h >> 31) & 1 == 1 { -1.0 } else { 1.0 };
        for (i, &x) in v.iter().enumerate() {
            assert_eq!(x, if i == bucket { sign } else { 0.0 });
        }
        e.embed("... !!!", &mut v);
        assert!(v.iter().all(|&x| x == 0.0));
    }

    #[test]
    fn three_grams_are_code_points() {
        let mut c = [0i32; DIMS];
        counts("กขคง".as_bytes(), &mut c);
        // one word + two 3-grams
        assert!(c.iter().map(|x| x.unsigned_abs()).sum::<u32>() <= 3);
        let mut want = [0i32; DIMS];
        add(&mut want, fnv1a(H_WORD, "กขคง".as_bytes()));
        add(&mut want, fnv1a(H_GRAM, "กขค".as_bytes()));
        add(&mut want, fnv1a(H_GRAM, "ขคง".as_bytes()));
        assert_eq!(c, want);
    }
}
