//! Export to PyTorch: a project becomes a small, readable Python package that trains the same
//! network with PyTorch — on one process, or on a cluster with `torchrun` and
//! DistributedDataParallel — and writes a studio run directory the studio opens as a trained
//! model.
//!
//! What the export directory holds:
//! - `config.json`: the layer array and trainingOptions with MATLAB's property names (layer names
//!   assigned, InputSize resolved, normalization statistics of the training data);
//! - `project.ron`: the project with the classification layer's Classes resolved (copied into
//!   every run directory the Python trainer writes);
//! - `initial_weights.safetensors`: the studio's own initial learnables for the project's seed,
//!   so the Python trainer starts exactly where the studio would;
//! - `data/*.ts`: every data set of the project as `.ts` (embedded data sets included), so the
//!   package trains standalone;
//! - `lstm_studio_torch/` (the network as a `torch.nn.Module`, the `.ts` loader, the solver with
//!   per-gate factors, losses, the run directory) and `train.py`, from `assets/pytorch/`.
//!
//! The Python code downloads nothing.

use std::path::{Path, PathBuf};

use serde_json::{Value, json};
use tch::{Device, Kind};

use crate::data::{Normalization, NormalizationStats, SequenceDataset, write_ts};
use crate::engine::Network;
use crate::engine::run_dir::resolved_project;
use crate::project_data::load_source;
use crate::spec::{
    DataSource, ExecutionEnvironment, GradientThresholdMethod, LayerKind, LayerSpec,
    LearnRateSchedule, OutputNetwork, PaddingDirection, Project, SequenceLength, Shuffle, Solver,
    TrainingOptions, analyze, assign_names,
};

/// The Python files of the package: (path inside the export directory, contents).
pub const PYTHON_FILES: &[(&str, &str)] = &[
    ("README.md", include_str!("../assets/pytorch/README.md")),
    ("train.py", include_str!("../assets/pytorch/train.py")),
    (
        "lstm_studio_torch/__init__.py",
        include_str!("../assets/pytorch/lstm_studio_torch/__init__.py"),
    ),
    (
        "lstm_studio_torch/model.py",
        include_str!("../assets/pytorch/lstm_studio_torch/model.py"),
    ),
    (
        "lstm_studio_torch/data.py",
        include_str!("../assets/pytorch/lstm_studio_torch/data.py"),
    ),
    (
        "lstm_studio_torch/solver.py",
        include_str!("../assets/pytorch/lstm_studio_torch/solver.py"),
    ),
    (
        "lstm_studio_torch/evaluate.py",
        include_str!("../assets/pytorch/lstm_studio_torch/evaluate.py"),
    ),
    (
        "lstm_studio_torch/run_dir.py",
        include_str!("../assets/pytorch/lstm_studio_torch/run_dir.py"),
    ),
];

/// Why an export failed.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("cannot export to PyTorch: the network is not valid:\n  {}", .0.join("\n  "))]
    InvalidNetwork(Vec<String>),
    #[error("cannot export to PyTorch: invalid training options:\n  {}", .0.join("\n  "))]
    InvalidOptions(Vec<String>),
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("the {role} data ({source_name}): {message}")]
    Data {
        role: &'static str,
        source_name: String,
        message: String,
    },
    #[error("{path}: writing the project: {message}")]
    Project { path: PathBuf, message: String },
    #[error("{path}: writing the initial weights: {message}")]
    Weights { path: PathBuf, message: String },
}

/// What an export wrote, with notes on options the Python trainer does not support.
#[derive(Clone, Debug, Default)]
pub struct ExportReport {
    /// Every file written, relative to the export directory.
    pub files: Vec<PathBuf>,
    /// Options of the project that the exported trainer ignores or refuses, one line each.
    pub notes: Vec<String>,
}

/// Writes the Python package for `project` into `out` (created if needed). Relative data file
/// paths are taken relative to the current directory; see [`export_pytorch_with`].
pub fn export_pytorch(project: &Project, out: &Path) -> Result<(), ExportError> {
    export_pytorch_with(project, None, out).map(|_| ())
}

