//! Runs the program on every ../testdata/*.csv and compares with the expected files; fault tests.

use csv_aggregator::cli::run;
use std::ffi::OsString;
use std::fs;
use std::path::{Path, PathBuf};

fn tempdir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("csv-aggregator-rust-{}-{name}", std::process::id()));
    let _ = fs::remove_dir_all(&d);
    fs::create_dir_all(&d).unwrap();
    d
}

fn call(args: &[&Path]) -> (i32, String, String) {
    let args: Vec<OsString> = args.iter().map(|p| p.as_os_str().to_owned()).collect();
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let code = run(&args, &mut out, &mut err);
    (
        code,
        String::from_utf8(out).unwrap(),
        String::from_utf8(err).unwrap(),
    )
}

#[test]
fn testdata_cases() {
    let dir = tempdir("cases");
    let mut n = 0;
    let mut entries: Vec<PathBuf> = fs::read_dir("../testdata")
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for input in entries {
        let name = input.file_name().unwrap().to_str().unwrap().to_owned();
        if !name.ends_with(".csv") || name.ends_with(".expected.csv") {
            continue;
        }
        n += 1;
        let stem = input.with_extension("");
        let out = dir.join(format!("{name}.out"));
        let (code, stdout, stderr) = call(&[&input, &out]);
        let error_file = stem.with_extension("error");
        if error_file.exists() {
            let want = fs::read_to_string(&error_file)
                .unwrap()
                .replace("INPUT", input.to_str().unwrap());
            assert_eq!(
                (code, stderr.as_str(), stdout.as_str()),
                (1, want.as_str(), ""),
                "{name}"
            );
            assert!(!out.exists(), "{name}: output left behind");
        } else {
            assert_eq!(code, 0, "{name}: {stderr}");
            let want = fs::read(stem.with_extension("expected.csv")).unwrap();
            assert_eq!(
                String::from_utf8_lossy(&fs::read(&out).unwrap()),
                String::from_utf8_lossy(&want),
                "{name}"
            );
            assert_eq!(
                stdout,
                fs::read_to_string(stem.with_extension("summary")).unwrap(),
                "{name}"
            );
        }
    }
    assert!(n >= 20, "only {n} cases");
}

#[test]
fn faults() {
    let dir = tempdir("faults");
    let missing = dir.join("missing.csv");
    let (code, _, err) = call(&[&missing, &dir.join("o.csv")]);
    assert_eq!(
        (code, err),
        (
            1,
            format!(
                "csv-aggregator: {}: no such file or directory\n",
                missing.display()
            )
        )
    );

    let basic = Path::new("../testdata/basic.csv");
    let bad = dir.join("no-such-dir").join("o.csv");
    let (code, _, err) = call(&[basic, &bad]);
    assert_eq!(code, 1);
    assert!(
        err.starts_with(&format!("csv-aggregator: {}: ", bad.display())),
        "{err}"
    );

    assert_eq!(call(&[basic]).0, 2);

    let old = dir.join("old.csv");
    fs::write(&old, "old").unwrap();
    let (code, out, _) = call(&[Path::new("../testdata/bad-qty.csv"), &old]);
    assert_eq!((code, out.as_str()), (1, ""));
    assert!(!old.exists(), "output left behind after an error");
}
