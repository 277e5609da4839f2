//! A network built from a validated layer array: its learnables live here as libtorch tensors
//! in MATLAB's layout (`InputWeights [4H, C]`, gates i, f, g, o), on a chosen device.
//!
//! `forward` takes right-padded input `[batch, time, C]` and each sequence's real length, and
//! returns the scores before softmax: `[batch, K]` for a 'last' network, `[batch, time, K]` for a
//! sequence-to-sequence one. Padding never changes any output.

use std::collections::HashMap;
use std::path::Path;

use tch::{Device, Kind, Tensor};

use super::EngineError;
use super::init;
use super::recurrent::{
    Cell, CellOptions, DirectionState, DirectionWeights, Recording, fused_direction,
    padded_direction, reverse_within_length, step_direction,
};
use crate::data::{Normalization, NormalizationStats};
use crate::spec::{
    GateFactor, LayerKind, LayerSpec, OutputMode, RecurrentSpec, Task, analyze, assign_names,
};

/// A learn-rate or L2 factor resolved for one learnable: a scalar or per-row values.
pub enum Factor {
    Scalar(f64),
    /// Per-row factors, shaped to broadcast against the learnable (`[rows, 1]` or `[rows]`).
    Rows(Tensor),
}

impl Factor {
    /// Whether the factor is zero everywhere.
    pub fn is_zero(&self) -> bool {
        match self {
            Factor::Scalar(v) => *v == 0.0,
            Factor::Rows(t) => t.abs().max().double_value(&[]) == 0.0,
        }
    }

    /// `factor × t`.
    pub fn scale(&self, t: &Tensor) -> Tensor {
        match self {
            Factor::Scalar(v) => t * *v,
            Factor::Rows(f) => t * f,
        }
    }
}

/// One learnable with its MATLAB name (`lstm/InputWeights`) and factors.
pub struct Learnable {
    pub name: String,
    pub tensor: Tensor,
    pub learn_rate_factor: Factor,
    pub l2_factor: Factor,
}

/// The recurrent state of one layer for a batch (one entry per direction).
#[derive(Debug)]
pub struct LayerState {
    pub directions: Vec<DirectionState>,
}

impl LayerState {
    /// A shallow copy.
    pub fn shallow_clone(&self) -> Self {
        Self {
            directions: self
                .directions
                .iter()
                .map(DirectionState::shallow_clone)
                .collect(),
        }
    }

    /// The same state detached from the autograd graph.
    pub fn detach(&self) -> Self {
        Self {
            directions: self
                .directions
                .iter()
                .map(|d| DirectionState {
                    hidden: d.hidden.detach(),
                    cell: d.cell.as_ref().map(Tensor::detach),
                })
                .collect(),
        }
    }
}

/// Per-step values of one recurrent layer: one [`Recording`] per direction.
pub struct LayerRecording {
    pub layer: String,
    pub directions: Vec<Recording>,
}

struct RecurrentModule {
    opts: CellOptions,
    directions: i64,
    hidden_units: i64,
    output_mode: OutputMode,
    input_weights: Tensor,
    recurrent_weights: Tensor,
    bias: Tensor,
    hidden_state: Tensor,
    cell_state: Option<Tensor>,
    spec: RecurrentSpec,
}

enum Module {
    Input {
        normalization: Normalization,
        stats: Option<NormalizationStats>,
        offset: Option<Tensor>,
        scale: Option<Tensor>,
    },
    Recurrent(RecurrentModule),
    FullyConnected {
        weights: Tensor,
        bias: Tensor,
        factors: [f64; 4],
    },
    Dropout(f64),
    Identity,
}

/// What `forward` returns.
pub struct ForwardOutput {
    /// Scores before softmax: `[B, K]` or `[B, T, K]`.
    pub scores: Tensor,
    /// Each recurrent layer's state at each sequence's last real step (`None` for other layers).
    pub states: Vec<Option<LayerState>>,
}

