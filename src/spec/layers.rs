//! Layer specifications: every property of MATLAB's sequence layers (sequenceInputLayer,
//! lstmLayer, bilstmLayer, gruLayer, fullyConnectedLayer, dropoutLayer, softmaxLayer,
//! classificationLayer, regressionLayer) with MATLAB's defaults, as plain serde data.
//!
//! Specs may hold invalid values (a user is typing, a script says `[1 2]`): `validate` reports
//! them. Gate order everywhere is MATLAB's: input, forget, cell candidate, output.

use serde::{Deserialize, Serialize};

use crate::data::Normalization;

/// The four LSTM gates in MATLAB's (and PyTorch's) row order.
pub const LSTM_GATES: [&str; 4] = ["input", "forget", "cell candidate", "output"];
/// The three GRU gates in MATLAB's row order.
pub const GRU_GATES: [&str; 3] = ["reset", "update", "candidate"];

/// A learn-rate or L2 factor: one scalar for the whole learnable, or one value per gate block.
///
/// Holds whatever the user gave (validation checks the length and signs), so an invalid value
/// such as `[1 2]` can be shown and corrected rather than lost.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(from = "FactorRepr", into = "FactorRepr")]
pub struct GateFactor(pub Vec<f64>);

#[derive(Serialize, Deserialize)]
#[serde(untagged)]
enum FactorRepr {
    Scalar(f64),
    PerGate(Vec<f64>),
}

impl From<FactorRepr> for GateFactor {
    fn from(r: FactorRepr) -> Self {
        match r {
            FactorRepr::Scalar(v) => GateFactor(vec![v]),
            FactorRepr::PerGate(v) => GateFactor(v),
        }
    }
}

impl From<GateFactor> for FactorRepr {
    fn from(f: GateFactor) -> Self {
        if f.0.len() == 1 {
            FactorRepr::Scalar(f.0[0])
        } else {
            FactorRepr::PerGate(f.0)
        }
    }
}

impl GateFactor {
    /// One factor for every gate.
    pub fn scalar(v: f64) -> Self {
        GateFactor(vec![v])
    }

    /// Whether the factor is a per-gate vector.
    pub fn is_per_gate(&self) -> bool {
        self.0.len() != 1
    }

    /// The factor of gate block `gate` (of `num_gates`); a scalar applies to all.
    pub fn for_gate(&self, gate: usize) -> f64 {
        if self.0.len() == 1 {
            self.0[0]
        } else {
            self.0.get(gate).copied().unwrap_or(0.0)
        }
    }

    /// MATLAB's display: `1` or `[1 0 1 1]`.
    pub fn to_matlab(&self) -> String {
        if self.0.len() == 1 {
            format_number(self.0[0])
        } else {
            let parts: Vec<String> = self.0.iter().map(|v| format_number(*v)).collect();
            format!("[{}]", parts.join(" "))
        }
    }

    /// Valid when one nonnegative finite scalar, or `num_gates` of them.
    pub fn check(&self, num_gates: usize) -> Result<(), String> {
        let ok_len = self.0.len() == 1 || self.0.len() == num_gates;
        let ok_vals = self.0.iter().all(|v| v.is_finite() && *v >= 0.0);
        if ok_len && ok_vals {
            Ok(())
        } else {
            Err(format!(
                "must be a nonnegative scalar or a 1×{num_gates} vector, got {}",
                self.to_matlab()
            ))
        }
    }
}

/// Formats a number as MATLAB displays it in code: integers without a point, `Inf`.
pub fn format_number(v: f64) -> String {
    if v.is_infinite() {
        if v > 0.0 { "Inf".into() } else { "-Inf".into() }
    } else if v.is_nan() {
        "NaN".into()
    } else if v == v.trunc() && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v}")
    }
}

/// OutputMode of a recurrent layer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum OutputMode {
    /// h_1..h_T: one output per time step.
    #[default]
    Sequence,
    /// h_T only: the last REAL time step of each sequence.
    Last,
}

/// StateActivationFunction (σc).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum StateActivation {
    #[default]
    Tanh,
    /// x / (1 + |x|)
    Softsign,
}

/// GateActivationFunction (σg).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum GateActivation {
    #[default]
    Sigmoid,
    /// MATLAB's (old Keras') hard sigmoid: clamp(0.2·x + 0.5, 0, 1).
    HardSigmoid,
}

/// Initializer of a weight matrix.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum WeightsInitializer {
    Glorot,
    He,
    Orthogonal,
    NarrowNormal,
    Zeros,
    Ones,
}