/// [`export_pytorch`] with the project file's path (relative data paths resolve against its
/// folder); returns what was written.
pub fn export_pytorch_with(
    project: &Project,
    project_file: Option<&Path>,
    out: &Path,
) -> Result<ExportReport, ExportError> {
    let analysis = analyze(&project.layers);
    if !analysis.is_valid() {
        return Err(ExportError::InvalidNetwork(analysis.errors));
    }
    let problems = project.training.validate();
    if !problems.is_empty() {
        return Err(ExportError::InvalidOptions(problems));
    }
    let task = analysis
        .task
        .ok_or_else(|| ExportError::InvalidNetwork(vec!["the network has no task".into()]))?;
    let mut report = ExportReport::default();
    let mkdir = |p: &Path| {
        std::fs::create_dir_all(p).map_err(|source| ExportError::Io {
            path: p.to_path_buf(),
            source,
        })
    };
    mkdir(out)?;
    mkdir(&out.join("data"))?;
    mkdir(&out.join("lstm_studio_torch"))?;

    // Data: loaded as the studio loads it, validation/test aligned onto the training classes.
    let load = |role: &'static str,
                s: &Option<DataSource>|
     -> Result<Option<(SequenceDataset, String)>, ExportError> {
        let Some(source) = s else { return Ok(None) };
        let stem = match source {
            DataSource::Embedded { name, test } => {
                format!("{name}_{}", if *test { "test" } else { "train" })
            }
            DataSource::File(p) => p
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_else(|| role.into()),
        };
        let source_name = match source {
            DataSource::Embedded { name, test } => {
                format!("embedded:{name}{}", if *test { ":test" } else { "" })
            }
            DataSource::File(p) => p.display().to_string(),
        };
        let ds = load_source(source, project_file).map_err(|e| ExportError::Data {
            role,
            source_name,
            message: e.to_string(),
        })?;
        Ok(Some((ds, stem)))
    };
    let train = load("training", &project.data.train)?;
    let mut validation = load("validation", &project.data.validation)?;
    let mut test = load("test", &project.data.test)?;
    let classes: Vec<String> = train
        .as_ref()
        .and_then(|(d, _)| d.class_names().map(<[String]>::to_vec))
        .unwrap_or_default();
    for (role, set) in [("validation", &mut validation), ("test", &mut test)] {
        if let (Some((ds, stem)), Some((tr, _))) = (set.as_mut(), train.as_ref()) {
            let fail = |e: crate::data::DataError| ExportError::Data {
                role,
                source_name: stem.clone(),
                message: e.to_string(),
            };
            ds.check_compatible(tr).map_err(fail)?;
            if !classes.is_empty() {
                ds.align_classes(&classes).map_err(fail)?;
            }
        }
    }
    let mut data_files = serde_json::Map::new();
    let mut used_names: Vec<String> = Vec::new();
    for (role, key, set) in [
        ("training", "train", &train),
        ("validation", "validation", &validation),
        ("test", "test", &test),
    ] {
        let Some((ds, stem)) = set else {
            data_files.insert(key.into(), Value::Null);
            continue;
        };
        let mut file = format!("{stem}.ts");
        if used_names.contains(&file) {
            file = format!("{key}_{file}");
        }
        used_names.push(file.clone());
        let rel = PathBuf::from("data").join(&file);
        let mut bytes = Vec::new();
        write_ts(ds, &mut bytes).map_err(|e| ExportError::Data {
            role,
            source_name: stem.clone(),
            message: e.to_string(),
        })?;
        write_file(out, &rel, &bytes, &mut report)?;
        data_files.insert(key.into(), json!(format!("data/{file}")));
    }
    if train.is_none() {
        report.notes.push("the project names no training data: add data/train.ts and set data.train in config.json before training".into());
    }

    // Normalization statistics from the training data, as the studio computes them.
    let mut named = project.layers.clone();
    assign_names(&mut named);
    let normalization = named.iter().find_map(|l| match &l.kind {
        LayerKind::SequenceInput(s) => Some(s.normalization),
        _ => None,
    });
    let stats = match (normalization, &train) {
        (Some(n), Some((ds, _))) if n != Normalization::None => {
            Some(NormalizationStats::compute(ds))
        }
        _ => None,
    };

    // The resolved project, the config, the studio's initial learnables.
    let resolved = resolved_project(project, &classes);
    let project_path = out.join("project.ron");
    resolved
        .save(&project_path)
        .map_err(|e| ExportError::Project {
            path: project_path.clone(),
            message: e.to_string(),
        })?;
    report.files.push("project.ron".into());
    let config = json!({
        "format": "lstm-studio-pytorch-export",
        "version": 1,
        "name": project.name,
        "task": { "classification": task.is_classification(), "per_step": task.is_per_step(), "describe": task.describe() },
        "layers": layers_json(&named, stats.as_ref(), &classes),
        "training": training_json(&project.training),
        "classes": if classes.is_empty() { Value::Null } else { json!(classes) },
        "data": Value::Object(data_files),
    });
    let text = serde_json::to_string_pretty(&config).map_err(|e| ExportError::Io {
        path: out.join("config.json"),
        source: std::io::Error::other(e.to_string()),
    })?;
    write_file(out, Path::new("config.json"), text.as_bytes(), &mut report)?;

    let weights_path = out.join("initial_weights.safetensors");
    let werr = |message: String| ExportError::Weights {
        path: weights_path.clone(),
        message,
    };
    let mut net = Network::build_seeded(
        &project.layers,
        Device::Cpu,
        Kind::Float,
        project.training.seed,
    )
    .map_err(|e| werr(e.to_string()))?;
    if let Some(s) = &stats {
        net.set_normalization_stats(s.clone());
    }
    net.save_weights(&weights_path)
        .map_err(|e| werr(e.to_string()))?;
    report.files.push("initial_weights.safetensors".into());

    for (rel, text) in PYTHON_FILES {
        write_file(out, Path::new(rel), text.as_bytes(), &mut report)?;
    }
    report
        .notes
        .extend(unsupported_notes(&project.training, task.is_per_step()));
    Ok(report)
}