/// A built network.
pub struct Network {
    /// The layer array with names assigned.
    pub layers: Vec<LayerSpec>,
    /// What the network does.
    pub task: Task,
    /// The number of input features C.
    pub input_size: usize,
    /// The number of outputs K (classes or responses).
    pub output_size: usize,
    /// Use the step loop even where the fused kernel applies (for checks and recording).
    pub force_step_loop: bool,
    modules: Vec<Module>,
    device: Device,
    kind: Kind,
}

fn factor_for(
    f: &GateFactor,
    gates: i64,
    hidden: i64,
    directions: i64,
    rows_2d: bool,
    opts: (Kind, Device),
) -> Factor {
    if !f.is_per_gate() {
        return Factor::Scalar(f.for_gate(0));
    }
    let rows: Vec<f64> = (0..gates * hidden * directions)
        .map(|r| f.for_gate(((r / hidden.max(1)) % gates) as usize))
        .collect();
    let t = Tensor::from_slice(&rows).to_kind(opts.0).to_device(opts.1);
    Factor::Rows(if rows_2d { t.unsqueeze(1) } else { t })
}

impl Network {
    /// Builds the network with fresh learnables drawn from the initializers with `seed`.
    ///
    /// libtorch's generator is global to the process: seeding and drawing happen under one
    /// lock, so networks built at the same time on other threads cannot change these weights.
    pub fn build_seeded(
        layers: &[LayerSpec],
        device: Device,
        kind: Kind,
        seed: u64,
    ) -> Result<Self, EngineError> {
        let _lock = generator_lock();
        tch::manual_seed(seed as i64);
        Self::build_unlocked(layers, device, kind)
    }

    /// Builds the network with fresh learnables from the initializers (libtorch's global
    /// generator, unseeded: see [`Network::build_seeded`] for reproducible weights).
    pub fn build(layers: &[LayerSpec], device: Device, kind: Kind) -> Result<Self, EngineError> {
        let _lock = generator_lock();
        Self::build_unlocked(layers, device, kind)
    }

    fn build_unlocked(
        layers: &[LayerSpec],
        device: Device,
        kind: Kind,
    ) -> Result<Self, EngineError> {
        let analysis = analyze(layers);
        if !analysis.is_valid() {
            return Err(EngineError::InvalidNetwork(analysis.errors));
        }
        let Some(task) = analysis.task else {
            return Err(EngineError::InvalidNetwork(vec![
                "the network has no task".into(),
            ]));
        };
        let mut named = layers.to_vec();
        assign_names(&mut named);
        let opts = (kind, device);
        let mut modules = Vec::new();
        let mut channels = 0i64;
        let mut input_size = 0;
        let mut output_size = 0;
        for l in &named {
            let m = match &l.kind {
                LayerKind::SequenceInput(s) => {
                    channels = s.input_size as i64;
                    input_size = s.input_size;
                    Module::Input {
                        normalization: s.normalization,
                        stats: None,
                        offset: None,
                        scale: None,
                    }
                }
                LayerKind::Lstm(r) | LayerKind::Bilstm(r) | LayerKind::Gru(r) => {
                    let cell = if matches!(l.kind, LayerKind::Gru(_)) {
                        Cell::Gru
                    } else {
                        Cell::Lstm
                    };
                    let dirs = if matches!(l.kind, LayerKind::Bilstm(_)) {
                        2
                    } else {
                        1
                    };
                    let h = r.num_hidden_units as i64;
                    let g = cell.gates();
                    let rows = g * h * dirs;
                    let iw = init::weights(
                        r.input_weights_initializer,
                        rows,
                        channels,
                        channels,
                        g * h,
                        opts,
                    );
                    let rw =
                        init::weights(r.recurrent_weights_initializer, rows, h, h, g * h, opts);
                    let b = init::bias(r.bias_initializer, g, h, dirs, opts);
                    let hs = match &r.hidden_state {
                        Some(v) => Tensor::from_slice(v).to_kind(kind).to_device(device),
                        None => Tensor::zeros([dirs * h], opts),
                    };
                    let cs = (cell == Cell::Lstm).then(|| match &r.cell_state {
                        Some(v) => Tensor::from_slice(v).to_kind(kind).to_device(device),
                        None => Tensor::zeros([dirs * h], opts),
                    });
                    channels = dirs * h;
                    Module::Recurrent(RecurrentModule {
                        opts: CellOptions {
                            cell,
                            state_activation: r.state_activation,
                            gate_activation: r.gate_activation,
                            reset_gate_mode: r.reset_gate_mode,
                        },
                        directions: dirs,
                        hidden_units: h,
                        output_mode: r.output_mode,
                        input_weights: iw.set_requires_grad(true),
                        recurrent_weights: rw.set_requires_grad(true),
                        bias: b.set_requires_grad(true),
                        hidden_state: hs,
                        cell_state: cs,
                        spec: r.clone(),
                    })
                }
                LayerKind::FullyConnected(f) => {
                    let k = f.output_size as i64;
                    let w = init::weights(f.weights_initializer, k, channels, channels, k, opts);
                    let b = init::bias(f.bias_initializer, 1, k, 1, opts);
                    channels = k;
                    output_size = f.output_size;
                    Module::FullyConnected {
                        weights: w.set_requires_grad(true),
                        bias: b.set_requires_grad(true),
                        factors: [
                            f.weights_learn_rate_factor,
                            f.bias_learn_rate_factor,
                            f.weights_l2_factor,
                            f.bias_l2_factor,
                        ],
                    }
                }
                LayerKind::Dropout { probability } => Module::Dropout(*probability),
                LayerKind::Softmax | LayerKind::Classification { .. } | LayerKind::Regression => {
                    Module::Identity
                }
            };
            modules.push(m);
        }
        if output_size == 0 {
            output_size = channels as usize;
        }
        Ok(Self {
            layers: named,
            task,
            input_size,
            output_size,
            force_step_loop: false,
            modules,
            device,
            kind,
        })
    }

