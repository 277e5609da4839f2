//! Using a network: scores for every sequence of a data set (classify / predict), losses and
//! metrics (cross-entropy and accuracy, half mean squared error and RMSE; padded steps never
//! count), and the confusion matrix with per-class precision and recall.

use serde::{Deserialize, Serialize};
use tch::{Kind, Tensor};

use super::EngineError;
use super::batch::{BatchTarget, make_batches};
use super::network::Network;
use crate::data::{SequenceDataset, Targets};
use crate::spec::{PaddingDirection, SequenceLength};

/// Sum of the loss, number of observations, and the metric's sum (correct answers, or the
/// sum of squared errors) over one batch.
pub struct LossParts {
    pub loss_sum: Tensor,
    pub observations: f64,
    pub metric_sum: Tensor,
}

/// The loss of `scores` against `target`. `only_rows`: for per-sequence targets, the rows whose
/// last step is in this piece. Classification: cross-entropy over softmax of the scores;
/// regression: half squared error summed over responses. Both are sums over observations
/// (sequences, or real time steps); divide by the observation count for the mean.
pub fn loss_parts(
    scores: &Tensor,
    target: &BatchTarget,
    classification: bool,
    only_rows: Option<&Tensor>,
) -> Option<LossParts> {
    let select = |t: &Tensor| match only_rows {
        Some(r) => t.index_select(0, r),
        None => t.shallow_clone(),
    };
    match target {
        BatchTarget::None => None,
        BatchTarget::Labels(y) => {
            let s = select(scores);
            let y = select(y);
            let n = y.size()[0] as f64;
            if classification {
                let logp = s.log_softmax(-1, Kind::Float);
                let loss = logp.g_nll_loss(&y, None::<Tensor>, tch::Reduction::Sum, -100);
                let correct = s
                    .argmax(-1, false)
                    .eq_tensor(&y)
                    .to_kind(Kind::Float)
                    .sum(Kind::Float);
                Some(LossParts {
                    loss_sum: loss,
                    observations: n,
                    metric_sum: correct,
                })
            } else {
                None
            }
        }
        BatchTarget::StepLabels(y) => {
            let k = scores.size()[2];
            let s = scores.reshape([-1, k]);
            let y = y.reshape([-1]);
            let mask = y.ne(-100);
            let n = mask.sum(Kind::Float).double_value(&[]);
            let logp = s.log_softmax(-1, Kind::Float);
            let loss = logp.g_nll_loss(&y, None::<Tensor>, tch::Reduction::Sum, -100);
            let correct = (s.argmax(-1, false).eq_tensor(&y).logical_and(&mask))
                .to_kind(Kind::Float)
                .sum(Kind::Float);
            Some(LossParts {
                loss_sum: loss,
                observations: n,
                metric_sum: correct,
            })
        }
        BatchTarget::Responses(y) => {
            let s = select(scores);
            let y = select(y);
            let n = y.size()[0] as f64;
            let sse = (s.to_kind(Kind::Float) - y).square().sum(Kind::Float);
            Some(LossParts {
                loss_sum: &sse * 0.5,
                observations: n,
                metric_sum: sse,
            })
        }
        BatchTarget::StepResponses(y, m) => {
            let n = m.sum(Kind::Float).double_value(&[]);
            let sse =
                ((scores.to_kind(Kind::Float) - y).square() * m.unsqueeze(2)).sum(Kind::Float);
            Some(LossParts {
                loss_sum: &sse * 0.5,
                observations: n,
                metric_sum: sse,
            })
        }
    }
}

/// What a network says about each sequence of a data set.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Predictions {
    /// Per sequence: K scores (softmax probabilities for classification, responses for
    /// regression) for a 'last' network, or steps×K values (time-major) per step.
    pub scores: Vec<Vec<f32>>,
    /// K.
    pub outputs: usize,
    /// Whether the network answers per time step.
    pub per_step: bool,
}

impl Predictions {
    /// The predicted class of each sequence (per-sequence classification) or of each step.
    pub fn labels(&self) -> Vec<Vec<usize>> {
        let k = self.outputs.max(1);
        self.scores
            .iter()
            .map(|s| {
                s.chunks(k)
                    .map(|c| {
                        c.iter()
                            .enumerate()
                            .fold((0, f32::NEG_INFINITY), |best, (i, v)| {
                                if *v > best.1 { (i, *v) } else { best }
                            })
                            .0
                    })
                    .collect()
            })
            .collect()
    }
}

/// Runs the network over every sequence (mini-batches of `batch_size`, no truncation).
pub fn predict(
    net: &Network,
    ds: &SequenceDataset,
    batch_size: usize,
) -> Result<Predictions, EngineError> {
    if ds.num_features != net.input_size {
        return Err(EngineError::Data(format!(
            "{}: the data has {} features but the network's input layer takes {}",
            ds.name, ds.num_features, net.input_size
        )));
    }
    let _guard = tch::no_grad_guard();
    let classification = net.task.is_classification();
    let k = net.output_size;
    let mut scores = Vec::with_capacity(ds.sequences.len());
    let idx: Vec<usize> = (0..ds.sequences.len()).collect();
    for chunk in idx.chunks(batch_size.max(1)) {
        for piece in make_batches(
            ds,
            chunk,
            SequenceLength::Longest,
            PaddingDirection::Right,
            0.0,
            net.device(),
        ) {
            let raw = net.forward_scores(&piece.x, &piece.lengths, false, None)?;
            let s = if classification {
                raw.softmax(-1, Kind::Float)
            } else {
                raw.to_kind(Kind::Float)
            };
            let s = s.to_device(tch::Device::Cpu).contiguous();
            let flat: Vec<f32> = Vec::try_from(s.flatten(0, -1)).map_err(EngineError::from)?;
            if net.task.is_per_step() {
                let t = piece.x.size()[1] as usize;
                for (row, &len) in piece.lengths.iter().enumerate() {
                    let start = row * t * k;
                    scores.push(flat[start..start + len as usize * k].to_vec());
                }
            } else {
                for row in 0..piece.lengths.len() {
                    scores.push(flat[row * k..(row + 1) * k].to_vec());
                }
            }
        }
    }
    Ok(Predictions {
        scores,
        outputs: k,
        per_step: net.task.is_per_step(),
    })
}

