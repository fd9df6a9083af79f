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

/// A temporary copy of `tests/fixtures/<name>` with `toolchains.toml` at its root: the
/// repository's pins without its `[requires]` tables, so that no test installs a system package
/// (a bench run as root installs what `[requires]` declares).
pub fn fixture(name: &str) -> tempfile::TempDir {
    let src = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    let dst = tempfile::tempdir().unwrap();
    copy_tree(&src, dst.path());
    let pins = Path::new(env!("CARGO_MANIFEST_DIR")).join("../toolchains.toml");
    let text = std::fs::read_to_string(pins).unwrap();
    std::fs::write(dst.path().join("toolchains.toml"), without_requires(&text)).unwrap();
    dst
}

/// `toml` without its `[requires]` and `[requires.*]` tables.
pub fn without_requires(toml: &str) -> String {
    let mut out = String::new();
    let mut skip = false;
    for line in toml.lines() {
        let t = line.trim_start();
        if t.starts_with('[') {
            skip = t.starts_with("[requires]") || t.starts_with("[requires.");
        }
        if !skip {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}