    /// The device the learnables live on.
    pub fn device(&self) -> Device {
        self.device
    }

    /// The floating-point kind of the learnables.
    pub fn kind(&self) -> Kind {
        self.kind
    }

    /// The input layer's normalization.
    pub fn normalization(&self) -> Normalization {
        self.modules
            .iter()
            .find_map(|m| match m {
                Module::Input { normalization, .. } => Some(*normalization),
                _ => None,
            })
            .unwrap_or(Normalization::None)
    }

    /// The normalization statistics in use, if any.
    pub fn normalization_stats(&self) -> Option<&NormalizationStats> {
        self.modules.iter().find_map(|m| match m {
            Module::Input { stats, .. } => stats.as_ref(),
            _ => None,
        })
    }

    /// Sets the input layer's normalization statistics (from the training data).
    pub fn set_normalization_stats(&mut self, new_stats: NormalizationStats) {
        let (kind, device) = (self.kind, self.device);
        for m in &mut self.modules {
            if let Module::Input {
                normalization,
                stats,
                offset,
                scale,
            } = m
            {
                let (off, sc) = normalization_affine(*normalization, &new_stats);
                *offset = off.map(|v| Tensor::from_slice(&v).to_kind(kind).to_device(device));
                *scale = sc.map(|v| Tensor::from_slice(&v).to_kind(kind).to_device(device));
                *stats = Some(new_stats.clone());
            }
        }
    }

