//! `video-frame-extractor [--width W] (--at T[,T...] | --every N) [--raw] <input> <outdir>`

fn main() {
    let args: Vec<String> = match std::env::args_os()
        .skip(1)
        .map(|a| a.into_string())
        .collect()
    {
        Ok(args) => args,
        Err(a) => {
            eprintln!("video-frame-extractor: argument {a:?} is not valid UTF-8");
            std::process::exit(2);
        }
    };
    let code = video_frame_extractor::run(
        &args,
        &mut std::io::stdout().lock(),
        &mut std::io::stderr().lock(),
    );
    std::process::exit(code);
}
