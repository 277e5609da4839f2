//! The channel protocol between the UI and the worker: commands in, events out, all plain
//! data (vectors of numbers, specs, metrics), never tensors.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};
use tch::{Device, Kind, Tensor};

use crate::data::SequenceDataset;
use crate::engine::{EngineError, Evaluation, Network, TrainingEvent, TrainingSummary};
use crate::engine::{IterationRecord, LayerRecording};
use crate::spec::Project;

/// A training job: the project (network and options) and its data.
pub struct TrainJob {
    pub project: Project,
    pub train: SequenceDataset,
    pub validation: Option<SequenceDataset>,
    pub test: Option<SequenceDataset>,
    pub init_from: Option<PathBuf>,
    pub resume_from: Option<PathBuf>,
}

/// What the UI asks of the worker.
pub enum Command {
    /// Train a network (the trained model replaces the current one).
    Train(Box<TrainJob>),
    /// Pause training after the current iteration.
    Pause,
    /// Resume paused training.
    Resume,
    /// Stop training after the current iteration, keeping the network trained so far.
    Stop,
    /// Evaluate the current model on a labelled data set (classify / predict).
    Evaluate {
        request: u64,
        data: Box<SequenceDataset>,
    },
    /// Save the current model as a run directory.
    SaveRun { dir: PathBuf },
    /// Open a run directory as the current model.
    OpenRun { dir: PathBuf },
    /// resetState: back to the layers' HiddenState/CellState.
    ResetState,
    /// classifyAndUpdateState / predictAndUpdateState on `steps` time steps (time-major
    /// values), continuing from the kept state.
    StepState { values: Vec<f32>, steps: usize },
    /// Write the project as a Python package for PyTorch / torchrun (see
    /// `crate::pytorch_export`).
    ExportPytorch {
        project: Box<Project>,
        project_file: Option<PathBuf>,
        dir: PathBuf,
    },
    /// Record gates and states of every recurrent layer over one sequence.
    Inspect {
        request: u64,
        data: Box<SequenceDataset>,
        index: usize,
    },
    /// End the worker thread.
    Shutdown,
}

impl Command {
    /// A short description for messages.
    pub fn describe(&self) -> &'static str {
        match self {
            Command::Train(_) => "starting another training",
            Command::Pause => "pausing",
            Command::Resume => "resuming",
            Command::Stop => "stopping",
            Command::Evaluate { .. } => "evaluating",
            Command::SaveRun { .. } => "saving the model",
            Command::OpenRun { .. } => "opening a model",
            Command::ResetState => "resetting the state",
            Command::StepState { .. } => "stepping the state",
            Command::Inspect { .. } => "inspecting",
            Command::ExportPytorch { .. } => "exporting to PyTorch",
            Command::Shutdown => "shutting down",
        }
    }
}

/// Statistics of one learnable after training (for the inspector).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LearnableStats {
    pub name: String,
    pub shape: Vec<i64>,
    pub mean: f64,
    pub std: f64,
    pub min: f64,
    pub max: f64,
}

/// Plain-data facts about a trained model.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ModelInfo {
    pub classes: Vec<String>,
    pub learnables: Vec<LearnableStats>,
    pub input_size: usize,
    pub output_size: usize,
    pub classification: bool,
    pub per_step: bool,
}

impl ModelInfo {
    /// Reads the facts off a network.
    pub fn of(net: &Network, classes: &[String]) -> Self {
        let learnables = net
            .learnables()
            .into_iter()
            .map(|l| {
                let t = l.tensor.detach().to_kind(Kind::Double);
                LearnableStats {
                    name: l.name,
                    shape: t.size(),
                    mean: t.mean(Kind::Double).double_value(&[]),
                    std: if t.numel() > 1 {
                        t.std(true).double_value(&[])
                    } else {
                        0.0
                    },
                    min: t.min().double_value(&[]),
                    max: t.max().double_value(&[]),
                }
            })
            .collect();
        Self {
            classes: classes.to_vec(),
            learnables,
            input_size: net.input_size,
            output_size: net.output_size,
            classification: net.task.is_classification(),
            per_step: net.task.is_per_step(),
        }
    }
}

/// The outcome of a finished training.
#[derive(Clone, Debug)]
pub struct TrainResult {
    pub summary: TrainingSummary,
    pub summary_json: serde_json::Value,
    pub history: Vec<IterationRecord>,
    pub classes: Vec<String>,
    /// Test metrics, confusion matrix (precision and recall are its summaries).
    pub test: Option<Evaluation>,
    pub info: ModelInfo,
}

/// The answer to a stateful step.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StepResult {
    /// Scores (or responses) after the last step given.
    pub scores: Vec<f32>,
    /// For sequence-output networks: scores after every step given (steps×K).
    pub all_scores: Vec<f32>,
    pub outputs: usize,
}

