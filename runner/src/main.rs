//! `runner`: parse the command line, run it, exit with the code the app chose.

use clap::Parser;

fn main() {
    let argv: Vec<String> = std::env::args().collect();
    // The runner doubles as its own probe when `runner-probe` was not built beside it. Not a
    // clap subcommand: the probe takes any argv (the measured program's) untouched, and starts
    // without parsing anything, so its own footprint stays small.
    if argv.get(1).map(String::as_str) == Some("__probe") {
        std::process::exit(runner::probe::run(argv[2..].to_vec()));
    }
    let cli = runner::cmd::args::Cli::parse();
    std::process::exit(runner::cmd::run(cli, argv));
}
