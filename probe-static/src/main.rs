//! `runner-probe-static`: the same probe as `runner-probe` (one source, `runner/src/probe.rs`,
//! and its result format, `runner/src/exec/probe_result.rs`), built as its own tiny crate so that
//! it can be linked statically in seconds and run inside any container image, even one `FROM
//! scratch`. The Docker backend builds it on demand:
//! `RUSTFLAGS="-C target-feature=+crt-static" cargo build --release -p probe-static --target x86_64-unknown-linux-gnu`.

/// `crate::exec::probe_result`, at the path where `probe.rs` names it inside the runner.
#[path = "../../runner/src/exec"]
mod exec {
    // The probe writes results; reading them back is the runner's part.
    #[allow(dead_code)]
    pub mod probe_result;
}

#[path = "../../runner/src/probe.rs"]
mod probe;

fn main() {
    std::process::exit(probe::run(std::env::args().skip(1).collect()));
}
