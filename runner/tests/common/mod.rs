//! Helpers shared by the integration tests: fixture trees are copied to a temporary folder (with
//! the repository's pin file), so a test never writes into the source tree.

#![allow(dead_code)]

use std::path::Path;

/// Copies `src` into `dst` recursively.
pub fn copy_tree(src: &Path, dst: &Path) {
    std::fs::create_dir_all(dst).unwrap();
    for e in std::fs::read_dir(src).unwrap() {
        let e = e.unwrap();
        let to = dst.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_tree(&e.path(), &to);
        } else {
            std::fs::copy(e.path(), &to).unwrap();
        }
    }
}

/// A temporary copy of `tests/fixtures/<name>` with `toolchains.toml` at its root.
pub fn fixture(name: &str) -> tempfile::TempDir {
    let src = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    let dst = tempfile::tempdir().unwrap();
    copy_tree(&src, dst.path());
    let pins = Path::new(env!("CARGO_MANIFEST_DIR")).join("../toolchains.toml");
    std::fs::copy(pins, dst.path().join("toolchains.toml")).unwrap();
    dst
}

/// Quiet-machine gate limits any machine meets, and short looks: for the tests that do not test
/// the gate (the machine running them may be busy, and a busy machine would otherwise make each
/// project wait a minute and keep it out of `latest/`).
pub const ANY_MACHINE: [&str; 12] = [
    "--gate-cpu",
    "1000",
    "--gate-steal",
    "100",
    "--gate-load",
    "1000",
    "--gate-memory",
    "100",
    "--gate-wait",
    "0",
    "--gate-window",
    "0.05",
];
