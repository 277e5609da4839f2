//! The `lstm-studio` binary: the studio window, or a headless command.

use clap::Parser;

fn main() {
    let cli = lstm_studio::cli::Cli::parse();
    let code = match cli.command {
        Some(cmd) => match lstm_studio::cli::run(cmd) {
            Ok(code) => code,
            Err(e) => {
                eprintln!("error: {e:#}");
                1
            }
        },
        None => match lstm_studio::app::run_studio(lstm_studio::app::StudioOptions {
            project: cli.project,
            screenshot: cli.screenshot,
            area: cli.area,
            train_epochs: cli.train_epochs,
            shoot_after_iterations: cli.shoot_after_iterations,
        }) {
            Ok(()) => 0,
            Err(e) => {
                eprintln!("error: {e:#}");
                1
            }
        },
    };
    std::process::exit(code);
}
