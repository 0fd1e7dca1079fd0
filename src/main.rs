//! The `trailscope` binary: see `trailscope --help`.

fn main() -> std::process::ExitCode {
    trailscope::cli::main()
}
