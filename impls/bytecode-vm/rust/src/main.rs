//! bytecode-vm: loads, validates and runs a bytecode program (spec: ../README.md).

fn main() {
    let args: Vec<std::ffi::OsString> = std::env::args_os().skip(1).collect();
    let code = bytecode_vm::run_main(&args, &mut std::io::stdout().lock(), &mut std::io::stderr());
    std::process::exit(code);
}
