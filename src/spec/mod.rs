//! Pure data: layer specs with every MATLAB property, training options, the project file,
//! validation and analysis, MATLAB code import and export. No tch, no egui.

pub mod analysis;
pub mod layers;
pub mod matlab;
pub mod project;
pub mod training;

pub use analysis::{Activation, LayerAnalysis, NetworkAnalysis, ParameterInfo, Task, analyze};
pub use layers::{
    BiasInitializer, FullyConnectedSpec, GateActivation, GateFactor, LayerKind, LayerSpec,
    LayerType, OutputMode, RecurrentSpec, ResetGateMode, SequenceInputSpec, StateActivation,
    WeightsInitializer, assign_names, canonical_network, format_number,
};
pub use project::{DataSource, DataSources, PROJECT_FORMAT_VERSION, Project, ProjectError};
pub use training::{
    ExecutionEnvironment, GradientThresholdMethod, LearnRateSchedule, OutputNetwork,
    PaddingDirection, SequenceLength, Shuffle, Solver, TrainingOptions,
};
