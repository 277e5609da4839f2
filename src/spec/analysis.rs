//! Network analysis and validation, as MATLAB's analyzeNetwork shows it: per layer the name,
//! type, description, activation size after it, learnables and states with their shapes; the
//! total; network errors and warnings. Messages name the layer and the property, e.g.
//! `lstm_1: BiasLearnRateFactor must be a nonnegative scalar or a 1×4 vector, got [1 2]`.

use serde::{Deserialize, Serialize};

use super::layers::{LayerKind, LayerSpec, OutputMode, RecurrentSpec, assign_names, format_number};

/// The size of the data flowing out of a layer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Activation {
    /// C features at each of T time steps (shown "C×T").
    Sequence(usize),
    /// One vector of C values per sequence (shown "C").
    Vector(usize),
}

impl Activation {
    /// The number of channels.
    pub fn channels(self) -> usize {
        match self {
            Activation::Sequence(c) | Activation::Vector(c) => c,
        }
    }

    /// MATLAB-style size text: `100×T` or `100`.
    pub fn display(self) -> String {
        match self {
            Activation::Sequence(c) => format!("{c}×T"),
            Activation::Vector(c) => format!("{c}"),
        }
    }
}

/// A learnable parameter or a state of a layer, with its MATLAB shape.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ParameterInfo {
    /// MATLAB's property name, e.g. `InputWeights`.
    pub name: String,
    /// MATLAB's shape, e.g. `[400, 12]`.
    pub shape: Vec<usize>,
}

impl ParameterInfo {
    fn new(name: &str, shape: &[usize]) -> Self {
        Self {
            name: name.into(),
            shape: shape.to_vec(),
        }
    }

    /// The number of values.
    pub fn count(&self) -> usize {
        self.shape.iter().product()
    }

    /// `400×12`.
    pub fn shape_text(&self) -> String {
        self.shape
            .iter()
            .map(|d| d.to_string())
            .collect::<Vec<_>>()
            .join("×")
    }
}

/// What analysis says about one layer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LayerAnalysis {
    /// The layer's name (automatic names assigned).
    pub name: String,
    /// The type as MATLAB displays it.
    pub type_name: String,
    /// MATLAB's description column.
    pub description: String,
    /// The activation after this layer; `None` where it cannot be worked out.
    pub activation: Option<Activation>,
    /// The learnables with their shapes.
    pub learnables: Vec<ParameterInfo>,
    /// The states (HiddenState, CellState).
    pub states: Vec<ParameterInfo>,
    /// Property errors of this layer, each starting with the layer's name.
    pub errors: Vec<String>,
}

impl LayerAnalysis {
    /// The number of learnable values of this layer.
    pub fn learnable_count(&self) -> usize {
        self.learnables.iter().map(ParameterInfo::count).sum()
    }
}

/// The task a network performs, from its last recurrent layer and its output layer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Task {
    SequenceToLabel,
    SequenceToSequenceClassification,
    SequenceToOneRegression,
    SequenceToSequenceRegression,
}

impl Task {
    /// Whether the network classifies.
    pub fn is_classification(self) -> bool {
        matches!(
            self,
            Task::SequenceToLabel | Task::SequenceToSequenceClassification
        )
    }

    /// Whether the network answers per time step.
    pub fn is_per_step(self) -> bool {
        matches!(
            self,
            Task::SequenceToSequenceClassification | Task::SequenceToSequenceRegression
        )
    }

    /// A readable name.
    pub fn describe(self) -> &'static str {
        match self {
            Task::SequenceToLabel => "sequence-to-label classification",
            Task::SequenceToSequenceClassification => "sequence-to-sequence classification",
            Task::SequenceToOneRegression => "sequence-to-one regression",
            Task::SequenceToSequenceRegression => "sequence-to-sequence regression",
        }
    }
}

