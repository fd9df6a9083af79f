use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args = match hls_segmenter::parse_args(&args) {
        Ok(a) => a,
        Err(msg) => {
            eprintln!("hls-segmenter: {msg}");
            return ExitCode::from(2);
        }
    };
    match hls_segmenter::run(&args.input, &args.out_dir, args.target) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("hls-segmenter: {e}");
            ExitCode::from(1)
        }
    }
}
