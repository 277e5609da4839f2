//! The training loop (trainNetwork): mini-batches, the solver with per-block factors, the
//! learn-rate schedule, validation with patience, OutputNetwork, checkpoints and resume, NaN
//! guards, and plain-data progress events for any front end (terminal or GUI).
//!
//! Choices where MATLAB is silent or where the studio does better (also in the README):
//! - like MATLAB, data that does not fill the last complete mini-batch of an epoch is left
//!   out of that epoch (shuffling changes which);
//! - SequenceLength N is truncated backpropagation through time inside ONE iteration: each
//!   chunk's gradients accumulate and the solver steps once per mini-batch; the state carries
//!   from chunk to chunk;
//! - the reported loss is the mean over observations (sequences, or real time steps);
//! - shuffles are drawn from (seed, epoch), so a resumed run sees the same order.

use std::path::{Path, PathBuf};
use std::time::Instant;

use rand::SeedableRng;
use rand::seq::SliceRandom;
use serde::{Deserialize, Serialize};
use tch::{Device, Kind, Tensor};

use super::batch::make_batches;
use super::eval::{Evaluation, evaluate, loss_parts};
use super::network::{LayerState, Network};
use super::solver::SolverState;
use super::{EngineError, device_name, resolve_device};
use crate::data::{SequenceDataset, Targets};
use crate::spec::{LayerKind, LayerSpec, OutputNetwork, Shuffle, TrainingOptions};

/// Everything a training run needs.
pub struct TrainingRequest {
    pub layers: Vec<LayerSpec>,
    pub options: TrainingOptions,
    pub train: SequenceDataset,
    pub validation: Option<SequenceDataset>,
    pub test: Option<SequenceDataset>,
    /// Start from these learnables instead of the initializers.
    pub init_from: Option<PathBuf>,
    /// Continue from a checkpoint written by an earlier run.
    pub resume_from: Option<PathBuf>,
}

/// One iteration's numbers.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct IterationRecord {
    pub iteration: usize,
    pub epoch: usize,
    pub elapsed_s: f64,
    pub learn_rate: f64,
    pub train_loss: f64,
    /// Accuracy (classification, 0..1) or RMSE (regression).
    pub train_metric: f64,
    pub val_loss: Option<f64>,
    pub val_metric: Option<f64>,
}

/// Plain-data progress events.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum TrainingEvent {
    Started {
        device: String,
        iterations_per_epoch: usize,
        max_iterations: usize,
        max_epochs: usize,
        first_epoch: usize,
        classes: Vec<String>,
        classification: bool,
        has_validation: bool,
    },
    Iteration(IterationRecord),
    Validation {
        iteration: usize,
        epoch: usize,
        loss: f64,
        metric: f64,
    },
    EpochEnd {
        epoch: usize,
    },
    CheckpointSaved {
        path: PathBuf,
    },
    Message(String),
}

/// What the front end wants between iterations.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Control {
    Continue,
    Stop,
}

/// A front end of training: receives events; is asked between iterations whether to go on
/// (a paused front end simply does not answer until resumed).
pub trait TrainingObserver {
    fn on_event(&mut self, event: TrainingEvent);
    fn control(&mut self) -> Control {
        Control::Continue
    }
}

/// An observer that ignores everything.
pub struct Silent;
impl TrainingObserver for Silent {
    fn on_event(&mut self, _event: TrainingEvent) {}
}

/// Why training ended.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum StopReason {
    /// MaxEpochs reached.
    Completed,
    /// The user stopped it; the network trained so far is kept.
    Stopped,
    /// ValidationPatience ran out.
    EarlyStop,
    /// The loss became NaN or infinite; the last good network is kept.
    NonFinite { iteration: usize },
}

/// A summary of a run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TrainingSummary {
    pub epochs: usize,
    pub iterations: usize,
    pub final_train_loss: f64,
    pub train_seconds: f64,
    pub device: String,
    pub stop_reason: StopReason,
    pub message: Option<String>,
}

/// A trained network with its history.
pub struct TrainingOutcome {
    pub network: Network,
    /// Class names of the training data (classification).
    pub classes: Vec<String>,
    pub history: Vec<IterationRecord>,
    pub summary: TrainingSummary,
    pub test: Option<Evaluation>,
}