    /// Every learnable with its factors, in layer order (shallow copies sharing storage and
    /// gradients with the network).
    pub fn learnables(&self) -> Vec<Learnable> {
        let mut out = Vec::new();
        let opts = (self.kind, self.device);
        for (l, m) in self.layers.iter().zip(&self.modules) {
            match m {
                Module::Recurrent(r) => {
                    let (g, h, d) = (r.opts.cell.gates(), r.hidden_units, r.directions);
                    let s = &r.spec;
                    for (prop, t, lr, l2, two_d) in [
                        (
                            "InputWeights",
                            &r.input_weights,
                            &s.input_weights_learn_rate_factor,
                            &s.input_weights_l2_factor,
                            true,
                        ),
                        (
                            "RecurrentWeights",
                            &r.recurrent_weights,
                            &s.recurrent_weights_learn_rate_factor,
                            &s.recurrent_weights_l2_factor,
                            true,
                        ),
                        (
                            "Bias",
                            &r.bias,
                            &s.bias_learn_rate_factor,
                            &s.bias_l2_factor,
                            false,
                        ),
                    ] {
                        out.push(Learnable {
                            name: format!("{}/{prop}", l.name),
                            tensor: t.shallow_clone(),
                            learn_rate_factor: factor_for(lr, g, h, d, two_d, opts),
                            l2_factor: factor_for(l2, g, h, d, two_d, opts),
                        });
                    }
                }
                Module::FullyConnected {
                    weights,
                    bias,
                    factors,
                } => {
                    out.push(Learnable {
                        name: format!("{}/Weights", l.name),
                        tensor: weights.shallow_clone(),
                        learn_rate_factor: Factor::Scalar(factors[0]),
                        l2_factor: Factor::Scalar(factors[2]),
                    });
                    out.push(Learnable {
                        name: format!("{}/Bias", l.name),
                        tensor: bias.shallow_clone(),
                        learn_rate_factor: Factor::Scalar(factors[1]),
                        l2_factor: Factor::Scalar(factors[3]),
                    });
                }
                _ => {}
            }
        }
        out
    }

    /// Every tensor a weight file holds, by MATLAB name: learnables, the recurrent layers'
    /// HiddenState/CellState, and the input layer's normalization statistics
    /// (Mean/StandardDeviation/Min/Max) when set.
    pub fn named_tensors(&self) -> Vec<(String, Tensor)> {
        let mut out: Vec<(String, Tensor)> = self
            .learnables()
            .into_iter()
            .map(|l| (l.name, l.tensor))
            .collect();
        for (l, m) in self.layers.iter().zip(&self.modules) {
            match m {
                Module::Recurrent(r) => {
                    out.push((
                        format!("{}/HiddenState", l.name),
                        r.hidden_state.shallow_clone(),
                    ));
                    if let Some(c) = &r.cell_state {
                        out.push((format!("{}/CellState", l.name), c.shallow_clone()));
                    }
                }
                Module::Input { stats: Some(s), .. } => {
                    for (prop, v) in [
                        ("Mean", &s.mean),
                        ("StandardDeviation", &s.std),
                        ("Min", &s.min),
                        ("Max", &s.max),
                    ] {
                        out.push((format!("{}/{prop}", l.name), Tensor::from_slice(v)));
                    }
                }
                _ => {}
            }
        }
        out
    }

    /// Writes the weight file (safetensors, float32, MATLAB names and shapes).
    pub fn save_weights(&self, path: &Path) -> Result<(), EngineError> {
        let tensors: Vec<(String, Tensor)> = self
            .named_tensors()
            .into_iter()
            .map(|(n, t)| {
                (
                    n,
                    t.detach()
                        .to_kind(Kind::Float)
                        .to_device(Device::Cpu)
                        .contiguous(),
                )
            })
            .collect();
        let tmp = path.with_extension("safetensors.tmp");
        Tensor::write_safetensors(&tensors, &tmp).map_err(|e| EngineError::WeightFile {
            path: path.to_path_buf(),
            message: e.to_string(),
        })?;
        std::fs::rename(&tmp, path).map_err(|e| EngineError::WeightFile {
            path: path.to_path_buf(),
            message: e.to_string(),
        })
    }

    /// Loads a weight file: every tensor of the network must be there with its shape; a
    /// missing, extra or misshapen tensor is refused by name with both shapes. Only safetensors
    /// files are read (pickled PyTorch files can run code).
    pub fn load_weights(&mut self, path: &Path) -> Result<(), EngineError> {
        let err = |message: String| EngineError::WeightFile {
            path: path.to_path_buf(),
            message,
        };
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .unwrap_or("")
            .to_ascii_lowercase();
        if ext != "safetensors" {
            return Err(err(format!(
                "only .safetensors weight files are read (a pickled .{ext} file could run code); convert it with safetensors.torch.save_file"
            )));
        }
        if !path.exists() {
            return Err(err("no such file".into()));
        }
        let read = Tensor::read_safetensors(path)
            .map_err(|e| err(format!("not a readable safetensors file: {e}")))?;
        self.load_named(read).map_err(err)
    }