/// Gates and states of one direction of one recurrent layer over one sequence, each
/// `steps × units`, time-major.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DirectionTrace {
    /// Gate names and values: LSTM input, forget, cell candidate, output; GRU reset, update,
    /// candidate.
    pub gates: Vec<(String, Vec<f32>)>,
    pub hidden: Vec<f32>,
    pub cell: Option<Vec<f32>>,
}

/// What the network does on one sequence, step by step.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Inspection {
    pub sequence: usize,
    pub steps: usize,
    pub input: Vec<f32>,
    pub num_features: usize,
    /// Per recurrent layer: its name, units per direction, and traces.
    pub layers: Vec<(String, usize, Vec<DirectionTrace>)>,
    /// Scores after each step (steps×K): the prediction as the sequence unfolds.
    pub scores_per_step: Vec<f32>,
    pub outputs: usize,
    /// The network's prediction for the whole sequence (scores).
    pub final_scores: Vec<f32>,
}

fn to_vec(t: &Tensor) -> Result<Vec<f32>, EngineError> {
    Vec::<f32>::try_from(
        t.to_kind(Kind::Float)
            .to_device(Device::Cpu)
            .contiguous()
            .flatten(0, -1),
    )
    .map_err(EngineError::from)
}

/// Records every recurrent layer's gates and states over sequence `index`, and the scores
/// after each step (by running the prefix up to each step statefully).
pub fn inspect(
    net: &Network,
    ds: &SequenceDataset,
    index: usize,
) -> Result<Inspection, EngineError> {
    let seq = ds.sequences.get(index).ok_or_else(|| {
        EngineError::Data(format!("{}: there is no sequence {}", ds.name, index + 1))
    })?;
    if ds.num_features != net.input_size {
        return Err(EngineError::Data(format!(
            "{}: the data has {} features but the network takes {}",
            ds.name, ds.num_features, net.input_size
        )));
    }
    let _guard = tch::no_grad_guard();
    let c = ds.num_features as i64;
    let t = seq.steps as i64;
    let x = Tensor::from_slice(&seq.values)
        .view([1, t, c])
        .to_device(net.device());
    let mut rec: Vec<LayerRecording> = Vec::new();
    let out = net.forward(&x, &[t], false, None, Some(&mut rec))?;
    let classification = net.task.is_classification();
    let post = |s: &Tensor| {
        if classification {
            s.softmax(-1, Kind::Float)
        } else {
            s.to_kind(Kind::Float)
        }
    };
    let final_scores = to_vec(&post(&out.scores))?;
    // Scores after each step: one step at a time, carrying the state.
    let mut per_step = Vec::new();
    let mut state = None;
    for step in 0..t {
        let xs = x.narrow(1, step, 1);
        let o = net.forward(&xs, &[1], false, state.as_deref(), None)?;
        let s = post(&o.scores);
        let k = net.output_size as i64;
        per_step.extend(to_vec(&s.reshape([-1, k]).narrow(
            0,
            s.reshape([-1, k]).size()[0] - 1,
            1,
        ))?);
        state = Some(o.states);
    }
    let mut layers = Vec::new();
    for r in rec {
        let mut dirs = Vec::new();
        let mut units = 0;
        for d in &r.directions {
            units = d.hidden.size().get(2).copied().unwrap_or(0) as usize;
            let names: &[&str] = if d.gates.len() == 4 {
                &["input", "forget", "cell candidate", "output"]
            } else {
                &["reset", "update", "candidate"]
            };
            let gates = names
                .iter()
                .zip(&d.gates)
                .map(|(n, g)| Ok(((*n).to_string(), to_vec(g)?)))
                .collect::<Result<Vec<_>, EngineError>>()?;
            dirs.push(DirectionTrace {
                gates,
                hidden: to_vec(&d.hidden)?,
                cell: match &d.cell {
                    Some(c) => Some(to_vec(c)?),
                    None => None,
                },
            });
        }
        layers.push((r.layer, units, dirs));
    }
    Ok(Inspection {
        sequence: index,
        steps: seq.steps,
        input: seq.values.clone(),
        num_features: ds.num_features,
        layers,
        scores_per_step: per_step,
        outputs: net.output_size,
        final_scores,
    })
}

/// What the worker tells the UI.
pub enum Event {
    /// Training progress.
    Training(TrainingEvent),
    Paused,
    Resumed,
    /// Training ended (completed, stopped, early stop or NaN: see the summary).
    Finished(Box<TrainResult>),
    /// Something failed; the message says what and where.
    Failed(String),
    Evaluation {
        request: u64,
        evaluation: Box<Evaluation>,
    },
    Saved {
        dir: PathBuf,
    },
    /// The PyTorch package was written; `notes` lists project options its trainer ignores.
    Exported {
        dir: PathBuf,
        notes: Vec<String>,
    },
    Opened {
        dir: PathBuf,
        project: Box<Project>,
        info: ModelInfo,
        /// The run's training curves (from its metrics.csv; empty when it has none).
        history: Vec<IterationRecord>,
    },
    StateReset,
    Stepped(StepResult),
    Inspection {
        request: u64,
        inspection: Box<Inspection>,
    },
}
