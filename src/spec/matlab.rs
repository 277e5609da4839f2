//! MATLAB code import and export (being written).
use super::{LayerSpec, Project, TrainingOptions};

/// What an import produced.
pub struct Imported {
    pub layers: Vec<LayerSpec>,
    pub training: Option<TrainingOptions>,
    pub notes: Vec<String>,
}

/// A positioned error.
#[derive(Debug, thiserror::Error)]
#[error("line {line}, column {column}: {message}")]
pub struct MatlabError {
    pub line: usize,
    pub column: usize,
    pub message: String,
}

/// Reads MATLAB code.
pub fn import_matlab(_source: &str) -> Result<Imported, MatlabError> {
    Err(MatlabError { line: 1, column: 1, message: "not available yet".into() })
}

/// Writes MATLAB code.
pub fn export_matlab(_project: &Project) -> String {
    String::new()
}