/// Checks the data against the network and the options before anything runs.
pub fn check_data(net: &Network, req: &TrainingRequest) -> Result<(), EngineError> {
    let ds = &req.train;
    if ds.sequences.is_empty() {
        return Err(EngineError::Data(format!(
            "{}: the training data has no sequences",
            ds.name
        )));
    }
    if ds.num_features != net.input_size {
        return Err(EngineError::Data(format!(
            "{}: the data has {} features but the sequence input layer has InputSize {}",
            ds.name, ds.num_features, net.input_size
        )));
    }
    ds.check_no_missing()
        .map_err(|e| EngineError::Data(e.to_string()))?;
    let (classification, per_step) = (net.task.is_classification(), net.task.is_per_step());
    let fc_name = net
        .layers
        .iter()
        .rev()
        .find(|l| matches!(l.kind, LayerKind::FullyConnected(_)))
        .map(|l| l.name.clone())
        .unwrap_or_else(|| "the last layer".into());
    let want = match (&ds.targets, classification, per_step) {
        (Targets::Labels { class_names, .. }, true, false)
        | (Targets::StepLabels { class_names, .. }, true, true) => (class_names.len(), "classes"),
        (Targets::Responses { names, .. }, false, false)
        | (Targets::StepResponses { names, .. }, false, true) => (names.len(), "responses"),
        (Targets::None, _, _) => {
            return Err(EngineError::Data(format!(
                "{}: the training data has no labels or responses",
                ds.name
            )));
        }
        (t, _, _) => {
            let have = match t {
                Targets::Labels { .. } => "one label per sequence",
                Targets::StepLabels { .. } => "one label per time step",
                Targets::Responses { .. } => "responses per sequence",
                Targets::StepResponses { .. } => "responses per time step",
                Targets::None => "no targets",
            };
            return Err(EngineError::Data(format!(
                "{}: the data has {have}, but the network is a {} network",
                ds.name,
                net.task.describe()
            )));
        }
    };
    if want.0 != net.output_size {
        return Err(EngineError::Data(format!(
            "{fc_name}: OutputSize is {} but the training data has {} {}",
            net.output_size, want.0, want.1
        )));
    }
    for other in [&req.validation, &req.test].into_iter().flatten() {
        other
            .check_compatible(ds)
            .map_err(|e| EngineError::Data(e.to_string()))?;
        other
            .check_no_missing()
            .map_err(|e| EngineError::Data(e.to_string()))?;
    }
    Ok(())
}

/// The order of the training data in an epoch.
fn epoch_order(n: usize, shuffle: Shuffle, seed: u64, epoch: usize) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..n).collect();
    let draw = match shuffle {
        Shuffle::Never => None,
        Shuffle::Once => Some(0),
        Shuffle::EveryEpoch => Some(epoch as u64),
    };
    if let Some(k) = draw {
        let mut rng = rand::rngs::StdRng::seed_from_u64(
            seed.wrapping_mul(0x9E37_79B9_7F4A_7C15).wrapping_add(k),
        );
        idx.shuffle(&mut rng);
    }
    idx
}

/// Mini-batches of an epoch: complete batches only (like MATLAB), optionally of similar
/// lengths (then the batches themselves are shuffled).
fn epoch_batches(ds: &SequenceDataset, o: &TrainingOptions, epoch: usize) -> Vec<Vec<usize>> {
    let n = ds.sequences.len();
    let b = o.mini_batch_size.min(n).max(1);
    let mut order = epoch_order(n, o.shuffle, o.seed, epoch);
    if o.sort_by_length {
        order.sort_by_key(|&i| ds.sequences[i].steps);
    }
    let mut batches: Vec<Vec<usize>> = order.chunks_exact(b).map(<[usize]>::to_vec).collect();
    if o.sort_by_length && o.shuffle != Shuffle::Never {
        let mut rng = rand::rngs::StdRng::seed_from_u64(o.seed ^ 0xA5A5_5A5A ^ epoch as u64);
        batches.shuffle(&mut rng);
    }
    batches
}

/// Mean loss and metric over a whole data set, in evaluation mode.
fn validation_metrics(
    net: &Network,
    ds: &SequenceDataset,
    batch: usize,
) -> Result<(f64, f64), EngineError> {
    let ev = evaluate(net, ds, batch)?;
    Ok((ev.loss, ev.accuracy.or(ev.rmse).unwrap_or(f64::NAN)))
}

