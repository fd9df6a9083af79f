//! Runs the built program on every ../testdata/*.bin and compares stdout, stderr and the exit
//! code with the expected files; plus the I/O faults.

use std::path::Path;
use std::process::{Command, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_bytecode-vm");

fn project_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap()
}

#[test]
fn testdata_cases() {
    let dir = project_dir().join("testdata");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| {
            let name = e.unwrap().file_name().into_string().unwrap();
            name.strip_suffix(".bin").map(str::to_string)
        })
        .collect();
    names.sort();
    assert!(names.len() >= 10, "found only {} cases", names.len());
    let mut failures = Vec::new();
    for name in &names {
        let out = Command::new(BIN)
            .arg(format!("testdata/{name}.bin"))
            .current_dir(project_dir())
            .output()
            .unwrap();
        let read = |ext: &str| std::fs::read_to_string(dir.join(format!("{name}{ext}"))).unwrap();
        let code: i32 = read(".code").trim().parse().unwrap();
        if out.stdout != read(".out").as_bytes() {
            failures.push(format!(
                "{name}: stdout {:?}",
                String::from_utf8_lossy(&out.stdout)
            ));
        }
        if out.stderr != read(".err").as_bytes() {
            failures.push(format!(
                "{name}: stderr {:?}",
                String::from_utf8_lossy(&out.stderr)
            ));
        }
        if out.status.code() != Some(code) {
            failures.push(format!("{name}: exit {:?}, want {code}", out.status.code()));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn missing_file_and_usage() {
    let out = Command::new(BIN)
        .arg("/nonexistent/prog.bin")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.starts_with("bytecode-vm: /nonexistent/prog.bin: "),
        "{err}"
    );
    let out = Command::new(BIN).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(out.stderr, b"usage: bytecode-vm <program.bin>\n");
}

#[test]
fn stdout_write_failure() {
    let Ok(full) = std::fs::OpenOptions::new().write(true).open("/dev/full") else {
        return; // no /dev/full on this system
    };
    let out = Command::new(BIN)
        .arg("testdata/loops.bin")
        .current_dir(project_dir())
        .stdout(Stdio::from(full))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.starts_with("bytecode-vm: stdout: "), "{err}");
}
