use spotsim::cli::color::{Paint, Stream, paint};
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = spotsim::cli::parse();
    match spotsim::cli::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            // A reader that went away (`| head`) is not an error worth a message.
            if !spotsim::cli::is_broken_pipe(&error) {
                eprintln!("{} {error:#}", paint(Stream::Stderr, Paint::Bad, "Error:"));
            }
            ExitCode::from(spotsim::cli::exit_code(&error))
        }
    }
}
