//! Behaviour of the chunker against hand-computed boundaries (README.md, "Algorithm").

use audio_chunker::*;

/// `frames` frames of the constant sample `value`, as input bytes.
fn frames(value: i16, frames: usize) -> Vec<u8> {
    value.to_le_bytes().repeat(frames * FRAME)
}

fn signal(parts: &[(i16, usize)]) -> Vec<u8> {
    parts.iter().flat_map(|&(v, n)| frames(v, n)).collect()
}

/// (seq, start, length, reason, voiced) of every record; also checks every payload.
fn boundaries(input: &[u8]) -> Vec<(u32, u64, u32, u8, u16)> {
    let (out, _) = chunk_all(input, 65536);
    let records = parse_records(&out).expect("well-formed records");
    records
        .iter()
        .map(|r| {
            let from = 2 * r.start as usize;
            assert_eq!(
                r.payload,
                input[from..from + 2 * r.length as usize],
                "payload of {}",
                r.seq
            );
            (r.seq, r.start, r.length, r.reason, r.voiced)
        })
        .collect()
}

#[test]
fn energy_is_the_exact_sum_of_squares() {
    assert_eq!(frame_energy(&frames(0, 1)), 0);
    assert_eq!(frame_energy(&frames(1000, 1)), ON);
    assert_eq!(frame_energy(&frames(-500, 1)), OFF);
    assert_eq!(frame_energy(&frames(i16::MIN, 1)), 320 * 32768 * 32768);
    let mut mixed = frames(3, 1);
    mixed[0..2].copy_from_slice(&(-4i16).to_le_bytes());
    assert_eq!(frame_energy(&mixed), 319 * 9 + 16);
}

#[test]
fn worked_example_silence_close_with_preroll() {
    let input = signal(&[(0, 10), (2000, 20), (0, 20)]);
    assert_eq!(
        boundaries(&input),
        vec![(0, 1600, 12_800, Reason::Silence as u8, 20)]
    );
}

#[test]
fn threshold_is_inclusive_on_and_exclusive_off() {
    // RMS exactly 1000 opens; RMS 999 does not.
    assert_eq!(boundaries(&signal(&[(999, 40)])), vec![]);
    let b = boundaries(&signal(&[(1000, 10), (0, 15)]));
    assert_eq!(b, vec![(0, 0, 25 * 320, 0, 10)]);
    // After speech, RMS exactly 500 keeps speaking (not < OFF), 499 is silence.
    let b = boundaries(&signal(&[(1000, 10), (500, 30), (0, 15)]));
    assert_eq!(b, vec![(0, 0, 55 * 320, 0, 40)]);
    let b = boundaries(&signal(&[(1000, 10), (499, 30)]));
    assert_eq!(b, vec![(0, 0, 25 * 320, 0, 10)]);
}

#[test]
fn hysteresis_band_continues_the_previous_state() {
    // 700 is between OFF and ON: it never opens a chunk, but it sustains one.
    assert_eq!(boundaries(&signal(&[(700, 50)])), vec![]);
    let b = boundaries(&signal(&[(0, 3), (2000, 6), (700, 20), (0, 16)]));
    // Opens at frame 3 with start clamped at 0; 26 voiced frames; frame 43 completes the hangover.
    assert_eq!(b, vec![(0, 0, 44 * 320, 0, 26)]);
}

#[test]
fn short_silences_do_not_split_and_preroll_stops_at_the_previous_chunk() {
    // A 14-frame gap keeps one chunk; a 15-frame gap closes it.
    let b = boundaries(&signal(&[(2000, 10), (0, 14), (2000, 10), (0, 15)]));
    assert_eq!(b, vec![(0, 0, 49 * 320, 0, 20)]);
    let b = boundaries(&signal(&[(2000, 10), (0, 15), (0, 2), (2000, 10), (0, 15)]));
    // First chunk ends at frame 25; the second opens at frame 27 and its pre-roll is clamped to 25.
    assert_eq!(
        b,
        vec![(0, 0, 25 * 320, 0, 10), (1, 25 * 320, 27 * 320, 0, 10)]
    );
}

#[test]
fn clicks_are_dropped_without_using_a_sequence_number() {
    let b = boundaries(&signal(&[(0, 20), (5000, 4), (0, 40), (3000, 5), (0, 20)]));
    // The 4-frame click (frames 20–23) is dropped; the 5-frame burst (frames 64–68) is kept as
    // seq 0, from its pre-roll (frame 59) to the end of its hangover (frame 83).
    assert_eq!(b, vec![(0, 59 * 320, 25 * 320, 0, 5)]);
}