    /// Loads named tensors (see [`Network::load_weights`]); the message names the tensor.
    pub fn load_named(&mut self, tensors: Vec<(String, Tensor)>) -> Result<(), String> {
        let mut file: HashMap<String, Tensor> = tensors.into_iter().collect();
        let mine = self.named_tensors();
        let mut stats: HashMap<String, Vec<f32>> = HashMap::new();
        for (name, t) in &mine {
            let Some(src) = file.remove(name) else {
                if name.ends_with("/Mean")
                    || name.ends_with("/StandardDeviation")
                    || name.ends_with("/Min")
                    || name.ends_with("/Max")
                {
                    continue;
                }
                return Err(format!("{name}: missing from the file"));
            };
            if src.size() != t.size() {
                return Err(format!(
                    "{name}: the network needs shape {:?}, the file has {:?}",
                    t.size(),
                    src.size()
                ));
            }
            let src = src.to_kind(self.kind).to_device(self.device);
            if src.isfinite().logical_not().any().int64_value(&[]) != 0 {
                return Err(format!("{name}: holds NaN or infinite values"));
            }
            if let Some(prop) = ["Mean", "StandardDeviation", "Min", "Max"]
                .iter()
                .find(|p| name.ends_with(&format!("/{p}")))
            {
                stats.insert(
                    (*prop).into(),
                    Vec::<f32>::try_from(src.to_kind(Kind::Float)).unwrap_or_default(),
                );
                continue;
            }
            tch::no_grad(|| {
                let mut dst = t.shallow_clone();
                dst.copy_(&src);
            });
        }
        // Statistics the network did not have yet (an untrained network loading trained ones).
        let input_name = self
            .layers
            .first()
            .map(|l| l.name.clone())
            .unwrap_or_default();
        for prop in ["Mean", "StandardDeviation", "Min", "Max"] {
            if let Some(src) = file.remove(&format!("{input_name}/{prop}")) {
                stats.insert(
                    prop.into(),
                    Vec::<f32>::try_from(src.to_kind(Kind::Float).flatten(0, -1))
                        .unwrap_or_default(),
                );
            }
        }
        if let Some(extra) = file.keys().next() {
            return Err(format!(
                "{extra}: the file has this tensor but the network has no such learnable"
            ));
        }
        if stats.len() == 4 {
            let get = |k: &str| stats.get(k).cloned().unwrap_or_default();
            let s = NormalizationStats {
                mean: get("Mean"),
                std: get("StandardDeviation"),
                min: get("Min"),
                max: get("Max"),
            };
            if s.mean.len() != self.input_size {
                return Err(format!(
                    "{input_name}/Mean: the network needs {} values, the file has {}",
                    self.input_size,
                    s.mean.len()
                ));
            }
            self.set_normalization_stats(s);
        }
        Ok(())
    }

    /// A deep copy of the learnables and states (for the best-validation network).
    pub fn snapshot(&self) -> Vec<(String, Tensor)> {
        self.named_tensors()
            .into_iter()
            .map(|(n, t)| (n, t.detach().copy()))
            .collect()
    }

    /// Restores a [`Network::snapshot`].
    pub fn restore(&mut self, snapshot: &[(String, Tensor)]) -> Result<(), String> {
        let copy = snapshot
            .iter()
            .map(|(n, t)| (n.clone(), t.shallow_clone()))
            .collect();
        self.load_named(copy)
    }

    /// The recurrent layers' initial states for a batch, from HiddenState/CellState.
    pub fn initial_states(&self, batch: i64) -> Vec<Option<LayerState>> {
        self.modules
            .iter()
            .map(|m| match m {
                Module::Recurrent(r) => Some(LayerState {
                    directions: (0..r.directions)
                        .map(|d| DirectionState {
                            hidden: r
                                .hidden_state
                                .narrow(0, d * r.hidden_units, r.hidden_units)
                                .unsqueeze(0)
                                .expand([batch, r.hidden_units], true)
                                .contiguous(),
                            cell: r.cell_state.as_ref().map(|c| {
                                c.narrow(0, d * r.hidden_units, r.hidden_units)
                                    .unsqueeze(0)
                                    .expand([batch, r.hidden_units], true)
                                    .contiguous()
                            }),
                        })
                        .collect(),
                }),
                _ => None,
            })
            .collect()
    }