/// One iteration's forward and backward over all pieces of a mini-batch; returns the mean
/// loss and the metric.
fn forward_backward(
    net: &Network,
    ds: &SequenceDataset,
    rows: &[usize],
    o: &TrainingOptions,
) -> Result<(f64, f64), EngineError> {
    let pieces = make_batches(
        ds,
        rows,
        o.sequence_length,
        o.sequence_padding_direction,
        o.sequence_padding_value,
        net.device(),
    );
    let classification = net.task.is_classification();
    let per_step = net.task.is_per_step();
    // Observations in the whole mini-batch, to normalise every piece's loss alike.
    let total_obs: f64 = if per_step {
        pieces
            .iter()
            .map(|p| p.lengths.iter().sum::<i64>() as f64)
            .sum()
    } else {
        rows.len() as f64
    };
    let b_all = rows.len() as i64;
    let mut loss_total = 0.0;
    let mut metric_total = 0.0;
    let many = pieces.len() > 1;
    if !many {
        // One piece: nothing to carry, the fastest kernels apply.
        for piece in &pieces {
            let scores = net.forward_scores(&piece.x, &piece.lengths, true, None)?;
            if let Some(parts) = loss_parts(&scores, &piece.target, classification, None) {
                let loss = &parts.loss_sum / total_obs;
                loss.f_backward().map_err(EngineError::from)?;
                loss_total += loss.double_value(&[]);
                metric_total += parts.metric_sum.double_value(&[]);
            }
        }
        return Ok((
            loss_total,
            finish_metric(net, classification, metric_total, total_obs),
        ));
    }
    // Full-batch states, updated piece by piece (chunks carry the state).
    let mut full: Vec<Option<LayerState>> = net.initial_states(b_all);
    for piece in &pieces {
        let idx = Tensor::from_slice(&piece.rows.iter().map(|&r| r as i64).collect::<Vec<_>>())
            .to_device(net.device());
        let init: Vec<Option<LayerState>> = full
            .iter()
            .map(|s| {
                s.as_ref().map(|s| LayerState {
                    directions: s
                        .directions
                        .iter()
                        .map(|d| super::recurrent::DirectionState {
                            hidden: d.hidden.index_select(0, &idx),
                            cell: d.cell.as_ref().map(|c| c.index_select(0, &idx)),
                        })
                        .collect(),
                })
            })
            .collect();
        let out = net.forward(&piece.x, &piece.lengths, true, Some(&init), None)?;
        let only_rows = if !per_step && many {
            let ends: Vec<i64> = piece
                .ends_here
                .iter()
                .enumerate()
                .filter(|(_, e)| **e)
                .map(|(i, _)| i as i64)
                .collect();
            if ends.is_empty() {
                None
            } else {
                Some(Tensor::from_slice(&ends).to_device(net.device()))
            }
        } else {
            None
        };
        let skip = !per_step && many && only_rows.is_none();
        if !skip
            && let Some(parts) = loss_parts(
                &out.scores,
                &piece.target,
                classification,
                only_rows.as_ref(),
            )
        {
            let loss = &parts.loss_sum / total_obs;
            loss.f_backward().map_err(EngineError::from)?;
            loss_total += loss.double_value(&[]);
            metric_total += parts.metric_sum.double_value(&[]);
        }
        if many {
            for (slot, new) in full.iter_mut().zip(out.states) {
                if let (Some(s), Some(n)) = (slot.as_mut(), new) {
                    for (d, nd) in s.directions.iter_mut().zip(n.detach().directions) {
                        d.hidden = d.hidden.index_copy(0, &idx, &nd.hidden);
                        if let (Some(c), Some(nc)) = (d.cell.as_mut(), nd.cell) {
                            *c = c.index_copy(0, &idx, &nc);
                        }
                    }
                }
            }
        }
    }
    Ok((
        loss_total,
        finish_metric(net, classification, metric_total, total_obs),
    ))
}

/// Accuracy from the count of correct answers, or RMSE from the sum of squared errors.
fn finish_metric(net: &Network, classification: bool, metric_total: f64, total_obs: f64) -> f64 {
    if classification {
        metric_total / total_obs
    } else {
        let r = net.output_size.max(1) as f64;
        (metric_total / (total_obs * r)).sqrt()
    }
}

