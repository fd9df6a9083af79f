//! `runner-probe`: the small process that spawns and measures each run (see `runner::probe`).
//! A separate binary so that its own footprint, the floor of every peak-RSS figure, stays small.

fn main() {
    std::process::exit(runner::probe::run(std::env::args().skip(1).collect()));
}