/// Initializer of a bias vector.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum BiasInitializer {
    /// Forget-gate bias 1, all other biases 0 (LSTM only).
    UnitForgetGate,
    NarrowNormal,
    Ones,
    Zeros,
}

/// GRU ResetGateMode.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum ResetGateMode {
    /// r ⊙ (R_h h): reset applied after the recurrent multiplication (MATLAB's default).
    #[default]
    AfterMultiplication,
    /// R_h (r ⊙ h).
    BeforeMultiplication,
}

macro_rules! names {
    ($t:ty { $($v:ident => $s:literal),* $(,)? }) => {
        impl $t {
            /// Every value, in the order MATLAB documents them.
            pub const ALL: &'static [$t] = &[$(<$t>::$v),*];
            /// The MATLAB name, e.g. `'hard-sigmoid'` without quotes.
            pub fn matlab_name(self) -> &'static str {
                match self { $(<$t>::$v => $s),* }
            }
            /// Parses a MATLAB name (case-insensitive).
            pub fn from_matlab(s: &str) -> Option<Self> {
                let s = s.to_ascii_lowercase();
                match s.as_str() { $($s => Some(<$t>::$v),)* _ => None }
            }
        }
    };
}

names!(OutputMode { Sequence => "sequence", Last => "last" });
names!(StateActivation { Tanh => "tanh", Softsign => "softsign" });
names!(GateActivation { Sigmoid => "sigmoid", HardSigmoid => "hard-sigmoid" });
names!(WeightsInitializer {
    Glorot => "glorot", He => "he", Orthogonal => "orthogonal",
    NarrowNormal => "narrow-normal", Zeros => "zeros", Ones => "ones",
});
names!(BiasInitializer {
    UnitForgetGate => "unit-forget-gate", NarrowNormal => "narrow-normal", Ones => "ones", Zeros => "zeros",
});
names!(ResetGateMode {
    AfterMultiplication => "after-multiplication", BeforeMultiplication => "before-multiplication",
});

/// Properties of sequenceInputLayer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SequenceInputSpec {
    /// InputSize: C, the number of features per time step.
    pub input_size: usize,
    /// Normalization, with statistics taken from the training data.
    pub normalization: Normalization,
    /// MinLength: the shortest sequence the network accepts.
    pub min_length: usize,
}

impl Default for SequenceInputSpec {
    fn default() -> Self {
        Self {
            input_size: 1,
            normalization: Normalization::None,
            min_length: 1,
        }
    }
}

/// Properties shared by lstmLayer and bilstmLayer (and, with three gates, gruLayer).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct RecurrentSpec {
    /// InputSize: `None` is MATLAB's `'auto'` (inferred from the layer before).
    pub input_size: Option<usize>,
    /// NumHiddenUnits: H.
    pub num_hidden_units: usize,
    pub output_mode: OutputMode,
    pub state_activation: StateActivation,
    pub gate_activation: GateActivation,
    pub input_weights_learn_rate_factor: GateFactor,
    pub recurrent_weights_learn_rate_factor: GateFactor,
    pub bias_learn_rate_factor: GateFactor,
    pub input_weights_l2_factor: GateFactor,
    pub recurrent_weights_l2_factor: GateFactor,
    pub bias_l2_factor: GateFactor,
    pub input_weights_initializer: WeightsInitializer,
    pub recurrent_weights_initializer: WeightsInitializer,
    pub bias_initializer: BiasInitializer,
    /// HiddenState: initial h_0 (`None` = zeros). For bilstm it has 2H values (forward; backward).
    pub hidden_state: Option<Vec<f64>>,
    /// CellState: initial c_0 (`None` = zeros). Not used by gru.
    pub cell_state: Option<Vec<f64>>,
    /// ResetGateMode (gru only).
    pub reset_gate_mode: ResetGateMode,
}

impl Default for RecurrentSpec {
    fn default() -> Self {
        Self {
            input_size: None,
            num_hidden_units: 100,
            output_mode: OutputMode::Sequence,
            state_activation: StateActivation::Tanh,
            gate_activation: GateActivation::Sigmoid,
            input_weights_learn_rate_factor: GateFactor::scalar(1.0),
            recurrent_weights_learn_rate_factor: GateFactor::scalar(1.0),
            bias_learn_rate_factor: GateFactor::scalar(1.0),
            input_weights_l2_factor: GateFactor::scalar(1.0),
            recurrent_weights_l2_factor: GateFactor::scalar(1.0),
            bias_l2_factor: GateFactor::scalar(0.0),
            input_weights_initializer: WeightsInitializer::Glorot,
            recurrent_weights_initializer: WeightsInitializer::Orthogonal,
            bias_initializer: BiasInitializer::UnitForgetGate,
            hidden_state: None,
            cell_state: None,
            reset_gate_mode: ResetGateMode::AfterMultiplication,
        }
    }
}

