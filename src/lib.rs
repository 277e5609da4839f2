//! LSTM Studio: design, train and inspect LSTM networks on sequence data — MATLAB's lstmLayer
//! workflow as a desktop app, with libtorch doing the math.
//!
//! Layers, and the direction of their dependencies (see ARCHITECTURE.md):
//! `app`/`ui` → `worker` → `engine` → `spec`, `data`. Only `engine` (and the worker's thread)
//! touches libtorch; only `app`/`ui` touch egui.

pub mod app;
pub mod cli;
pub mod data;
pub mod engine;
pub mod project_data;
pub mod pytorch_export;
pub mod spec;
pub mod ui;
pub mod worker;
