//! Static builds for containers: an image assembled `FROM scratch` holds only the program, so
//! under `--backend docker` every build links statically. What each toolchain needs:
//!
//! - Go: `CGO_ENABLED=0` (pure-Go net/os/user; a manifest that sets `CGO_ENABLED=1` keeps cgo,
//!   and then needs a Dockerfile image with its C libraries).
//! - Rust: `-C target-feature=+crt-static` (glibc linked statically). It must not reach
//!   proc-macro crates, which are shared libraries, so the build is given an explicit target
//!   (`CARGO_BUILD_TARGET`), which scopes `RUSTFLAGS` to the target's crates; cargo then writes to
//!   `target/<triple>/release/` instead of `target/release/`, which also keeps the native and the
//!   static build from invalidating each other.
//! - Zig: nothing; `zig build` for the native Linux target links no libc unless the program asks
//!   for one (then `-Dtarget=x86_64-linux-musl` in the build command).
//!
//! The Docker backend checks the result (an ELF without a program interpreter) and says what to
//! change when it is not static.

use crate::manifest::Lang;
use std::path::{Path, PathBuf};

/// The target triple of static Rust builds.
pub const RUST_TARGET: &str = "x86_64-unknown-linux-gnu";

/// Adds to a build environment `env` (which already holds the CPU level's `RUSTFLAGS`) what makes
/// `lang`'s build static.
pub fn add_env(lang: Lang, env: &mut Vec<(String, String)>) {
    match lang {
        Lang::Go => env.push(("CGO_ENABLED".into(), "0".into())),
        Lang::Rust => {
            let base = env
                .iter()
                .rev()
                .find(|(k, _)| k == "RUSTFLAGS")
                .map(|(_, v)| v.clone())
                .unwrap_or_default();
            let flags = format!("{base} -C target-feature=+crt-static")
                .trim()
                .to_string();
            env.push(("RUSTFLAGS".into(), flags));
            env.push(("CARGO_BUILD_TARGET".into(), RUST_TARGET.into()));
        }
        Lang::Zig => {}
    }
}

/// Where a static build of `lang` leaves the artifact that a native build leaves at `artifact`
/// (absolute) in the implementation folder `dir`.
pub fn artifact(lang: Lang, dir: &Path, artifact: &Path) -> PathBuf {
    if lang != Lang::Rust {
        return artifact.to_path_buf();
    }
    let Ok(rel) = artifact.strip_prefix(dir) else {
        return artifact.to_path_buf();
    };
    let mut parts = rel.components();
    match (parts.next(), parts.next()) {
        (Some(t), Some(profile)) if t.as_os_str() == "target" => dir
            .join("target")
            .join(RUST_TARGET)
            .join(profile)
            .join(parts.as_path()),
        _ => artifact.to_path_buf(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rust_gets_crt_static_after_the_cpu_flags_and_an_explicit_target() {
        let mut env = vec![(
            "RUSTFLAGS".to_string(),
            "-C target-cpu=x86-64-v3".to_string(),
        )];
        add_env(Lang::Rust, &mut env);
        assert_eq!(
            env.last().unwrap(),
            &("CARGO_BUILD_TARGET".to_string(), RUST_TARGET.to_string())
        );
        assert!(env.contains(&(
            "RUSTFLAGS".to_string(),
            "-C target-cpu=x86-64-v3 -C target-feature=+crt-static".to_string()
        )));
        let mut go = Vec::new();
        add_env(Lang::Go, &mut go);
        assert_eq!(go, vec![("CGO_ENABLED".to_string(), "0".to_string())]);
    }

    #[test]
    fn static_rust_artifacts_live_under_the_target_triple() {
        let dir = Path::new("/r/impls/x/rust");
        assert_eq!(
            artifact(Lang::Rust, dir, &dir.join("target/release/x")),
            dir.join("target/x86_64-unknown-linux-gnu/release/x")
        );
        assert_eq!(
            artifact(Lang::Rust, dir, &dir.join("bin/x")),
            dir.join("bin/x")
        );
        assert_eq!(
            artifact(Lang::Go, dir, &dir.join("target/release/x")),
            dir.join("target/release/x")
        );
    }
}
