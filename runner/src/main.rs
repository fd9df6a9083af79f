//! `runner`: parse the command line, run it, exit with the code the app chose.

use clap::Parser;

fn main() {
    let argv: Vec<String> = std::env::args().collect();
    // The runner doubles as its own probe when `runner-probe` was not built beside it.
    if argv.get(1).map(String::as_str) == Some("__probe") {
        std::process::exit(runner::probe::run(argv[2..].to_vec()));
    }
    // The built-in HTTP backend fixture of service benchmarks.
    if argv.get(1).map(String::as_str) == Some("__backend") {
        std::process::exit(runner::cmd::fixture::backend(&argv[2..]));
    }
    let cli = runner::cmd::args::Cli::parse();
    std::process::exit(runner::cmd::run(cli, argv));
}
