use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = spotsim::cli::Cli::parse();
    match spotsim::cli::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("Error: {error:#}");
            ExitCode::from(spotsim::cli::exit_code(&error))
        }
    }
}
