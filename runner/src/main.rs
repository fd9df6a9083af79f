//! `runner`: parse the command line, run it, exit with the code the app chose.

use clap::Parser;

fn main() {
    let argv: Vec<String> = std::env::args().collect();
    let cli = runner::cli::Cli::parse();
    std::process::exit(runner::app::run(cli, argv));
}