fn write_file(
    out: &Path,
    rel: &Path,
    bytes: &[u8],
    report: &mut ExportReport,
) -> Result<(), ExportError> {
    let path = out.join(rel);
    std::fs::write(&path, bytes).map_err(|source| ExportError::Io { path, source })?;
    report.files.push(rel.to_path_buf());
    Ok(())
}

/// Options the exported trainer does not honour, as notes for the user.
fn unsupported_notes(o: &TrainingOptions, per_step: bool) -> Vec<String> {
    let mut notes = Vec::new();
    if let SequenceLength::Fixed(n) = o.sequence_length {
        notes.push(format!("SequenceLength {n} (chunks with carried state) is not supported by train.py; it stops with a message"));
    }
    if per_step {
        notes.push("sequence-to-sequence networks: train.py refuses them (.ts holds one target per sequence); the module itself supports them".into());
    }
    if !o.checkpoint_path.is_empty() {
        notes.push("CheckpointPath is ignored by train.py".into());
    }
    if o.sort_by_length {
        notes.push("sort_by_length is ignored by train.py".into());
    }
    if o.validation_fraction > 0.0 {
        notes.push(
            "validation_fraction is ignored by train.py (give validation data instead)".into(),
        );
    }
    notes
}

fn factor(f: &crate::spec::GateFactor) -> Value {
    json!(f.0)
}