impl RecurrentSpec {
    /// An LSTM spec with `h` hidden units and MATLAB's defaults.
    pub fn with_hidden_units(h: usize) -> Self {
        Self {
            num_hidden_units: h,
            ..Self::default()
        }
    }

    /// The factor properties as (MATLAB name, value), in MATLAB's order.
    pub fn factors(&self) -> [(&'static str, &GateFactor); 6] {
        [
            (
                "InputWeightsLearnRateFactor",
                &self.input_weights_learn_rate_factor,
            ),
            (
                "RecurrentWeightsLearnRateFactor",
                &self.recurrent_weights_learn_rate_factor,
            ),
            ("BiasLearnRateFactor", &self.bias_learn_rate_factor),
            ("InputWeightsL2Factor", &self.input_weights_l2_factor),
            (
                "RecurrentWeightsL2Factor",
                &self.recurrent_weights_l2_factor,
            ),
            ("BiasL2Factor", &self.bias_l2_factor),
        ]
    }

    /// The factor properties, mutably, in the same order as [`RecurrentSpec::factors`].
    pub fn factors_mut(&mut self) -> [(&'static str, &mut GateFactor); 6] {
        [
            (
                "InputWeightsLearnRateFactor",
                &mut self.input_weights_learn_rate_factor,
            ),
            (
                "RecurrentWeightsLearnRateFactor",
                &mut self.recurrent_weights_learn_rate_factor,
            ),
            ("BiasLearnRateFactor", &mut self.bias_learn_rate_factor),
            ("InputWeightsL2Factor", &mut self.input_weights_l2_factor),
            (
                "RecurrentWeightsL2Factor",
                &mut self.recurrent_weights_l2_factor,
            ),
            ("BiasL2Factor", &mut self.bias_l2_factor),
        ]
    }

    /// Whether the activations are the defaults that libtorch's fused kernels compute.
    pub fn uses_default_activations(&self) -> bool {
        self.state_activation == StateActivation::Tanh
            && self.gate_activation == GateActivation::Sigmoid
    }
}

/// Properties of fullyConnectedLayer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct FullyConnectedSpec {
    /// OutputSize: K.
    pub output_size: usize,
    /// InputSize: `None` = 'auto'.
    pub input_size: Option<usize>,
    pub weights_learn_rate_factor: f64,
    pub bias_learn_rate_factor: f64,
    pub weights_l2_factor: f64,
    pub bias_l2_factor: f64,
    pub weights_initializer: WeightsInitializer,
    pub bias_initializer: BiasInitializer,
}

impl Default for FullyConnectedSpec {
    fn default() -> Self {
        Self {
            output_size: 10,
            input_size: None,
            weights_learn_rate_factor: 1.0,
            bias_learn_rate_factor: 1.0,
            weights_l2_factor: 1.0,
            bias_l2_factor: 0.0,
            weights_initializer: WeightsInitializer::Glorot,
            bias_initializer: BiasInitializer::Zeros,
        }
    }
}

/// What a layer is, with its type-specific properties.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LayerKind {
    SequenceInput(SequenceInputSpec),
    Lstm(RecurrentSpec),
    Bilstm(RecurrentSpec),
    Gru(RecurrentSpec),
    FullyConnected(FullyConnectedSpec),
    Dropout {
        /// Probability: the fraction of inputs set to zero in training.
        probability: f64,
    },
    Softmax,
    Classification {
        /// Classes: `None` is 'auto' (taken from the training labels).
        classes: Option<Vec<String>>,
    },
    Regression,
}

/// The types of layer, for the layer library and MATLAB names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum LayerType {
    SequenceInput,
    Lstm,
    Bilstm,
    Gru,
    FullyConnected,
    Dropout,
    Softmax,
    Classification,
    Regression,
}

impl LayerType {
    /// Every layer type, in the layer library's order.
    pub const ALL: [LayerType; 9] = [
        LayerType::SequenceInput,
        LayerType::Lstm,
        LayerType::Bilstm,
        LayerType::Gru,
        LayerType::FullyConnected,
        LayerType::Dropout,
        LayerType::Softmax,
        LayerType::Classification,
        LayerType::Regression,
    ];