fn write_checkpoint(
    dir: &Path,
    net: &Network,
    solver: &SolverState,
    epoch: usize,
    iteration: usize,
) -> Result<PathBuf, EngineError> {
    std::fs::create_dir_all(dir).map_err(|e| EngineError::Io {
        path: dir.to_path_buf(),
        message: e.to_string(),
    })?;
    let path = dir.join(format!(
        "checkpoint_epoch{epoch}_iter{iteration}.safetensors"
    ));
    let learn = net.learnables();
    let mut tensors: Vec<(String, Tensor)> = net.named_tensors();
    tensors.extend(solver.named_tensors(&learn));
    tensors.push(("progress/epoch".into(), Tensor::from_slice(&[epoch as i64])));
    tensors.push((
        "progress/iteration".into(),
        Tensor::from_slice(&[iteration as i64]),
    ));
    let tensors: Vec<(String, Tensor)> = tensors
        .into_iter()
        .map(|(n, t)| (n, t.detach().to_device(Device::Cpu).contiguous()))
        .collect();
    Tensor::write_safetensors(&tensors, &path).map_err(|e| EngineError::WeightFile {
        path: path.clone(),
        message: e.to_string(),
    })?;
    Ok(path)
}

/// Reads a checkpoint into the network and solver; returns (epoch, iteration) it was taken at.
fn read_checkpoint(
    path: &Path,
    net: &mut Network,
    solver: &mut SolverState,
) -> Result<(usize, usize), EngineError> {
    let err = |message: String| EngineError::WeightFile {
        path: path.to_path_buf(),
        message,
    };
    let all = Tensor::read_safetensors(path)
        .map_err(|e| err(format!("not a readable checkpoint: {e}")))?;
    let get = |n: &str| {
        all.iter()
            .find(|(k, _)| k == n)
            .map(|(_, t)| t.int64_value(&[0]))
    };
    let (Some(epoch), Some(iteration)) = (get("progress/epoch"), get("progress/iteration")) else {
        return Err(err(
            "not a checkpoint of LSTM Studio (no progress/epoch)".into()
        ));
    };
    let (net_part, solver_part): (Vec<_>, Vec<_>) = all
        .into_iter()
        .filter(|(k, _)| !k.starts_with("progress/"))
        .partition(|(k, _)| !k.starts_with("solver/"));
    net.load_named(net_part).map_err(&err)?;
    let learn = net.learnables();
    solver.load_named(&learn, &solver_part).map_err(err)?;
    Ok((epoch as usize, iteration as usize))
}