/// The layer array with MATLAB's property names.
fn layers_json(
    named: &[LayerSpec],
    stats: Option<&NormalizationStats>,
    classes: &[String],
) -> Value {
    let mut channels = 0usize;
    let mut out = Vec::new();
    for l in named {
        let v = match &l.kind {
            LayerKind::SequenceInput(s) => {
                channels = s.input_size;
                let mut v = json!({
                    "type": "sequenceinput", "Name": l.name, "InputSize": s.input_size,
                    "Normalization": s.normalization.matlab_name(), "MinLength": s.min_length,
                });
                if let Some(st) = stats {
                    v["Mean"] = json!(st.mean);
                    v["StandardDeviation"] = json!(st.std);
                    v["Min"] = json!(st.min);
                    v["Max"] = json!(st.max);
                }
                v
            }
            LayerKind::Lstm(r) | LayerKind::Bilstm(r) | LayerKind::Gru(r) => {
                let t = l.layer_type().auto_name();
                let dirs = if matches!(l.kind, LayerKind::Bilstm(_)) {
                    2
                } else {
                    1
                };
                let v = json!({
                    "type": t, "Name": l.name, "InputSize": channels, "NumHiddenUnits": r.num_hidden_units,
                    "OutputMode": r.output_mode.matlab_name(),
                    "StateActivationFunction": r.state_activation.matlab_name(),
                    "GateActivationFunction": r.gate_activation.matlab_name(),
                    "ResetGateMode": r.reset_gate_mode.matlab_name(),
                    "InputWeightsLearnRateFactor": factor(&r.input_weights_learn_rate_factor),
                    "RecurrentWeightsLearnRateFactor": factor(&r.recurrent_weights_learn_rate_factor),
                    "BiasLearnRateFactor": factor(&r.bias_learn_rate_factor),
                    "InputWeightsL2Factor": factor(&r.input_weights_l2_factor),
                    "RecurrentWeightsL2Factor": factor(&r.recurrent_weights_l2_factor),
                    "BiasL2Factor": factor(&r.bias_l2_factor),
                    "InputWeightsInitializer": r.input_weights_initializer.matlab_name(),
                    "RecurrentWeightsInitializer": r.recurrent_weights_initializer.matlab_name(),
                    "BiasInitializer": r.bias_initializer.matlab_name(),
                    "HiddenState": r.hidden_state,
                    "CellState": if matches!(l.kind, LayerKind::Gru(_)) { None } else { r.cell_state.clone() },
                });
                channels = dirs * r.num_hidden_units;
                v
            }
            LayerKind::FullyConnected(f) => {
                let v = json!({
                    "type": "fc", "Name": l.name, "InputSize": channels, "OutputSize": f.output_size,
                    "WeightsLearnRateFactor": f.weights_learn_rate_factor, "BiasLearnRateFactor": f.bias_learn_rate_factor,
                    "WeightsL2Factor": f.weights_l2_factor, "BiasL2Factor": f.bias_l2_factor,
                    "WeightsInitializer": f.weights_initializer.matlab_name(), "BiasInitializer": f.bias_initializer.matlab_name(),
                });
                channels = f.output_size;
                v
            }
            LayerKind::Dropout { probability } => {
                json!({ "type": "dropout", "Name": l.name, "Probability": probability })
            }
            LayerKind::Softmax => json!({ "type": "softmax", "Name": l.name }),
            LayerKind::Classification { classes: c } => {
                let c = c
                    .clone()
                    .filter(|c| !c.is_empty())
                    .unwrap_or_else(|| classes.to_vec());
                json!({ "type": "classoutput", "Name": l.name, "Classes": if c.is_empty() { Value::Null } else { json!(c) } })
            }
            LayerKind::Regression => json!({ "type": "regressionoutput", "Name": l.name }),
        };
        out.push(v);
    }
    Value::Array(out)
}