    /// Runs the network. `x`: right-padded `[B, T, C]` on the network's device; `lengths`:
    /// each sequence's real length. `init`: per-layer states to start from (default: the
    /// layers' HiddenState/CellState). `record`: collect per-step gates and states (uses the
    /// step loop).
    pub fn forward(
        &self,
        x: &Tensor,
        lengths: &[i64],
        train: bool,
        init: Option<&[Option<LayerState>]>,
        record: Option<&mut Vec<LayerRecording>>,
    ) -> Result<ForwardOutput, EngineError> {
        self.forward_impl(x, lengths, train, init, record, true)
    }

    /// Like [`Network::forward`] when only the scores are wanted (training without chunks,
    /// prediction): the fused kernels may then run over the padded batch as it is, which is
    /// faster on the CPU (oneDNN), and `states` comes back empty.
    pub fn forward_scores(
        &self,
        x: &Tensor,
        lengths: &[i64],
        train: bool,
        init: Option<&[Option<LayerState>]>,
    ) -> Result<Tensor, EngineError> {
        Ok(self
            .forward_impl(x, lengths, train, init, None, false)?
            .scores)
    }

    fn forward_impl(
        &self,
        x: &Tensor,
        lengths: &[i64],
        train: bool,
        init: Option<&[Option<LayerState>]>,
        mut record: Option<&mut Vec<LayerRecording>>,
        want_states: bool,
    ) -> Result<ForwardOutput, EngineError> {
        let batch = lengths.len() as i64;
        let lengths_cpu = Tensor::from_slice(lengths);
        let lengths_dev = lengths_cpu.to_device(self.device);
        let defaults;
        let init = match init {
            Some(i) => i,
            None => {
                defaults = self.initial_states(batch);
                &defaults
            }
        };
        let mut h = x.to_kind(self.kind);
        let mut states = Vec::with_capacity(self.modules.len());
        for (i, (m, spec)) in self.modules.iter().zip(&self.layers).enumerate() {
            let mut state = None;
            match m {
                Module::Input { offset, scale, .. } => {
                    if let (Some(o), Some(s)) = (offset, scale) {
                        h = (&h - o) * s;
                    }
                }
                Module::Recurrent(r) => {
                    let start = match init.get(i) {
                        Some(Some(s)) => s.shallow_clone(),
                        _ => self
                            .initial_states(batch)
                            .swap_remove(i)
                            .ok_or_else(|| EngineError::Internal("missing state".into()))?,
                    };
                    let exact_states = want_states && lengths.iter().any(|&l| l != h.size()[1]);
                    let (out, st, rec) = self.run_recurrent(
                        r,
                        &h,
                        &lengths_cpu,
                        &lengths_dev,
                        &start,
                        train,
                        record.is_some(),
                        exact_states,
                    )?;
                    if let (Some(sink), Some(rec)) = (record.as_deref_mut(), rec) {
                        sink.push(LayerRecording {
                            layer: spec.name.clone(),
                            directions: rec,
                        });
                    }
                    h = match r.output_mode {
                        OutputMode::Sequence => out,
                        OutputMode::Last => last_real_step(&out, &lengths_dev),
                    };
                    state = want_states.then_some(st);
                }
                Module::FullyConnected { weights, bias, .. } => {
                    h = h.matmul(&weights.tr()) + bias;
                }
                Module::Dropout(p) => {
                    if train && *p > 0.0 {
                        h = h.dropout(*p, true);
                    }
                }
                Module::Identity => {}
            }
            states.push(state);
        }
        Ok(ForwardOutput { scores: h, states })
    }