/// Trains a network (trainNetwork). Errors before the first iteration are returned; a NaN loss
/// or a stop ends training with the network kept and the reason in the summary.
pub fn train(
    req: &TrainingRequest,
    observer: &mut dyn TrainingObserver,
) -> Result<TrainingOutcome, EngineError> {
    let o = &req.options;
    let problems = o.validate();
    if !problems.is_empty() {
        return Err(EngineError::InvalidOptions(problems));
    }
    let device = resolve_device(o.execution_environment)?;
    let mut net = Network::build_seeded(&req.layers, device, Kind::Float, o.seed)?;
    check_data(&net, req)?;
    // A hold-out validation set from the training data when none is given.
    let split = (req.validation.is_none() && o.validation_fraction > 0.0).then(|| {
        let (tr, va) = crate::data::stratified_holdout(&req.train, o.validation_fraction, o.seed);
        (req.train.subset(&tr), req.train.subset(&va))
    });
    let (train_set, validation_set) = match &split {
        Some((t, v)) => (t, Some(v)),
        None => (&req.train, req.validation.as_ref()),
    };
    let classes: Vec<String> = req
        .train
        .class_names()
        .map(<[String]>::to_vec)
        .unwrap_or_default();
    // Normalization statistics from the training data, stored with the model.
    if net.normalization() != crate::data::Normalization::None {
        net.set_normalization_stats(crate::data::NormalizationStats::compute(train_set));
    }
    if let Some(w) = &req.init_from {
        net.load_weights(w)?;
    }
    let mut solver = SolverState::new(o.solver, &net.learnables());
    let mut first_epoch = 1;
    let mut iteration = 0;
    if let Some(cp) = &req.resume_from {
        let (e, it) = read_checkpoint(cp, &mut net, &mut solver)?;
        first_epoch = e + 1;
        iteration = it;
        observer.on_event(TrainingEvent::Message(format!(
            "resumed from {} after epoch {e}",
            cp.display()
        )));
    }
    let per_epoch =
        train_set.sequences.len() / o.mini_batch_size.min(train_set.sequences.len()).max(1);
    let max_iterations = per_epoch * o.max_epochs;
    let dev_name = device_name(device);
    observer.on_event(TrainingEvent::Started {
        device: dev_name.clone(),
        iterations_per_epoch: per_epoch,
        max_iterations,
        max_epochs: o.max_epochs,
        first_epoch,
        classes: classes.clone(),
        classification: net.task.is_classification(),
        has_validation: validation_set.is_some(),
    });
    let start = Instant::now();
    let learnables = net.learnables();
    let mut history = Vec::new();
    let mut last_good: Vec<(String, Tensor)> = net.snapshot();
    let mut best_val: Option<(f64, Vec<(String, Tensor)>)> = None;
    let mut worse_count = 0usize;
    let mut stop_reason = StopReason::Completed;
    let mut message = None;
    let mut epochs_done = first_epoch - 1;
    let mut final_loss = f64::NAN;
    'epochs: for epoch in first_epoch..=o.max_epochs {
        let lr = o.learn_rate_at_epoch(epoch);
        for rows in epoch_batches(train_set, o, epoch) {
            if observer.control() == Control::Stop {
                stop_reason = StopReason::Stopped;
                break 'epochs;
            }
            iteration += 1;
            let (loss, metric) = forward_backward(&net, train_set, &rows, o)?;
            if !loss.is_finite() {
                net.restore(&last_good).map_err(EngineError::Internal)?;
                stop_reason = StopReason::NonFinite { iteration };
                message = Some(format!(
                    "Training stopped at iteration {iteration} (epoch {epoch}): the loss is {loss}. The network from the last iteration with a finite loss is kept; try a lower InitialLearnRate or a GradientThreshold."
                ));
                break 'epochs;
            }
            // The learnables that produced a finite loss, in case the next update breaks them.
            for ((_, dst), l) in last_good.iter_mut().zip(&learnables) {
                tch::no_grad(|| dst.copy_(&l.tensor));
            }
            solver.step(&learnables, lr, o);
            final_loss = loss;
            let mut rec = IterationRecord {
                iteration,
                epoch,
                elapsed_s: start.elapsed().as_secs_f64(),
                learn_rate: lr,
                train_loss: loss,
                train_metric: metric,
                ..IterationRecord::default()
            };
            let last_iteration = iteration == max_iterations;
            let due = iteration == 1 || iteration % o.validation_frequency == 0 || last_iteration;
            if let Some(v) = validation_set.filter(|_| due) {
                let (vl, vm) = validation_metrics(&net, v, o.mini_batch_size)?;
                rec.val_loss = Some(vl);
                rec.val_metric = Some(vm);
                observer.on_event(TrainingEvent::Validation {
                    iteration,
                    epoch,
                    loss: vl,
                    metric: vm,
                });
                let improved = best_val.as_ref().is_none_or(|(b, _)| vl < *b);
                if improved {
                    worse_count = 0;
                    let snap = if o.output_network == OutputNetwork::BestValidationLoss {
                        net.snapshot()
                    } else {
                        Vec::new()
                    };
                    best_val = Some((vl, snap));
                } else {
                    worse_count += 1;
                }
            }
            observer.on_event(TrainingEvent::Iteration(rec.clone()));
            history.push(rec);
            if let Some(p) = o.validation_patience
                && worse_count >= p
            {
                stop_reason = StopReason::EarlyStop;
                message = Some(format!(
                    "Validation loss did not improve for {p} validations: stopped early at iteration {iteration} (epoch {epoch})."
                ));
                epochs_done = epoch;
                break 'epochs;
            }
        }
        epochs_done = epoch;
        observer.on_event(TrainingEvent::EpochEnd { epoch });
        if !o.checkpoint_path.is_empty() {
            let path = write_checkpoint(
                Path::new(&o.checkpoint_path),
                &net,
                &solver,
                epoch,
                iteration,
            )?;
            observer.on_event(TrainingEvent::CheckpointSaved { path });
        }
    }
    if o.output_network == OutputNetwork::BestValidationLoss
        && let Some((_, snap)) = &best_val
        && !snap.is_empty()
    {
        net.restore(snap).map_err(EngineError::Internal)?;
    }
    let train_seconds = start.elapsed().as_secs_f64();
    let test = match &req.test {
        Some(t) => Some(evaluate(&net, t, o.mini_batch_size.max(1))?),
        None => None,
    };
    Ok(TrainingOutcome {
        network: net,
        classes,
        history,
        summary: TrainingSummary {
            epochs: epochs_done,
            iterations: iteration,
            final_train_loss: final_loss,
            train_seconds,
            device: dev_name,
            stop_reason,
            message,
        },
        test,
    })
}
