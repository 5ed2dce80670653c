use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = spotsim::cli::Cli::parse();
    match spotsim::cli::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            // A reader that went away (`| head`) is not an error worth a message.
            if !spotsim::cli::is_broken_pipe(&error) {
                eprintln!("Error: {error:#}");
            }
            ExitCode::from(spotsim::cli::exit_code(&error))
        }
    }
}
