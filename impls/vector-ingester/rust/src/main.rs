//! `vector-ingester <corpus> <database>`: see impls/vector-ingester/README.md.

use std::path::Path;
use std::process::ExitCode;
use vector_ingester::embed::HashEmbedder;
use vector_ingester::{ingest::ingest, Config};

const USAGE: &str = "usage: vector-ingester <corpus-dir-or-tar> <database>";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.len() != 2 {
        eprintln!("{USAGE}");
        return ExitCode::from(2);
    }
    let mut embedder = HashEmbedder::new();
    match ingest(
        Path::new(&args[0]),
        Path::new(&args[1]),
        &Config::default(),
        &mut embedder,
    ) {
        Ok(summary) => {
            println!("{}", summary.json());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("vector-ingester: {e}");
            ExitCode::from(1)
        }
    }
}
