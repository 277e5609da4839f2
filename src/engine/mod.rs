//! The engine: the only module that uses tch (libtorch). Networks built from specs, the LSTM,
//! BiLSTM and GRU kernels, initializers, solvers, the training loop, inference and weight
//! files. Tensors never leave it: what goes out is plain data.

pub mod batch;
pub mod eval;
pub mod init;
pub mod network;
pub mod recurrent;
pub mod run_dir;
pub mod solver;
pub mod train;

use std::path::PathBuf;

use tch::Device;

use crate::spec::ExecutionEnvironment;

pub use eval::{ConfusionMatrix, Evaluation, Predictions, evaluate, predict};
pub use network::{LayerRecording, LayerState, Network};
pub use train::{
    Control, IterationRecord, Silent, StopReason, TrainingEvent, TrainingObserver, TrainingOutcome,
    TrainingRequest, TrainingSummary, train,
};

/// What can go wrong in the engine.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error("the network is not valid:\n  {}", .0.join("\n  "))]
    InvalidNetwork(Vec<String>),
    #[error("invalid training options:\n  {}", .0.join("\n  "))]
    InvalidOptions(Vec<String>),
    #[error("{0}")]
    Data(String),
    #[error("{path}: {message}")]
    WeightFile { path: PathBuf, message: String },
    #[error("{path}: {message}")]
    Io { path: PathBuf, message: String },
    #[error("{0}")]
    Device(String),
    #[error(transparent)]
    Project(#[from] crate::spec::ProjectError),
    #[error("libtorch: {0}")]
    Torch(#[from] tch::TchError),
    #[error("internal error: {0}")]
    Internal(String),
}

/// The device for an ExecutionEnvironment: 'auto' takes CUDA when available.
pub fn resolve_device(env: ExecutionEnvironment) -> Result<Device, EngineError> {
    match env {
        ExecutionEnvironment::Cpu => Ok(Device::Cpu),
        ExecutionEnvironment::Auto => Ok(Device::cuda_if_available()),
        ExecutionEnvironment::Gpu => {
            if tch::Cuda::is_available() {
                Ok(Device::Cuda(0))
            } else {
                Err(EngineError::Device(
                    "ExecutionEnvironment is 'gpu' but no CUDA device is available (libtorch sees none); use 'cpu' or 'auto'".into(),
                ))
            }
        }
    }
}

/// A readable device name: "CPU (2 threads)" or "CUDA 0".
pub fn device_name(d: Device) -> String {
    match d {
        Device::Cpu => format!("CPU ({} threads)", tch::get_num_threads()),
        Device::Cuda(i) => format!("CUDA {i}"),
        other => format!("{other:?}"),
    }
}

/// The libtorch version this build links against.
pub fn libtorch_version() -> &'static str {
    "2.13.0"
}

/// Whether a CUDA device is usable.
pub fn cuda_available() -> bool {
    tch::Cuda::is_available()
}