    /// MATLAB's type name as the layer-array display shows it.
    pub fn display_name(self) -> &'static str {
        match self {
            LayerType::SequenceInput => "Sequence Input",
            LayerType::Lstm => "LSTM",
            LayerType::Bilstm => "BiLSTM",
            LayerType::Gru => "GRU",
            LayerType::FullyConnected => "Fully Connected",
            LayerType::Dropout => "Dropout",
            LayerType::Softmax => "Softmax",
            LayerType::Classification => "Classification Output",
            LayerType::Regression => "Regression Output",
        }
    }

    /// The MATLAB constructor, e.g. `lstmLayer`.
    pub fn constructor(self) -> &'static str {
        match self {
            LayerType::SequenceInput => "sequenceInputLayer",
            LayerType::Lstm => "lstmLayer",
            LayerType::Bilstm => "bilstmLayer",
            LayerType::Gru => "gruLayer",
            LayerType::FullyConnected => "fullyConnectedLayer",
            LayerType::Dropout => "dropoutLayer",
            LayerType::Softmax => "softmaxLayer",
            LayerType::Classification => "classificationLayer",
            LayerType::Regression => "regressionLayer",
        }
    }

    /// The stem of MATLAB's automatic layer names.
    pub fn auto_name(self) -> &'static str {
        match self {
            LayerType::SequenceInput => "sequenceinput",
            LayerType::Lstm => "lstm",
            LayerType::Bilstm => "bilstm",
            LayerType::Gru => "gru",
            LayerType::FullyConnected => "fc",
            LayerType::Dropout => "dropout",
            LayerType::Softmax => "softmax",
            LayerType::Classification => "classoutput",
            LayerType::Regression => "regressionoutput",
        }
    }

    /// One line for the layer library.
    pub fn summary(self) -> &'static str {
        match self {
            LayerType::SequenceInput => {
                "Feeds sequences of C features per time step; optional normalization"
            }
            LayerType::Lstm => {
                "Long short-term memory: learns long-term dependencies between time steps"
            }
            LayerType::Bilstm => {
                "Bidirectional LSTM: a forward and a backward LSTM, outputs concatenated"
            }
            LayerType::Gru => {
                "Gated recurrent unit: a lighter recurrent layer with reset and update gates"
            }
            LayerType::FullyConnected => {
                "Multiplies by a weight matrix and adds a bias, at every time step"
            }
            LayerType::Dropout => {
                "Sets inputs to zero at random with a given probability while training"
            }
            LayerType::Softmax => "Turns scores into class probabilities",
            LayerType::Classification => {
                "Cross-entropy loss for classification (a label per sequence or step)"
            }
            LayerType::Regression => "Half mean squared error for regression",
        }
    }

    /// A new layer of this type with MATLAB's defaults (name left empty: assigned automatically).
    pub fn default_layer(self) -> LayerSpec {
        let kind = match self {
            LayerType::SequenceInput => LayerKind::SequenceInput(SequenceInputSpec::default()),
            LayerType::Lstm => LayerKind::Lstm(RecurrentSpec::default()),
            LayerType::Bilstm => LayerKind::Bilstm(RecurrentSpec::default()),
            LayerType::Gru => LayerKind::Gru(RecurrentSpec {
                bias_initializer: BiasInitializer::Zeros,
                ..RecurrentSpec::default()
            }),
            LayerType::FullyConnected => LayerKind::FullyConnected(FullyConnectedSpec::default()),
            LayerType::Dropout => LayerKind::Dropout { probability: 0.5 },
            LayerType::Softmax => LayerKind::Softmax,
            LayerType::Classification => LayerKind::Classification { classes: None },
            LayerType::Regression => LayerKind::Regression,
        };
        LayerSpec {
            name: String::new(),
            kind,
        }
    }
}

