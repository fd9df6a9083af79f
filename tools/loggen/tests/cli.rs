//! End-to-end tests of the `loggen` binary: files, stdout summary, exit codes and error messages.

use std::path::PathBuf;
use std::process::{Command, Output};

fn loggen(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_loggen"))
        .args(args)
        .output()
        .expect("run loggen")
}

/// A fresh scratch directory for one test.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("loggen-test-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn run_ok(seed: &str, size: &str, out: &PathBuf) -> (Vec<u8>, String) {
    let o = loggen(&[
        "--seed",
        seed,
        "--size",
        size,
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(o.stderr.is_empty());
    (
        std::fs::read(out).unwrap(),
        String::from_utf8(o.stdout).unwrap(),
    )
}

#[test]
fn same_seed_same_bytes_and_summary() {
    let dir = scratch("determinism");
    let (a, sa) = run_ok("42", "2M", &dir.join("a.log"));
    let (b, sb) = run_ok("42", "2M", &dir.join("b.log"));
    let (c, _) = run_ok("43", "2M", &dir.join("c.log"));
    assert_eq!(a, b);
    assert_eq!(sa, sb);
    assert_ne!(a, c);
    let lines = a.iter().filter(|&&b| b == b'\n').count();
    assert_eq!(
        sa,
        format!("{{\"bytes\":{},\"lines\":{lines},\"seed\":42}}\n", a.len())
    );
    assert!(a.len() >= 2 << 20);
    assert_eq!(a.last(), Some(&b'\n'));
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn size_suffixes_and_plain_bytes() {
    let dir = scratch("sizes");
    let (k, _) = run_ok("7", "3K", &dir.join("k.log"));
    let (n, _) = run_ok("7", "3072", &dir.join("n.log"));
    assert_eq!(k, n);
    assert!(k.len() >= 3072);
    let (z, s) = run_ok("7", "0", &dir.join("z.log"));
    assert!(z.is_empty());
    assert_eq!(s, "{\"bytes\":0,\"lines\":0,\"seed\":7}\n");
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn usage_errors_exit_2_and_name_the_flag() {
    for (args, needle) in [
        (&["--size", "1K", "--out", "x"][..], "--seed"),
        (
            &["--seed", "abc", "--size", "1K", "--out", "x"][..],
            "--seed",
        ),
        (
            &["--seed", "1", "--size", "12Q", "--out", "x"][..],
            "--size",
        ),
        (&["--seed", "1", "--size", "1K"][..], "--out"),
        (&["--seed", "1", "--size", "1K", "--out"][..], "--out"),
        (
            &["--seed", "1", "--size", "1K", "--out", "x", "--color"][..],
            "--color",
        ),
    ] {
        let o = loggen(args);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        assert!(o.stdout.is_empty());
        let err = String::from_utf8(o.stderr).unwrap();
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(err.contains(needle), "{args:?}: {err}");
    }
}

#[test]
fn unwritable_path_exits_1_and_names_the_path() {
    let dir = scratch("unwritable");
    let path = dir.join("no-such-dir").join("out.log");
    let p = path.to_str().unwrap();
    let o = loggen(&["--seed", "1", "--size", "1K", "--out", p]);
    assert_eq!(o.status.code(), Some(1));
    assert!(o.stdout.is_empty());
    let err = String::from_utf8(o.stderr).unwrap();
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains(p), "{err}");
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn help_goes_to_stdout() {
    let o = loggen(&["--help"]);
    assert!(o.status.success());
    assert!(String::from_utf8(o.stdout)
        .unwrap()
        .starts_with("usage: loggen"));
}