    #[allow(clippy::too_many_arguments)]
    fn run_recurrent(
        &self,
        r: &RecurrentModule,
        x: &Tensor,
        lengths_cpu: &Tensor,
        lengths_dev: &Tensor,
        start: &LayerState,
        train: bool,
        record: bool,
        exact_states: bool,
    ) -> Result<(Tensor, LayerState, Option<Vec<Recording>>), EngineError> {
        let rows = r.opts.cell.gates() * r.hidden_units;
        let use_fused = r.opts.fused_capable() && !self.force_step_loop && !record;
        let mut outs = Vec::new();
        let mut finals = Vec::new();
        let mut recs = Vec::new();
        for d in 0..r.directions {
            let iw = r.input_weights.narrow(0, d * rows, rows);
            let rw = r.recurrent_weights.narrow(0, d * rows, rows);
            let b = r.bias.narrow(0, d * rows, rows);
            let w = DirectionWeights {
                input_weights: &iw,
                recurrent_weights: &rw,
                bias: &b,
            };
            let input = if d == 0 {
                x.shallow_clone()
            } else {
                reverse_within_length(x, lengths_dev)
            };
            let init = start
                .directions
                .get(d as usize)
                .ok_or_else(|| EngineError::Internal("state has too few directions".into()))?;
            let (out, st, rec) = if use_fused && exact_states {
                let (o, s) = fused_direction(&r.opts, &w, &input, lengths_cpu, init, train)?;
                (o, s, None)
            } else if use_fused {
                let (o, s) = padded_direction(&r.opts, &w, &input, init, train)?;
                (o, s, None)
            } else {
                step_direction(&r.opts, &w, &input, lengths_dev, init, record)
            };
            let out = if d == 0 {
                out
            } else {
                reverse_within_length(&out, lengths_dev)
            };
            outs.push(out);
            finals.push(st);
            if let Some(mut rec) = rec {
                if d == 1 {
                    rec.gates = rec
                        .gates
                        .iter()
                        .map(|g| reverse_within_length(g, lengths_dev))
                        .collect();
                    rec.hidden = reverse_within_length(&rec.hidden, lengths_dev);
                    rec.cell = rec
                        .cell
                        .as_ref()
                        .map(|c| reverse_within_length(c, lengths_dev));
                }
                recs.push(rec);
            }
        }
        let out = if outs.len() == 1 {
            outs.swap_remove(0)
        } else {
            Tensor::cat(&outs, 2)
        };
        Ok((
            out,
            LayerState { directions: finals },
            record.then_some(recs),
        ))
    }
}

/// Held while the initializers draw from libtorch's process-wide generator.
fn generator_lock() -> std::sync::MutexGuard<'static, ()> {
    static GENERATOR: std::sync::Mutex<()> = std::sync::Mutex::new(());
    GENERATOR
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// `[B, T, D]` → `[B, D]` at each sequence's last real step.
pub fn last_real_step(out: &Tensor, lengths: &Tensor) -> Tensor {
    let d = out.size()[2];
    let idx = (lengths - 1)
        .clamp_min(0)
        .view([-1, 1, 1])
        .expand([-1, 1, d], true);
    out.gather(1, &idx, false).squeeze_dim(1)
}

/// The affine map `(x - offset) · scale` of a normalization, per feature. A feature with zero
/// spread is only shifted (as MATLAB leaves it unscaled).
pub fn normalization_affine(
    n: Normalization,
    s: &NormalizationStats,
) -> (Option<Vec<f32>>, Option<Vec<f32>>) {
    let safe = |v: f32| {
        if v.is_finite() && v > 0.0 {
            1.0 / v
        } else {
            1.0
        }
    };
    match n {
        Normalization::None => (None, None),
        Normalization::ZScore => (
            Some(s.mean.clone()),
            Some(s.std.iter().map(|v| safe(*v)).collect()),
        ),
        Normalization::RescaleSymmetric => (
            Some(
                s.min
                    .iter()
                    .zip(&s.max)
                    .map(|(a, b)| (a + b) / 2.0)
                    .collect(),
            ),
            Some(
                s.min
                    .iter()
                    .zip(&s.max)
                    .map(|(a, b)| 2.0 * safe(b - a))
                    .collect(),
            ),
        ),
        Normalization::RescaleZeroOne => (
            Some(s.min.clone()),
            Some(s.min.iter().zip(&s.max).map(|(a, b)| safe(b - a)).collect()),
        ),
    }
}