const SEQUENCE_INPUT_PROPS: &[&str] = &["Name", "InputSize", "Normalization", "MinLength"];
const GRU_PROPS: &[&str] = &[
    "Name",
    "InputSize",
    "NumHiddenUnits",
    "OutputMode",
    "StateActivationFunction",
    "GateActivationFunction",
    "InputWeightsLearnRateFactor",
    "RecurrentWeightsLearnRateFactor",
    "BiasLearnRateFactor",
    "InputWeightsL2Factor",
    "RecurrentWeightsL2Factor",
    "BiasL2Factor",
    "InputWeightsInitializer",
    "RecurrentWeightsInitializer",
    "BiasInitializer",
    "HiddenState",
    "CellState",
    "ResetGateMode",
];
/// lstmLayer and bilstmLayer take the GRU's properties but ResetGateMode (the last one).
const RECURRENT_PROPS: &[&str] = GRU_PROPS.split_at(GRU_PROPS.len() - 1).0;
const FULLY_CONNECTED_PROPS: &[&str] = &[
    "Name",
    "InputSize",
    "OutputSize",
    "WeightsLearnRateFactor",
    "BiasLearnRateFactor",
    "WeightsL2Factor",
    "BiasL2Factor",
    "WeightsInitializer",
    "BiasInitializer",
];

impl LayerType {
    /// The MATLAB names of this type's properties (what its constructor and the inspector take).
    pub fn properties(self) -> &'static [&'static str] {
        match self {
            LayerType::SequenceInput => SEQUENCE_INPUT_PROPS,
            LayerType::Lstm | LayerType::Bilstm => RECURRENT_PROPS,
            LayerType::Gru => GRU_PROPS,
            LayerType::FullyConnected => FULLY_CONNECTED_PROPS,
            LayerType::Dropout => &["Name", "Probability"],
            LayerType::Softmax | LayerType::Regression => &["Name"],
            LayerType::Classification => &["Name", "Classes"],
        }
    }
}

/// One layer of a network: a name (`''` = assigned automatically) and its properties.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LayerSpec {
    #[serde(default)]
    pub name: String,
    pub kind: LayerKind,
}

impl LayerSpec {
    /// A layer with an empty name.
    pub fn new(kind: LayerKind) -> Self {
        Self {
            name: String::new(),
            kind,
        }
    }

    /// The same layer with a name.
    pub fn named(mut self, name: &str) -> Self {
        self.name = name.to_string();
        self
    }

    /// The layer's type.
    pub fn layer_type(&self) -> LayerType {
        match &self.kind {
            LayerKind::SequenceInput(_) => LayerType::SequenceInput,
            LayerKind::Lstm(_) => LayerType::Lstm,
            LayerKind::Bilstm(_) => LayerType::Bilstm,
            LayerKind::Gru(_) => LayerType::Gru,
            LayerKind::FullyConnected(_) => LayerType::FullyConnected,
            LayerKind::Dropout { .. } => LayerType::Dropout,
            LayerKind::Softmax => LayerType::Softmax,
            LayerKind::Classification { .. } => LayerType::Classification,
            LayerKind::Regression => LayerType::Regression,
        }
    }

    /// The recurrent properties of an lstm, bilstm or gru layer.
    pub fn recurrent(&self) -> Option<&RecurrentSpec> {
        match &self.kind {
            LayerKind::Lstm(r) | LayerKind::Bilstm(r) | LayerKind::Gru(r) => Some(r),
            _ => None,
        }
    }

    /// Mutable recurrent properties.
    pub fn recurrent_mut(&mut self) -> Option<&mut RecurrentSpec> {
        match &mut self.kind {
            LayerKind::Lstm(r) | LayerKind::Bilstm(r) | LayerKind::Gru(r) => Some(r),
            _ => None,
        }
    }

    /// MATLAB's description column, e.g. "LSTM with 100 hidden units".
    pub fn description(&self) -> String {
        match &self.kind {
            LayerKind::SequenceInput(s) => {
                let mut d = format!("Sequence input with {} dimensions", s.input_size);
                if s.normalization != Normalization::None {
                    d.push_str(&format!(
                        " and '{}' normalization",
                        s.normalization.matlab_name()
                    ));
                }
                d
            }
            LayerKind::Lstm(r) => format!("LSTM with {} hidden units", r.num_hidden_units),
            LayerKind::Bilstm(r) => format!("BiLSTM with {} hidden units", r.num_hidden_units),
            LayerKind::Gru(r) => format!("GRU with {} hidden units", r.num_hidden_units),
            LayerKind::FullyConnected(f) => format!("{} fully connected layer", f.output_size),
            LayerKind::Dropout { probability } => {
                format!("{}% dropout", format_number(probability * 100.0))
            }
            LayerKind::Softmax => "softmax".into(),
            LayerKind::Classification { classes } => match classes {
                Some(c) if !c.is_empty() => format!("crossentropyex with {} classes", c.len()),
                _ => "crossentropyex".into(),
            },
            LayerKind::Regression => "mean-squared-error".into(),
        }
    }
}