/// The analysis of a whole layer array.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NetworkAnalysis {
    pub layers: Vec<LayerAnalysis>,
    /// Errors of the network as a whole (and every layer error, repeated here).
    pub errors: Vec<String>,
    pub warnings: Vec<String>,
    /// The task, when the network is valid.
    pub task: Option<Task>,
}

impl NetworkAnalysis {
    /// Whether the network can be built and trained.
    pub fn is_valid(&self) -> bool {
        self.errors.is_empty()
    }

    /// The total number of learnable values.
    pub fn total_learnables(&self) -> usize {
        self.layers.iter().map(LayerAnalysis::learnable_count).sum()
    }

    /// The layer array as MATLAB displays it, with the activation size and learnables added.
    pub fn table(&self, layers: &[LayerSpec]) -> String {
        let mut out = format!("  {}x1 Layer array with layers:\n\n", self.layers.len());
        let type_w = self
            .layers
            .iter()
            .map(|l| l.type_name.len())
            .max()
            .unwrap_or(0)
            .max(4);
        let name_w = layers
            .iter()
            .map(|l| l.name.len() + 2)
            .max()
            .unwrap_or(2)
            .max(4);
        let desc_w = self
            .layers
            .iter()
            .map(|l| l.description.len())
            .max()
            .unwrap_or(0);
        for (i, (a, spec)) in self.layers.iter().zip(layers).enumerate() {
            let shown_name = format!("'{}'", spec.name);
            let size = a
                .activation
                .map(Activation::display)
                .unwrap_or_else(|| "?".into());
            let learn = if a.learnables.is_empty() {
                String::new()
            } else {
                let parts: Vec<String> = a
                    .learnables
                    .iter()
                    .map(|p| format!("{} {}", p.name, p.shape_text()))
                    .collect();
                format!("  {}", parts.join(", "))
            };
            out.push_str(&format!(
                "  {:>4}   {:<name_w$}   {:<type_w$}   {:<desc_w$}   {:>7}{}\n",
                i + 1,
                shown_name,
                a.type_name,
                a.description,
                size,
                learn
            ));
        }
        out.push_str(&format!(
            "\n  Total learnables: {}\n",
            self.total_learnables()
        ));
        if let Some(t) = self.task {
            out.push_str(&format!("  Task: {}\n", t.describe()));
        }
        for w in &self.warnings {
            out.push_str(&format!("  Warning: {w}\n"));
        }
        for e in &self.errors {
            out.push_str(&format!("  Error: {e}\n"));
        }
        out
    }
}

fn check_recurrent(
    name: &str,
    r: &RecurrentSpec,
    gates: usize,
    directions: usize,
    errors: &mut Vec<String>,
) {
    if r.num_hidden_units == 0 {
        errors.push(format!(
            "{name}: NumHiddenUnits must be a positive integer, got 0"
        ));
    }
    if r.input_size == Some(0) {
        errors.push(format!(
            "{name}: InputSize must be a positive integer or 'auto', got 0"
        ));
    }
    for (prop, f) in r.factors() {
        if let Err(e) = f.check(gates) {
            errors.push(format!("{name}: {prop} {e}"));
        }
    }
    let want = r.num_hidden_units * directions;
    for (prop, state) in [
        ("HiddenState", &r.hidden_state),
        ("CellState", &r.cell_state),
    ] {
        if let Some(v) = state {
            if v.len() != want {
                errors.push(format!(
                    "{name}: {prop} must have {want} values (NumHiddenUnits{}), got {}",
                    if directions == 2 {
                        " × 2 directions"
                    } else {
                        ""
                    },
                    v.len()
                ));
            } else if v.iter().any(|x| !x.is_finite()) {
                errors.push(format!("{name}: {prop} must be finite numbers"));
            }
        }
    }
}

