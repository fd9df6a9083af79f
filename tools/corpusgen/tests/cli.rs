//! End-to-end tests of the `corpusgen` binary: the archive and the folder hold the same files,
//! the archive is a valid ustar stream in path order, and a seed always gives the same bytes.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn corpusgen(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_corpusgen"))
        .args(args)
        .output()
        .expect("run corpusgen")
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("corpusgen-test-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn gen(seed: &str, size: &str, out: &Path, format: &str) -> String {
    let o = corpusgen(&[
        "--seed",
        seed,
        "--size",
        size,
        "--format",
        format,
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8(o.stdout).unwrap()
}

/// (path, data) of every entry of a ustar archive, checking headers and order on the way.
fn read_tar(bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut at = 0;
    loop {
        let h = &bytes[at..at + 512];
        if h.iter().all(|&b| b == 0) {
            assert!(bytes[at + 512..at + 1024].iter().all(|&b| b == 0));
            assert_eq!(bytes.len(), at + 1024, "two zero blocks end the archive");
            return out;
        }
        let sum: u32 = h
            .iter()
            .enumerate()
            .map(|(i, &b)| {
                if (148..156).contains(&i) {
                    32
                } else {
                    u32::from(b)
                }
            })
            .sum();
        let field = |r: std::ops::Range<usize>| {
            let f = std::str::from_utf8(&h[r]).unwrap();
            u64::from_str_radix(f.trim_matches(|c| c == '\0' || c == ' '), 8).unwrap()
        };
        assert_eq!(field(148..156), u64::from(sum));
        assert_eq!(&h[257..263], b"ustar\0");
        assert_eq!(h[156], b'0');
        let size = field(124..136) as usize;
        let name_end = h[..100].iter().position(|&b| b == 0).unwrap_or(100);
        let name = String::from_utf8(h[..name_end].to_vec()).unwrap();
        at += 512;
        out.push((name, bytes[at..at + size].to_vec()));
        at += size.div_ceil(512) * 512;
    }
}

fn read_dir(root: &Path, rel: &str, out: &mut BTreeMap<String, Vec<u8>>) {
    for e in std::fs::read_dir(root.join(rel)).unwrap() {
        let e = e.unwrap();
        let name = e.file_name().into_string().unwrap();
        let r = if rel.is_empty() {
            name
        } else {
            format!("{rel}/{name}")
        };
        if e.file_type().unwrap().is_dir() {
            read_dir(root, &r, out);
        } else {
            out.insert(r, std::fs::read(e.path()).unwrap());
        }
    }
}

#[test]
fn archive_and_folder_hold_the_same_files_in_path_order() {
    let dir = scratch("formats");
    let s1 = gen("42", "3M", &dir.join("c.tar"), "tar");
    let s2 = gen("42", "3M", &dir.join("c"), "dir");
    assert_eq!(s1, s2);
    let entries = read_tar(&std::fs::read(dir.join("c.tar")).unwrap());
    let mut files = BTreeMap::new();
    read_dir(&dir.join("c"), "", &mut files);
    let paths: Vec<&String> = entries.iter().map(|(p, _)| p).collect();
    assert!(paths.windows(2).all(|w| w[0].as_bytes() < w[1].as_bytes()));
    assert_eq!(entries.into_iter().collect::<BTreeMap<_, _>>(), files);
    let total: usize = files.values().map(Vec::len).sum();
    assert!(total >= 3 << 20);
    assert_eq!(
        s1,
        format!(
            "{{\"bytes\":{total},\"files\":{},\"seed\":42}}\n",
            files.len()
        )
    );
    assert!(files.values().any(|d| d.is_empty()));
    assert!(files.values().any(|d| std::str::from_utf8(d).is_err()));
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn a_seed_gives_the_same_bytes_and_bad_arguments_are_usage_errors() {
    let dir = scratch("seed");
    gen("7", "1M", &dir.join("a.tar"), "tar");
    gen("7", "1M", &dir.join("b.tar"), "tar");
    gen("8", "1M", &dir.join("c.tar"), "tar");
    let a = std::fs::read(dir.join("a.tar")).unwrap();
    assert_eq!(a, std::fs::read(dir.join("b.tar")).unwrap());
    assert_ne!(a, std::fs::read(dir.join("c.tar")).unwrap());
    let o = corpusgen(&["--seed", "1", "--size", "1X", "--out", "x"]);
    assert_eq!(o.status.code(), Some(2));
    let o = corpusgen(&[
        "--seed",
        "1",
        "--size",
        "1K",
        "--format",
        "tar",
        "--out",
        "/nonexistent/dir/x.tar",
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).starts_with("corpusgen: /nonexistent/dir/x.tar: "));
    std::fs::remove_dir_all(dir).unwrap();
}