/// MATLAB's automatic names: empty names become `lstm`, `fc`, …; when a name repeats, the
/// layers get `_1`, `_2`, … in order. Explicit names are kept.
pub fn assign_names(layers: &mut [LayerSpec]) {
    use std::collections::HashMap;
    let mut count: HashMap<&'static str, usize> = HashMap::new();
    for l in layers.iter() {
        if l.name.is_empty() {
            *count.entry(l.layer_type().auto_name()).or_default() += 1;
        }
    }
    let taken: std::collections::HashSet<String> = layers
        .iter()
        .filter(|l| !l.name.is_empty())
        .map(|l| l.name.clone())
        .collect();
    let mut next: HashMap<&'static str, usize> = HashMap::new();
    for l in layers.iter_mut() {
        if !l.name.is_empty() {
            continue;
        }
        let stem = l.layer_type().auto_name();
        if count.get(stem).copied().unwrap_or(0) == 1 && !taken.contains(stem) {
            l.name = stem.to_string();
            continue;
        }
        loop {
            let n = next.entry(stem).or_insert(0);
            *n += 1;
            let candidate = format!("{stem}_{n}");
            if !taken.contains(&candidate) {
                l.name = candidate;
                break;
            }
        }
    }
}

/// The canonical network of the reference: sequenceInput(12) → lstm(100, 'last') → fc(9) →
/// softmax → classification.
pub fn canonical_network() -> Vec<LayerSpec> {
    vec![
        LayerSpec::new(LayerKind::SequenceInput(SequenceInputSpec {
            input_size: 12,
            ..SequenceInputSpec::default()
        })),
        LayerSpec::new(LayerKind::Lstm(RecurrentSpec {
            output_mode: OutputMode::Last,
            ..RecurrentSpec::with_hidden_units(100)
        })),
        LayerSpec::new(LayerKind::FullyConnected(FullyConnectedSpec {
            output_size: 9,
            ..FullyConnectedSpec::default()
        })),
        LayerSpec::new(LayerKind::Softmax),
        LayerSpec::new(LayerKind::Classification { classes: None }),
    ]
}

impl Normalization {
    /// Parses a MATLAB name (case-insensitive).
    pub fn from_matlab(s: &str) -> Option<Self> {
        Normalization::ALL
            .into_iter()
            .find(|n| n.matlab_name().eq_ignore_ascii_case(s))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn automatic_names_follow_matlab() {
        let mut layers = vec![
            LayerType::SequenceInput.default_layer(),
            LayerType::Lstm.default_layer(),
            LayerType::Lstm.default_layer(),
            LayerType::FullyConnected.default_layer(),
            LayerType::Softmax.default_layer(),
            LayerType::Classification.default_layer(),
        ];
        assign_names(&mut layers);
        let names: Vec<&str> = layers.iter().map(|l| l.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "sequenceinput",
                "lstm_1",
                "lstm_2",
                "fc",
                "softmax",
                "classoutput"
            ]
        );
    }

    #[test]
    fn explicit_names_are_kept_and_not_reused() {
        let mut layers = vec![
            LayerType::Lstm.default_layer().named("lstm_1"),
            LayerType::Lstm.default_layer(),
            LayerType::Lstm.default_layer(),
        ];
        assign_names(&mut layers);
        let names: Vec<&str> = layers.iter().map(|l| l.name.as_str()).collect();
        assert_eq!(names, ["lstm_1", "lstm_2", "lstm_3"]);
    }

    #[test]
    fn factor_checks_length_and_sign() {
        assert!(GateFactor::scalar(0.0).check(4).is_ok());
        assert!(GateFactor(vec![1.0, 0.0, 2.0, 1.0]).check(4).is_ok());
        let e = GateFactor(vec![1.0, 2.0]).check(4).unwrap_err();
        assert_eq!(e, "must be a nonnegative scalar or a 1×4 vector, got [1 2]");
        assert!(GateFactor::scalar(-1.0).check(4).is_err());
    }

    #[test]
    fn factor_serializes_as_number_or_list() {
        let s = ron::to_string(&GateFactor::scalar(1.0)).unwrap();
        assert_eq!(s, "1.0");
        let f: GateFactor = ron::from_str("(1.0, 0.0, 1.0, 1.0)")
            .or_else(|_| ron::from_str("[1.0, 0.0, 1.0, 1.0]"))
            .unwrap();
        assert_eq!(f.0, vec![1.0, 0.0, 1.0, 1.0]);
    }
}