/// trainingOptions with MATLAB's names; `Inf` is the string "Inf" (JSON has no infinity).
fn training_json(o: &TrainingOptions) -> Value {
    let inf_or = |v: f64| {
        if v.is_finite() {
            json!(v)
        } else {
            json!("Inf")
        }
    };
    json!({
        "Solver": match o.solver { Solver::Sgdm => "sgdm", Solver::Adam => "adam", Solver::Rmsprop => "rmsprop" },
        "InitialLearnRate": o.learn_rate(),
        "Momentum": o.momentum,
        "GradientDecayFactor": o.gradient_decay_factor,
        "SquaredGradientDecayFactor": o.squared_gradient_decay(),
        "Epsilon": o.epsilon,
        "MaxEpochs": o.max_epochs,
        "MiniBatchSize": o.mini_batch_size,
        "Shuffle": match o.shuffle { Shuffle::Once => "once", Shuffle::Never => "never", Shuffle::EveryEpoch => "every-epoch" },
        "LearnRateSchedule": match o.learn_rate_schedule { LearnRateSchedule::None => "none", LearnRateSchedule::Piecewise => "piecewise" },
        "LearnRateDropFactor": o.learn_rate_drop_factor,
        "LearnRateDropPeriod": o.learn_rate_drop_period,
        "L2Regularization": o.l2_regularization,
        "GradientThreshold": inf_or(o.gradient_threshold),
        "GradientThresholdMethod": match o.gradient_threshold_method {
            GradientThresholdMethod::L2norm => "l2norm",
            GradientThresholdMethod::GlobalL2norm => "global-l2norm",
            GradientThresholdMethod::AbsoluteValue => "absolute-value",
        },
        "SequenceLength": match o.sequence_length {
            SequenceLength::Longest => json!("longest"),
            SequenceLength::Shortest => json!("shortest"),
            SequenceLength::Fixed(n) => json!(n),
        },
        "SequencePaddingValue": o.sequence_padding_value,
        "SequencePaddingDirection": match o.sequence_padding_direction { PaddingDirection::Right => "right", PaddingDirection::Left => "left" },
        "ValidationFrequency": o.validation_frequency,
        "ValidationPatience": match o.validation_patience { Some(p) => json!(p), None => json!("Inf") },
        "OutputNetwork": match o.output_network {
            OutputNetwork::LastIteration => "last-iteration",
            OutputNetwork::BestValidationLoss => "best-validation-loss",
        },
        "ExecutionEnvironment": match o.execution_environment {
            ExecutionEnvironment::Auto => "auto",
            ExecutionEnvironment::Cpu => "cpu",
            ExecutionEnvironment::Gpu => "gpu",
        },
        "Verbose": o.verbose,
        "VerboseFrequency": o.verbose_frequency,
        "Seed": o.seed,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn canonical_export_writes_the_package_and_the_embedded_data() {
        let dir = tempfile::tempdir().unwrap();
        let report = export_pytorch_with(&Project::canonical(), None, dir.path()).unwrap();
        for f in [
            "config.json",
            "project.ron",
            "initial_weights.safetensors",
            "train.py",
            "lstm_studio_torch/model.py",
        ] {
            assert!(dir.path().join(f).is_file(), "{f} missing");
        }
        assert!(report.notes.is_empty(), "{:?}", report.notes);
        let cfg: Value =
            serde_json::from_str(&std::fs::read_to_string(dir.path().join("config.json")).unwrap())
                .unwrap();
        assert_eq!(cfg["layers"][1]["Name"], "lstm");
        assert_eq!(cfg["layers"][1]["InputSize"], 12);
        assert_eq!(cfg["training"]["GradientThreshold"], 1.0);
        assert_eq!(cfg["data"]["test"], "data/japanese-vowels_test.ts");
        let test = crate::data::read_ts(&dir.path().join("data/japanese-vowels_test.ts")).unwrap();
        assert_eq!(test.len(), 370);
        let p = Project::load(&dir.path().join("project.ron")).unwrap();
        assert!(
            matches!(&p.layers[4].kind, LayerKind::Classification { classes: Some(c) } if c.len() == 9)
        );
    }

    #[test]
    fn an_invalid_network_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let p = Project {
            layers: Vec::new(),
            ..Project::canonical()
        };
        assert!(matches!(
            export_pytorch(&p, dir.path()),
            Err(ExportError::InvalidNetwork(_))
        ));
    }
}