#[test]
fn max_length_cut_with_overlap_and_eos_flush() {
    let b = boundaries(&signal(&[(2000, 400)]));
    assert_eq!(
        b,
        vec![
            (0, 0, 80_000, Reason::Max as u8, 250),
            (1, 72_000, 56_000, Reason::Eos as u8, 150)
        ]
    );
    // Two cuts, then silence.
    let b = boundaries(&signal(&[(2000, 600), (0, 15)]));
    assert_eq!(
        b,
        vec![
            (0, 0, 80_000, 1, 250),
            (1, 72_000, 80_000, 1, 225),
            (2, 144_000, 8_000 + 125 * 320 + 15 * 320, 0, 125),
        ]
    );
}

#[test]
fn continuation_with_too_little_speech_is_dropped() {
    // A cut at the very last frame: the continuation holds only the overlap.
    assert_eq!(
        boundaries(&signal(&[(2000, 250)])),
        vec![(0, 0, 80_000, 1, 250)]
    );
    // Speech stops 2 frames after the cut: the continuation has 2 voiced frames.
    let b = boundaries(&signal(&[(2000, 252), (0, 30)]));
    assert_eq!(b, vec![(0, 0, 80_000, 1, 250)]);
}

#[test]
fn eos_flush_includes_the_partial_frame() {
    let mut input = signal(&[(2000, 10)]);
    input.extend(100i16.to_le_bytes().repeat(123));
    assert_eq!(boundaries(&input), vec![(0, 0, 10 * 320 + 123, 2, 10)]);
    // Idle at the end: the partial frame is ignored.
    let mut input = signal(&[(2000, 10), (0, 20)]);
    input.extend(9000i16.to_le_bytes().repeat(300));
    assert_eq!(boundaries(&input), vec![(0, 0, 25 * 320, 0, 10)]);
}

#[test]
fn odd_trailing_byte_is_ignored_and_reported() {
    let mut input = signal(&[(2000, 10)]);
    input.push(0x7f);
    let (out, finish) = chunk_all(&input, 4096);
    assert!(finish.odd_byte);
    let records = parse_records(&out).unwrap();
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].length, 3200);
    let (_, finish) = chunk_all(&input[..input.len() - 1], 4096);
    assert!(!finish.odd_byte);
}

#[test]
fn empty_input_gives_no_records() {
    let (out, finish) = chunk_all(&[], 1);
    assert!(out.is_empty());
    assert!(!finish.odd_byte);
    let (out, finish) = chunk_all(&[1], 1);
    assert!(out.is_empty());
    assert!(finish.odd_byte);
}

/// A deterministic pseudo-random byte stream (xorshift64*).
fn noise(len: usize, mut state: u64) -> Vec<u8> {
    (0..len)
        .map(|_| {
            state ^= state >> 12;
            state ^= state << 25;
            state ^= state >> 27;
            (state.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 56) as u8
        })
        .collect()
}

#[test]
fn pieces_of_any_size_give_the_same_records() {
    let mut input = signal(&[
        (0, 7),
        (3000, 30),
        (600, 10),
        (0, 20),
        (2500, 300),
        (100, 3),
    ]);
    input.extend(noise(3 * FRAME_BYTES + 77, 7));
    let (whole, _) = chunk_all(&input, input.len());
    assert!(!whole.is_empty());
    for piece in [1, 2, 3, 639, 640, 641, 1000, 4096] {
        assert_eq!(chunk_all(&input, piece).0, whole, "piece {piece}");
    }
}

#[test]
fn random_bytes_and_extreme_samples_do_not_break_anything() {
    let input = noise(1 << 20, 42);
    let (out, _) = chunk_all(&input, 4093);
    let records = parse_records(&out).expect("well-formed");
    assert!(!records.is_empty());
    for (i, r) in records.iter().enumerate() {
        assert_eq!(r.seq as usize, i);
        assert!(r.length as usize <= MAX);
    }
    let b = boundaries(&signal(&[(i16::MIN, 20), (i16::MAX, 20), (0, 15)]));
    assert_eq!(b, vec![(0, 0, 55 * 320, 0, 40)]);
}

#[test]
fn writer_errors_are_returned() {
    struct Broken;
    impl std::io::Write for Broken {
        fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
            Err(std::io::Error::from(std::io::ErrorKind::BrokenPipe))
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut chunker = Chunker::new();
    let err = chunker
        .feed(&signal(&[(2000, 10), (0, 15)]), &mut Broken)
        .unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::BrokenPipe);
}
