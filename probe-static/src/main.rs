//! `runner-probe-static`: the same probe as `runner-probe` (one source, `runner/src/probe.rs`),
//! built as its own tiny crate so that it can be linked statically in seconds and run inside any
//! container image, even one `FROM scratch`. The Docker backend builds it on demand:
//! `RUSTFLAGS="-C target-feature=+crt-static" cargo build --release -p probe-static --target x86_64-unknown-linux-gnu`.

#[path = "../../runner/src/probe.rs"]
mod probe;

fn main() {
    std::process::exit(probe::run(std::env::args().skip(1).collect()));
}