/// The result of evaluating a network on labelled data.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Evaluation {
    /// Accuracy (classification) over sequences or steps.
    pub accuracy: Option<f64>,
    /// RMSE (regression).
    pub rmse: Option<f64>,
    /// Mean loss.
    pub loss: f64,
    /// Rows = true class, columns = predicted class.
    pub confusion: Option<ConfusionMatrix>,
    pub predictions: Predictions,
}

/// A confusion matrix with its summaries.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ConfusionMatrix {
    pub classes: Vec<String>,
    /// counts[true][predicted]
    pub counts: Vec<Vec<u64>>,
}

impl ConfusionMatrix {
    /// Counts the pairs.
    pub fn from_pairs(classes: &[String], pairs: impl Iterator<Item = (usize, usize)>) -> Self {
        let k = classes.len();
        let mut counts = vec![vec![0u64; k]; k];
        for (t, p) in pairs {
            if t < k && p < k {
                counts[t][p] += 1;
            }
        }
        Self {
            classes: classes.to_vec(),
            counts,
        }
    }

    /// All observations.
    pub fn total(&self) -> u64 {
        self.counts.iter().flatten().sum()
    }

    /// Per-class recall (row summary): correct / row total; `None` for an empty row.
    pub fn recall(&self) -> Vec<Option<f64>> {
        self.counts
            .iter()
            .enumerate()
            .map(|(i, row)| {
                let n: u64 = row.iter().sum();
                (n > 0).then(|| row[i] as f64 / n as f64)
            })
            .collect()
    }

    /// Per-class precision (column summary): correct / column total.
    pub fn precision(&self) -> Vec<Option<f64>> {
        (0..self.classes.len())
            .map(|j| {
                let n: u64 = self.counts.iter().map(|r| r[j]).sum();
                (n > 0).then(|| self.counts[j][j] as f64 / n as f64)
            })
            .collect()
    }

    /// Overall accuracy.
    pub fn accuracy(&self) -> f64 {
        let correct: u64 = (0..self.classes.len()).map(|i| self.counts[i][i]).sum();
        correct as f64 / self.total().max(1) as f64
    }
}

/// Evaluates the network on a labelled data set.
pub fn evaluate(
    net: &Network,
    ds: &SequenceDataset,
    batch_size: usize,
) -> Result<Evaluation, EngineError> {
    let predictions = predict(net, ds, batch_size)?;
    let mut ev = Evaluation {
        predictions,
        ..Evaluation::default()
    };
    let k = ev.predictions.outputs;
    match &ds.targets {
        Targets::Labels {
            class_names,
            labels,
        } => {
            let pred = ev.predictions.labels();
            let cm = ConfusionMatrix::from_pairs(
                class_names,
                labels
                    .iter()
                    .zip(&pred)
                    .map(|(t, p)| (*t, p.first().copied().unwrap_or(0))),
            );
            let loss: f64 = labels
                .iter()
                .zip(&ev.predictions.scores)
                .map(|(t, s)| -(s.get(*t).copied().unwrap_or(0.0).max(1e-30) as f64).ln())
                .sum::<f64>()
                / labels.len().max(1) as f64;
            ev.accuracy = Some(cm.accuracy());
            ev.loss = loss;
            ev.confusion = Some(cm);
        }
        Targets::StepLabels {
            class_names,
            labels,
        } => {
            let pred = ev.predictions.labels();
            let pairs: Vec<(usize, usize)> = labels
                .iter()
                .zip(&pred)
                .flat_map(|(t, p)| t.iter().copied().zip(p.iter().copied()))
                .collect();
            let mut loss = 0.0;
            for (t, s) in labels.iter().zip(&ev.predictions.scores) {
                for (step, &c) in t.iter().enumerate() {
                    loss -= (s.get(step * k + c).copied().unwrap_or(0.0).max(1e-30) as f64).ln();
                }
            }
            ev.loss = loss / pairs.len().max(1) as f64;
            let cm = ConfusionMatrix::from_pairs(class_names, pairs.into_iter());
            ev.accuracy = Some(cm.accuracy());
            ev.confusion = Some(cm);
        }
        Targets::Responses { values, .. } | Targets::StepResponses { values, .. } => {
            let mut sse = 0.0;
            let mut n = 0usize;
            let mut obs = 0usize;
            for (t, s) in values.iter().zip(&ev.predictions.scores) {
                for (a, b) in t.iter().zip(s) {
                    sse += ((a - b) as f64).powi(2);
                    n += 1;
                }
                obs += t.len() / k.max(1);
            }
            ev.rmse = Some((sse / n.max(1) as f64).sqrt());
            ev.loss = 0.5 * sse / obs.max(1) as f64;
        }
        Targets::None => {}
    }
    Ok(ev)
}