/// Analyses a layer array: names are assigned on a copy, so the result's names are the ones
/// the network will have.
pub fn analyze(layers: &[LayerSpec]) -> NetworkAnalysis {
    let mut named = layers.to_vec();
    assign_names(&mut named);
    let mut errors = Vec::new();
    let mut warnings = Vec::new();
    let mut out_layers = Vec::new();

    let mut seen = std::collections::HashSet::new();
    for l in &named {
        if !seen.insert(l.name.clone()) {
            errors.push(format!("{}: the layer name is used more than once", l.name));
        }
    }
    if named.is_empty() {
        errors.push("The network has no layers".into());
    } else if !matches!(named[0].kind, LayerKind::SequenceInput(_)) {
        errors.push(
            "The network has no input layer: the first layer must be a sequence input layer".into(),
        );
    }

    let mut act: Option<Activation> = None;
    let mut output_layer: Option<(usize, bool)> = None;
    let mut recurrent_count = 0;
    for (i, l) in named.iter().enumerate() {
        let name = l.name.as_str();
        let mut lerr = Vec::new();
        let mut learnables = Vec::new();
        let mut states = Vec::new();
        if output_layer.is_some() {
            lerr.push(format!(
                "{name}: an output layer must be the last layer, but this layer follows it"
            ));
        }
        let input = act;
        let next;
        match &l.kind {
            LayerKind::SequenceInput(s) => {
                if i != 0 {
                    lerr.push(format!(
                        "{name}: a sequence input layer must be the first layer"
                    ));
                }
                if s.input_size == 0 {
                    lerr.push(format!(
                        "{name}: InputSize must be a positive integer, got 0"
                    ));
                }
                if s.min_length == 0 {
                    lerr.push(format!(
                        "{name}: MinLength must be a positive integer, got 0"
                    ));
                }
                next = Some(Activation::Sequence(s.input_size));
            }
            LayerKind::Lstm(r) | LayerKind::Bilstm(r) | LayerKind::Gru(r) => {
                recurrent_count += 1;
                let (gates, dirs) = match &l.kind {
                    LayerKind::Lstm(_) => (4, 1),
                    LayerKind::Bilstm(_) => (4, 2),
                    _ => (3, 1),
                };
                check_recurrent(name, r, gates, dirs, &mut lerr);
                if matches!(l.kind, LayerKind::Gru(_)) && r.cell_state.is_some() {
                    lerr.push(format!("{name}: a GRU layer has no CellState"));
                }
                if matches!(l.kind, LayerKind::Gru(_))
                    && r.bias_initializer == crate::spec::BiasInitializer::UnitForgetGate
                {
                    lerr.push(format!(
                        "{name}: BiasInitializer 'unit-forget-gate' needs a forget gate; a GRU layer takes 'zeros', 'narrow-normal' or 'ones'"
                    ));
                }
                let h = r.num_hidden_units;
                let c = match input {
                    Some(Activation::Sequence(c)) => {
                        if let Some(fixed) = r.input_size
                            && fixed != c
                        {
                            lerr.push(format!(
                                "{name}: InputSize is {fixed} but the layer before outputs {c} channels"
                            ));
                        }
                        c
                    }
                    Some(Activation::Vector(_)) => {
                        lerr.push(format!(
                            "{name}: its input is not a sequence: every recurrent layer before the last must use OutputMode 'sequence'"
                        ));
                        r.input_size.unwrap_or(0)
                    }
                    None => r.input_size.unwrap_or(0),
                };
                let g = gates * dirs * h;
                learnables.push(ParameterInfo::new("InputWeights", &[g, c]));
                learnables.push(ParameterInfo::new("RecurrentWeights", &[g, h]));
                learnables.push(ParameterInfo::new("Bias", &[g]));
                states.push(ParameterInfo::new("HiddenState", &[dirs * h]));
                if gates == 4 {
                    states.push(ParameterInfo::new("CellState", &[dirs * h]));
                }
                let out = dirs * h;
                next = Some(match r.output_mode {
                    OutputMode::Sequence => Activation::Sequence(out),
                    OutputMode::Last => Activation::Vector(out),
                });
            }
            LayerKind::FullyConnected(f) => {
                if f.output_size == 0 {
                    lerr.push(format!(
                        "{name}: OutputSize must be a positive integer, got 0"
                    ));
                }
                for (prop, v) in [
                    ("WeightsLearnRateFactor", f.weights_learn_rate_factor),
                    ("BiasLearnRateFactor", f.bias_learn_rate_factor),
                    ("WeightsL2Factor", f.weights_l2_factor),
                    ("BiasL2Factor", f.bias_l2_factor),
                ] {
                    if !(v.is_finite() && v >= 0.0) {
                        lerr.push(format!(
                            "{name}: {prop} must be a nonnegative scalar, got {}",
                            format_number(v)
                        ));
                    }
                }
                let c = input
                    .map(Activation::channels)
                    .or(f.input_size)
                    .unwrap_or(0);
                if let (Some(fixed), Some(a)) = (f.input_size, input)
                    && fixed != a.channels()
                {
                    lerr.push(format!(
                        "{name}: InputSize is {fixed} but the layer before outputs {} channels",
                        a.channels()
                    ));
                }
                learnables.push(ParameterInfo::new("Weights", &[f.output_size, c]));
                learnables.push(ParameterInfo::new("Bias", &[f.output_size]));
                next = input.map(|a| match a {
                    Activation::Sequence(_) => Activation::Sequence(f.output_size),
                    Activation::Vector(_) => Activation::Vector(f.output_size),
                });
            }
            LayerKind::Dropout { probability } => {
                if !(probability.is_finite() && (0.0..1.0).contains(probability)) {
                    lerr.push(format!(
                        "{name}: Probability must be a number in [0, 1), got {}",
                        format_number(*probability)
                    ));
                }
                next = input;
            }
            LayerKind::Softmax => {
                if !matches!(
                    named.get(i + 1).map(|n| &n.kind),
                    Some(LayerKind::Classification { .. })
                ) {
                    warnings.push(format!(
                        "{name}: a softmax layer is usually followed by a classification layer"
                    ));
                }
                next = input;
            }
            LayerKind::Classification { classes } => {
                if i == 0 || !matches!(named[i - 1].kind, LayerKind::Softmax) {
                    lerr.push(format!(
                        "{name}: a classification layer must be preceded by a softmax layer"
                    ));
                }
                if let (Some(c), Some(a)) = (classes, input)
                    && !c.is_empty()
                    && c.len() != a.channels()
                {
                    lerr.push(format!(
                        "{name}: Classes has {} names but the layer before outputs {} channels",
                        c.len(),
                        a.channels()
                    ));
                }
                output_layer = Some((i, true));
                next = input;
            }
            LayerKind::Regression => {
                if i > 0 && matches!(named[i - 1].kind, LayerKind::Softmax) {
                    warnings.push(format!(
                        "{name}: a regression layer after a softmax layer regresses probabilities"
                    ));
                }
                output_layer = Some((i, false));
                next = input;
            }
        }
        if input.is_none() && i > 0 && act.is_none() && errors.is_empty() && lerr.is_empty() {
            // The size could not be worked out because of an earlier problem; nothing to add.
        }
        act = next;
        errors.extend(lerr.iter().cloned());
        out_layers.push(LayerAnalysis {
            name: l.name.clone(),
            type_name: l.layer_type().display_name().into(),
            description: l.description(),
            activation: act,
            learnables,
            states,
            errors: lerr,
        });
    }

    let mut task = None;
    match output_layer {
        None if !named.is_empty() => errors.push(
            "The network has no output layer: the last layer must be a classification or regression layer".into(),
        ),
        Some((i, classification)) => {
            if i + 1 != named.len() {
                // already reported on the following layers
            }
            if recurrent_count == 0 {
                warnings.push("The network has no recurrent layer: time steps are treated independently".into());
            }
            let per_step = matches!(act, Some(Activation::Sequence(_)));
            task = Some(match (classification, per_step) {
                (true, false) => Task::SequenceToLabel,
                (true, true) => Task::SequenceToSequenceClassification,
                (false, false) => Task::SequenceToOneRegression,
                (false, true) => Task::SequenceToSequenceRegression,
            });
        }
        None => {}
    }
    if !errors.is_empty() {
        task = None;
    }
    NetworkAnalysis {
        layers: out_layers,
        errors,
        warnings,
        task,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::layers::{GateFactor, LayerType, canonical_network};

    #[test]
    fn canonical_network_sizes_and_learnables() {
        let a = analyze(&canonical_network());
        assert!(a.is_valid(), "{:?}", a.errors);
        let sizes: Vec<String> = a
            .layers
            .iter()
            .map(|l| l.activation.unwrap().display())
            .collect();
        assert_eq!(sizes, ["12×T", "100", "9", "9", "9"]);
        // 400×12 + 400×100 + 400 + 9×100 + 9
        assert_eq!(a.total_learnables(), 4800 + 40000 + 400 + 900 + 9);
        assert_eq!(a.task, Some(Task::SequenceToLabel));
        assert_eq!(a.layers[1].description, "LSTM with 100 hidden units");
        assert_eq!(a.layers[2].description, "9 fully connected layer");
    }

    #[test]
    fn bad_factor_names_layer_and_property() {
        let mut net = canonical_network();
        net[1].recurrent_mut().unwrap().bias_learn_rate_factor = GateFactor(vec![1.0, 2.0]);
        let a = analyze(&net);
        assert!(
            a.errors.contains(&"lstm: BiasLearnRateFactor must be a nonnegative scalar or a 1×4 vector, got [1 2]".to_string()),
            "{:?}",
            a.errors
        );
    }

    #[test]
    fn lstm_after_last_mode_is_an_error() {
        let mut net = canonical_network();
        net.insert(2, LayerType::Lstm.default_layer());
        let a = analyze(&net);
        assert!(
            a.errors
                .iter()
                .any(|e| e.starts_with("lstm_2: its input is not a sequence")),
            "{:?}",
            a.errors
        );
    }

    #[test]
    fn missing_input_softmax_and_state_length_are_errors() {
        let mut net = canonical_network();
        net.remove(3); // softmax
        net[1].recurrent_mut().unwrap().hidden_state = Some(vec![0.0; 3]);
        net.remove(0);
        let a = analyze(&net);
        let all = a.errors.join("\n");
        assert!(all.contains("no input layer"), "{all}");
        assert!(
            all.contains("classoutput: a classification layer must be preceded by a softmax layer"),
            "{all}"
        );
        assert!(
            all.contains("lstm: HiddenState must have 100 values (NumHiddenUnits), got 3"),
            "{all}"
        );
    }

    #[test]
    fn output_layer_not_last_is_an_error() {
        let mut net = canonical_network();
        net.push(LayerType::Dropout.default_layer());
        let a = analyze(&net);
        assert!(
            a.errors
                .iter()
                .any(|e| e.contains("output layer must be the last layer")),
            "{:?}",
            a.errors
        );
    }

    #[test]
    fn fixed_input_size_mismatch_is_reported() {
        let mut net = canonical_network();
        net[1].recurrent_mut().unwrap().input_size = Some(10);
        let a = analyze(&net);
        assert!(a.errors.contains(
            &"lstm: InputSize is 10 but the layer before outputs 12 channels".to_string()
        ));
    }

    #[test]
    fn display_table_matches_matlab_columns() {
        let net = canonical_network();
        let mut named = net.clone();
        assign_names(&mut named);
        let t = analyze(&net).table(&named);
        assert!(t.starts_with("  5x1 Layer array with layers:"));
        assert!(t.contains("'lstm'"));
        assert!(t.contains("Classification Output"));
        assert!(t.contains("crossentropyex"));
    }
}
