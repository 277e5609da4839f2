//! The property inspector: every MATLAB property of the selected layer with a fitting widget —
//! integer and number fields, drop-downs for the enumerations, the six learn-rate/L2 factors
//! as two compact grids (InputWeights / RecurrentWeights / Bias × the gates, each row one
//! scalar or one value per gate), HiddenState/CellState as zeros or custom values, the
//! learnables with their shapes (and, after training, their statistics), and a gate diagram.
//!
//! Validation is live: a value that does not parse is reported under its field as it is
//! typed; a value that parses is applied at once and `spec::analyze`'s message for that
//! property is shown under the field. The inspector edits a copy of the layer and returns one
//! [`NetworkAction::EditLayer`] when the copy differs.

use std::collections::HashMap;

use egui::RichText;

use crate::data::Normalization;
use crate::spec::layers::{GRU_GATES, LSTM_GATES};
use crate::spec::{
    BiasInitializer, FullyConnectedSpec, GateActivation, GateFactor, LayerAnalysis, LayerKind,
    LayerSpec, LayerType, NetworkAnalysis, OutputMode, RecurrentSpec, ResetGateMode,
    SequenceInputSpec, StateActivation, WeightsInitializer, format_number,
};
use crate::ui::library::layer_color;
use crate::ui::network::NetworkAction;
use crate::worker::ModelInfo;

/// Width of a number field.
const FIELD_W: f32 = 120.0;
/// Width of a cell of the factor grids.
const CELL_W: f32 = 50.0;

/// The inspector's own state: text typed but not (or not yet) valid.
#[derive(Default)]
pub struct InspectorState {
    /// Field text while a field is being edited, by field key.
    buffers: HashMap<String, String>,
    /// Parse errors of the buffers, by field key.
    parse_errors: HashMap<String, String>,
    /// The document revision the buffers belong to.
    revision: u64,
}

impl InspectorState {
    /// Drops every buffer (after the project changed under the fields).
    pub fn clear_buffers(&mut self) {
        self.buffers.clear();
        self.parse_errors.clear();
    }

    /// Drops the buffers when the document was replaced (undo, redo, open, …).
    pub fn sync(&mut self, revision: u64) {
        if revision != self.revision {
            self.revision = revision;
            self.clear_buffers();
        }
    }
}

/// What one frame of the inspector edited.
struct Edit<'a> {
    state: &'a mut InspectorState,
    /// Analysis messages of this layer.
    errors: &'a [String],
    /// The merge key of the field typed into, if the edit came from typing.
    merge_key: Option<String>,
    /// Whether anything changed.
    changed: bool,
}

impl Edit<'_> {
    fn typed(&mut self, key: &str) {
        self.changed = true;
        self.merge_key = Some(key.to_string());
    }

    fn picked(&mut self) {
        self.changed = true;
        self.merge_key = None;
    }

    /// Analysis messages about `prop`, without the leading layer name.
    fn messages(&self, prop: &str) -> Vec<String> {
        let needle = format!(": {prop} ");
        self.errors
            .iter()
            .filter(|e| e.contains(&needle))
            .map(|e| {
                e.split_once(": ")
                    .map(|(_, m)| m.to_string())
                    .unwrap_or_else(|| e.clone())
            })
            .collect()
    }

    /// A text field holding a value of type T. Returns the value when the user typed one
    /// that parses; otherwise shows the parse error under the field.
    fn parsed<T>(
        &mut self,
        ui: &mut egui::Ui,
        key: &str,
        shown: String,
        width: f32,
        name: &str,
        parse: impl Fn(&str) -> Result<T, String>,
    ) -> Option<T> {
        let id = ui.make_persistent_id(("inspector-field", key));
        let mut text = self.state.buffers.get(key).cloned().unwrap_or(shown);
        let resp = ui
            .add(
                egui::TextEdit::singleline(&mut text)
                    .id(id)
                    .desired_width(width),
            )
            .accessible_name(name);
        let mut out = None;
        if resp.changed() {
            match parse(text.trim()) {
                Ok(v) => {
                    self.state.parse_errors.remove(key);
                    out = Some(v);
                }
                Err(e) => {
                    self.state.parse_errors.insert(key.to_string(), e);
                }
            }
        }
        if resp.has_focus() || resp.changed() {
            self.state.buffers.insert(key.to_string(), text);
        } else {
            self.state.buffers.remove(key);
            self.state.parse_errors.remove(key);
        }
        if resp.lost_focus() {
            self.state.buffers.remove(key);
            self.state.parse_errors.remove(key);
        }
        out
    }

    fn parse_error(&self, key: &str) -> Option<&String> {
        self.state.parse_errors.get(key)
    }
}

/// Parses a positive or zero integer (analysis reports zero where it is invalid).
fn parse_count(s: &str) -> Result<usize, String> {
    s.parse::<usize>()
        .map_err(|_| format!("'{s}' is not a whole number"))
}

/// Parses an integer or 'auto'.
fn parse_auto(s: &str) -> Result<Option<usize>, String> {
    if s.is_empty() || s.trim_matches('\'').eq_ignore_ascii_case("auto") {
        Ok(None)
    } else {
        parse_count(s)
            .map(Some)
            .map_err(|e| format!("{e} (or 'auto')"))
    }
}

/// Parses a number as MATLAB writes it (`Inf` included).
fn parse_number(s: &str) -> Result<f64, String> {
    match s.to_ascii_lowercase().as_str() {
        "inf" => Ok(f64::INFINITY),
        "-inf" => Ok(f64::NEG_INFINITY),
        _ => s
            .parse::<f64>()
            .map_err(|_| format!("'{s}' is not a number")),
    }
}

/// Parses a list of numbers: `[0.1 0.2; 0.3]`, `0.1, 0.2`.
pub fn parse_numbers(s: &str) -> Result<Vec<f64>, String> {
    s.split(|c: char| c.is_whitespace() || matches!(c, ',' | ';' | '[' | ']'))
        .filter(|t| !t.is_empty())
        .map(parse_number)
        .collect()
}

/// Formats numbers as a MATLAB row vector's contents.
fn numbers_text(v: &[f64]) -> String {
    v.iter()
        .map(|x| format_number(*x))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Draws the inspector for `selected`.
#[allow(clippy::too_many_arguments)]
pub fn inspector_ui(
    ui: &mut egui::Ui,
    state: &mut InspectorState,
    layers: &[LayerSpec],
    analysis: &NetworkAnalysis,
    selected: Option<usize>,
    model: Option<&ModelInfo>,
    actions: &mut Vec<NetworkAction>,
) {
    ui.add_space(4.0);
    ui.heading("Properties");
    let (Some(index), Some(layer)) = (selected, selected.and_then(|i| layers.get(i))) else {
        ui.add_space(8.0);
        ui.label(RichText::new("Select a layer to see and edit its properties.").weak());
        return;
    };
    let Some(la) = analysis.layers.get(index) else {
        return;
    };
    let mut edited = layer.clone();
    let mut edit = Edit {
        state,
        errors: &la.errors,
        merge_key: None,
        changed: false,
    };
    egui::ScrollArea::vertical()
        .auto_shrink([false, false])
        .show(ui, |ui| {
            ui.spacing_mut().item_spacing.y = 5.0;
            title_ui(ui, layer, la);
            name_ui(ui, &mut edit, &mut edited, la);
            let props = layer.layer_type().properties();
            let unplaced: Vec<&String> = la
                .errors
                .iter()
                .filter(|e| !props.iter().any(|p| e.contains(&format!(": {p} "))))
                .collect();
            for e in unplaced {
                ui.colored_label(ui.visuals().error_fg_color, e.as_str());
            }
            ui.add_space(4.0);
            match &mut edited.kind {
                LayerKind::SequenceInput(s) => sequence_input_ui(ui, &mut edit, s),
                LayerKind::Lstm(r) => recurrent_ui(ui, &mut edit, r, LayerType::Lstm),
                LayerKind::Bilstm(r) => recurrent_ui(ui, &mut edit, r, LayerType::Bilstm),
                LayerKind::Gru(r) => recurrent_ui(ui, &mut edit, r, LayerType::Gru),
                LayerKind::FullyConnected(f) => fully_connected_ui(ui, &mut edit, f),
                LayerKind::Dropout { probability } => dropout_ui(ui, &mut edit, probability),
                LayerKind::Classification { classes } => classes_ui(ui, &mut edit, classes),
                LayerKind::Softmax | LayerKind::Regression => {
                    ui.label(RichText::new("This layer has no properties to set.").weak());
                }
            }
            if !la.learnables.is_empty() || !la.states.is_empty() {
                ui.add_space(6.0);
                egui::CollapsingHeader::new(RichText::new("Learnables and states").strong())
                    .default_open(true)
                    .show(ui, |ui| learnables_ui(ui, la, model));
            }
        });
    if edit.changed && edited != *layer {
        actions.push(NetworkAction::EditLayer {
            index,
            layer: Box::new(edited),
            merge_key: edit.merge_key,
        });
    }
}

fn title_ui(ui: &mut egui::Ui, layer: &LayerSpec, la: &LayerAnalysis) {
    let ty = layer.layer_type();
    ui.horizontal(|ui| {
        let (r, _) = ui.allocate_exact_size(egui::vec2(5.0, 34.0), egui::Sense::hover());
        ui.painter().rect_filled(r, 2.0, layer_color(ty));
        ui.vertical(|ui| {
            ui.label(
                RichText::new(format!("{} — {}", la.name, ty.display_name()))
                    .size(16.0)
                    .strong(),
            );
            ui.label(
                RichText::new(format!("{}   ·   {}", ty.constructor(), la.description)).weak(),
            );
        });
    });
    ui.separator();
}

/// A row label with the property's documentation on hover; returns its id for `labelled_by`.
fn prop_label(ui: &mut egui::Ui, name: &str, doc: &str) -> egui::Id {
    ui.label(name).on_hover_text(doc).id
}

/// The messages for `prop` (parse error of `key` first), in red, under a field.
fn messages_ui(ui: &mut egui::Ui, edit: &Edit, key: &str, prop: &str) {
    let mut msgs: Vec<String> = edit.parse_error(key).cloned().into_iter().collect();
    msgs.extend(edit.messages(prop));
    for m in msgs {
        error_label(ui, m);
    }
}

/// One validation message, small and red, wrapped under its field.
fn error_label(ui: &mut egui::Ui, message: String) {
    ui.add(
        egui::Label::new(
            RichText::new(message)
                .small()
                .color(ui.visuals().error_fg_color),
        )
        .wrap(),
    );
}

/// A labelled row: the MATLAB property name on the left, the widget and its messages on the
/// right.
fn row(
    ui: &mut egui::Ui,
    edit: &mut Edit,
    prop: &str,
    doc: &str,
    add: impl FnOnce(&mut egui::Ui, &mut Edit),
) {
    let label = prop_label(ui, prop, doc);
    ui.vertical(|ui| {
        add(ui, edit);
        messages_ui(ui, edit, prop, prop);
    })
    .response
    .labelled_by(label);
    ui.end_row();
}

fn count_field(ui: &mut egui::Ui, edit: &mut Edit, prop: &str, value: &mut usize) {
    if let Some(v) = edit.parsed(ui, prop, value.to_string(), FIELD_W, prop, parse_count) {
        *value = v;
        edit.typed(prop);
    }
}

fn number_field(
    ui: &mut egui::Ui,
    edit: &mut Edit,
    key: &str,
    name: &str,
    value: &mut f64,
    width: f32,
) {
    if let Some(v) = edit.parsed(ui, key, format_number(*value), width, name, parse_number) {
        *value = v;
        edit.typed(key);
    }
}

fn auto_field(ui: &mut egui::Ui, edit: &mut Edit, prop: &str, value: &mut Option<usize>) {
    let shown = value
        .map(|v| v.to_string())
        .unwrap_or_else(|| "auto".into());
    if let Some(v) = edit.parsed(ui, prop, shown, FIELD_W, prop, parse_auto) {
        *value = v;
        edit.typed(prop);
    }
}

/// A drop-down over an enumeration's values, shown by their MATLAB names.
fn choice<T: Copy + PartialEq>(
    ui: &mut egui::Ui,
    edit: &mut Edit,
    prop: &str,
    value: &mut T,
    all: &[T],
    name: fn(T) -> &'static str,
) {
    let before = *value;
    egui::ComboBox::from_id_salt(("inspector-choice", prop))
        .selected_text(name(*value))
        .width(FIELD_W + 40.0)
        .show_ui(ui, |ui| {
            for &v in all {
                ui.selectable_value(value, v, name(v));
            }
        })
        .response
        .accessible_name(prop);
    if *value != before {
        edit.picked();
    }
}

fn grid(ui: &mut egui::Ui, id: &str, add: impl FnOnce(&mut egui::Ui)) {
    egui::Grid::new(id)
        .num_columns(2)
        .spacing([12.0, 6.0])
        .min_col_width(120.0)
        .striped(false)
        .show(ui, add);
}

fn name_ui(ui: &mut egui::Ui, edit: &mut Edit, layer: &mut LayerSpec, la: &LayerAnalysis) {
    grid(ui, "inspector-name", |ui| {
        let label = prop_label(
            ui,
            "Name",
            "The layer's name; empty = assigned automatically (lstm, fc, …)",
        );
        ui.vertical(|ui| {
            let mut text = layer.name.clone();
            let resp = ui
                .add(
                    egui::TextEdit::singleline(&mut text)
                        .desired_width(FIELD_W + 40.0)
                        .hint_text(format!("{} (automatic)", la.name)),
                )
                .labelled_by(label);
            if resp.changed() {
                layer.name = text.trim().to_string();
                edit.typed("Name");
            }
            messages_ui(ui, edit, "Name", "Name");
            if la
                .errors
                .iter()
                .any(|e| e.contains("name is used more than once"))
            {
                ui.colored_label(
                    ui.visuals().error_fg_color,
                    RichText::new("the layer name is used more than once").small(),
                );
            }
        });
        ui.end_row();
    });
}

fn sequence_input_ui(ui: &mut egui::Ui, edit: &mut Edit, s: &mut SequenceInputSpec) {
    grid(ui, "inspector-sequence-input", |ui| {
        row(
            ui,
            edit,
            "InputSize",
            "C: the number of features at each time step",
            |ui, edit| count_field(ui, edit, "InputSize", &mut s.input_size),
        );
        row(
            ui,
            edit,
            "Normalization",
            "Input normalization, with statistics from the training data",
            |ui, edit| {
                choice(
                    ui,
                    edit,
                    "Normalization",
                    &mut s.normalization,
                    &Normalization::ALL,
                    Normalization::matlab_name,
                )
            },
        );
        row(
            ui,
            edit,
            "MinLength",
            "The shortest sequence the network accepts",
            |ui, edit| count_field(ui, edit, "MinLength", &mut s.min_length),
        );
    });
}

fn recurrent_ui(ui: &mut egui::Ui, edit: &mut Edit, r: &mut RecurrentSpec, ty: LayerType) {
    let gru = ty == LayerType::Gru;
    grid(ui, "inspector-recurrent", |ui| {
        row(
            ui,
            edit,
            "InputSize",
            "The number of input channels: 'auto' takes it from the layer before",
            |ui, edit| auto_field(ui, edit, "InputSize", &mut r.input_size),
        );
        row(
            ui,
            edit,
            "NumHiddenUnits",
            "H: the number of hidden units (the size of the hidden and cell states)",
            |ui, edit| count_field(ui, edit, "NumHiddenUnits", &mut r.num_hidden_units),
        );
        row(
            ui,
            edit,
            "OutputMode",
            "'sequence': an output at every time step; 'last': only the last (real) time step",
            |ui, edit| {
                choice(
                    ui,
                    edit,
                    "OutputMode",
                    &mut r.output_mode,
                    OutputMode::ALL,
                    OutputMode::matlab_name,
                )
            },
        );
        row(
            ui,
            edit,
            "StateActivationFunction",
            "σc: the activation of the cell candidate and the cell state",
            |ui, edit| {
                choice(
                    ui,
                    edit,
                    "StateActivationFunction",
                    &mut r.state_activation,
                    StateActivation::ALL,
                    StateActivation::matlab_name,
                )
            },
        );
        row(
            ui,
            edit,
            "GateActivationFunction",
            "σg: the activation of the gates",
            |ui, edit| {
                choice(
                    ui,
                    edit,
                    "GateActivationFunction",
                    &mut r.gate_activation,
                    GateActivation::ALL,
                    GateActivation::matlab_name,
                )
            },
        );
        if gru {
            row(
                ui,
                edit,
                "ResetGateMode",
                "Where the reset gate applies: after or before the recurrent multiplication",
                |ui, edit| {
                    choice(
                        ui,
                        edit,
                        "ResetGateMode",
                        &mut r.reset_gate_mode,
                        ResetGateMode::ALL,
                        ResetGateMode::matlab_name,
                    )
                },
            );
        }
    });
    if !gru {
        ui.add_space(4.0);
        egui::CollapsingHeader::new(RichText::new("Gate diagram").strong())
            .default_open(true)
            .show(ui, |ui| {
                crate::ui::gate_diagram::lstm_diagram_ui(ui, r.state_activation, r.gate_activation)
            });
    }
    let gates: &[&str] = if gru { &GRU_GATES } else { &LSTM_GATES };
    ui.add_space(4.0);
    egui::CollapsingHeader::new(RichText::new("Learn rate and L2 factors").strong())
        .default_open(true)
        .show(ui, |ui| {
            ui.label(
                RichText::new(
                    "Each row: one factor for the whole learnable, or one per gate block",
                )
                .small()
                .weak(),
            );
            let [iw, rw, b, iw2, rw2, b2] = r.factors_mut();
            factor_grid_ui(
                ui,
                edit,
                "LearnRateFactor",
                "× the global learning rate",
                gates,
                [iw, rw, b],
            );
            ui.add_space(6.0);
            factor_grid_ui(
                ui,
                edit,
                "L2Factor",
                "× the global L2 regularization",
                gates,
                [iw2, rw2, b2],
            );
        });
    ui.add_space(4.0);
    egui::CollapsingHeader::new(RichText::new("Initializers").strong())
        .default_open(true)
        .show(ui, |ui| {
            grid(ui, "inspector-initializers", |ui| {
                row(
                    ui,
                    edit,
                    "InputWeightsInitializer",
                    "How InputWeights start",
                    |ui, edit| {
                        choice(
                            ui,
                            edit,
                            "InputWeightsInitializer",
                            &mut r.input_weights_initializer,
                            WeightsInitializer::ALL,
                            WeightsInitializer::matlab_name,
                        )
                    },
                );
                row(
                    ui,
                    edit,
                    "RecurrentWeightsInitializer",
                    "How RecurrentWeights start",
                    |ui, edit| {
                        choice(
                            ui,
                            edit,
                            "RecurrentWeightsInitializer",
                            &mut r.recurrent_weights_initializer,
                            WeightsInitializer::ALL,
                            WeightsInitializer::matlab_name,
                        )
                    },
                );
                row(
                    ui,
                    edit,
                    "BiasInitializer",
                    "How Bias starts ('unit-forget-gate': forget-gate bias 1, others 0)",
                    |ui, edit| {
                        choice(
                            ui,
                            edit,
                            "BiasInitializer",
                            &mut r.bias_initializer,
                            BiasInitializer::ALL,
                            BiasInitializer::matlab_name,
                        )
                    },
                );
            });
        });
    ui.add_space(4.0);
    let directions = if ty == LayerType::Bilstm { 2 } else { 1 };
    let want = r.num_hidden_units * directions;
    egui::CollapsingHeader::new(RichText::new("Initial states").strong())
        .default_open(true)
        .show(ui, |ui| {
            grid(ui, "inspector-states", |ui| {
                row(
                    ui,
                    edit,
                    "HiddenState",
                    "h₀: the hidden state at the first time step (and after resetState)",
                    |ui, edit| state_ui(ui, edit, "HiddenState", &mut r.hidden_state, want),
                );
                if !gru {
                    row(
                        ui,
                        edit,
                        "CellState",
                        "c₀: the cell state at the first time step (and after resetState)",
                        |ui, edit| state_ui(ui, edit, "CellState", &mut r.cell_state, want),
                    );
                }
            });
        });
}

/// One grid of three factors (InputWeights / RecurrentWeights / Bias) × the gates.
fn factor_grid_ui(
    ui: &mut egui::Ui,
    edit: &mut Edit,
    suffix: &str,
    doc: &str,
    gates: &[&str],
    factors: [(&'static str, &mut GateFactor); 3],
) {
    ui.label(RichText::new(suffix).strong()).on_hover_text(doc);
    let mut messages: Vec<String> = Vec::new();
    egui::Grid::new(("factor-grid", suffix))
        .num_columns(gates.len() + 2)
        .spacing([6.0, 4.0])
        .show(ui, |ui| {
            ui.label("");
            ui.label(RichText::new("per gate").small().weak());
            for g in gates {
                ui.label(RichText::new(*g).small().weak());
            }
            ui.end_row();
            for (prop, factor) in factors {
                let row_name = prop.strip_suffix(suffix).unwrap_or(prop);
                ui.label(row_name).on_hover_text(format!("{prop}: {doc}"));
                let valid_len = factor.0.len() == 1 || factor.0.len() == gates.len();
                let mut per_gate = factor.is_per_gate();
                let resp = ui
                    .add_enabled(valid_len, egui::Checkbox::without_text(&mut per_gate))
                    .accessible_name(format!("{prop} per gate"));
                let resp = resp.on_hover_text(
                    "One value per gate block (input, forget, cell candidate, output)",
                );
                if resp.changed() {
                    factor.0 = if per_gate {
                        vec![factor.for_gate(0); gates.len()]
                    } else {
                        vec![factor.for_gate(0)]
                    };
                    edit.picked();
                }
                if !valid_len {
                    let key = format!("{prop}/vector");
                    if let Some(v) =
                        edit.parsed(ui, &key, factor.to_matlab(), CELL_W * 3.0, prop, |s| {
                            parse_numbers(s).map(GateFactor)
                        })
                    {
                        *factor = v;
                        edit.typed(&key);
                    }
                    for _ in 1..gates.len() {
                        ui.label("");
                    }
                } else if factor.is_per_gate() {
                    for (g, gate) in gates.iter().enumerate() {
                        let key = format!("{prop}/{gate}");
                        let mut v = factor.for_gate(g);
                        number_field(ui, edit, &key, &format!("{prop} ({gate})"), &mut v, CELL_W);
                        if let Some(slot) = factor.0.get_mut(g) {
                            *slot = v;
                        }
                    }
                } else {
                    let key = format!("{prop}/all");
                    let mut v = factor.for_gate(0);
                    number_field(ui, edit, &key, prop, &mut v, CELL_W);
                    factor.0 = vec![v];
                    ui.label(RichText::new("all gates").small().weak());
                    for _ in 2..gates.len() {
                        ui.label("");
                    }
                }
                ui.end_row();
                for key in [format!("{prop}/vector"), format!("{prop}/all")]
                    .iter()
                    .chain(
                        gates
                            .iter()
                            .map(|g| format!("{prop}/{g}"))
                            .collect::<Vec<_>>()
                            .iter(),
                    )
                {
                    if let Some(e) = edit.parse_error(key) {
                        messages.push(format!("{prop}: {e}"));
                    }
                }
                messages.extend(edit.messages(prop));
            }
        });
    for m in messages {
        error_label(ui, m);
    }
}

/// HiddenState / CellState: zeros, or custom values.
fn state_ui(
    ui: &mut egui::Ui,
    edit: &mut Edit,
    prop: &str,
    state: &mut Option<Vec<f64>>,
    want: usize,
) {
    ui.horizontal(|ui| {
        let mut custom = state.is_some();
        let a = ui.radio_value(&mut custom, false, "zeros");
        let b = ui.radio_value(&mut custom, true, "custom");
        if a.changed() || b.changed() {
            *state = custom.then(|| vec![0.0; want]);
            edit.picked();
        }
    });
    if let Some(values) = state {
        let key = format!("{prop}/values");
        if let Some(v) = edit.parsed(
            ui,
            &key,
            numbers_text(values),
            FIELD_W + 120.0,
            prop,
            parse_numbers,
        ) {
            *values = v;
            edit.typed(&key);
        }
        ui.label(
            RichText::new(format!("{} of {want} values", values.len()))
                .small()
                .weak(),
        );
        if let Some(e) = edit.parse_error(&key).cloned() {
            ui.colored_label(ui.visuals().error_fg_color, RichText::new(e).small());
        }
    }
}

fn fully_connected_ui(ui: &mut egui::Ui, edit: &mut Edit, f: &mut FullyConnectedSpec) {
    grid(ui, "inspector-fc", |ui| {
        row(
            ui,
            edit,
            "OutputSize",
            "K: the number of outputs",
            |ui, edit| count_field(ui, edit, "OutputSize", &mut f.output_size),
        );
        row(
            ui,
            edit,
            "InputSize",
            "The number of inputs: 'auto' takes it from the layer before",
            |ui, edit| auto_field(ui, edit, "InputSize", &mut f.input_size),
        );
        for (prop, doc, value) in [
            (
                "WeightsLearnRateFactor",
                "× the global learning rate for Weights",
                &mut f.weights_learn_rate_factor,
            ),
            (
                "BiasLearnRateFactor",
                "× the global learning rate for Bias",
                &mut f.bias_learn_rate_factor,
            ),
            (
                "WeightsL2Factor",
                "× the global L2 regularization for Weights",
                &mut f.weights_l2_factor,
            ),
            (
                "BiasL2Factor",
                "× the global L2 regularization for Bias",
                &mut f.bias_l2_factor,
            ),
        ] {
            row(ui, edit, prop, doc, |ui, edit| {
                number_field(ui, edit, prop, prop, value, FIELD_W)
            });
        }
        row(
            ui,
            edit,
            "WeightsInitializer",
            "How Weights start",
            |ui, edit| {
                choice(
                    ui,
                    edit,
                    "WeightsInitializer",
                    &mut f.weights_initializer,
                    WeightsInitializer::ALL,
                    WeightsInitializer::matlab_name,
                )
            },
        );
        row(
            ui,
            edit,
            "BiasInitializer",
            "How Bias starts",
            |ui, edit| {
                choice(
                    ui,
                    edit,
                    "BiasInitializer",
                    &mut f.bias_initializer,
                    BiasInitializer::ALL,
                    BiasInitializer::matlab_name,
                )
            },
        );
    });
}

fn dropout_ui(ui: &mut egui::Ui, edit: &mut Edit, probability: &mut f64) {
    grid(ui, "inspector-dropout", |ui| {
        row(
            ui,
            edit,
            "Probability",
            "The fraction of inputs set to zero while training, in [0, 1)",
            |ui, edit| number_field(ui, edit, "Probability", "Probability", probability, FIELD_W),
        );
    });
}

fn classes_ui(ui: &mut egui::Ui, edit: &mut Edit, classes: &mut Option<Vec<String>>) {
    grid(ui, "inspector-classes", |ui| {
        row(
            ui,
            edit,
            "Classes",
            "The class names: 'auto' takes them from the training labels",
            |ui, edit| {
                ui.horizontal(|ui| {
                    let mut custom = classes.is_some();
                    let a = ui.radio_value(&mut custom, false, "auto");
                    let b = ui.radio_value(&mut custom, true, "custom");
                    if a.changed() || b.changed() {
                        *classes = custom.then(Vec::new);
                        edit.picked();
                    }
                });
                if let Some(names) = classes {
                    let mut text = names.join(", ");
                    let resp = ui
                        .add(
                            egui::TextEdit::multiline(&mut text)
                                .desired_rows(2)
                                .desired_width(FIELD_W + 120.0),
                        )
                        .accessible_name("Classes");
                    if resp.changed() {
                        *names = text
                            .split([',', '\n'])
                            .map(|s| s.trim().to_string())
                            .filter(|s| !s.is_empty())
                            .collect();
                        edit.typed("Classes");
                    }
                    ui.label(
                        RichText::new(format!("{} classes, separated by commas", names.len()))
                            .small()
                            .weak(),
                    );
                }
            },
        );
    });
}

fn learnables_ui(ui: &mut egui::Ui, la: &LayerAnalysis, model: Option<&ModelInfo>) {
    let trained = model.is_some();
    egui::Grid::new("inspector-learnables")
        .num_columns(if trained { 6 } else { 2 })
        .spacing([10.0, 3.0])
        .striped(true)
        .show(ui, |ui| {
            ui.label(RichText::new("Learnable").strong());
            ui.label(RichText::new("Size").strong());
            if trained {
                for h in ["Mean", "Std", "Min", "Max"] {
                    ui.label(RichText::new(h).strong());
                }
            }
            ui.end_row();
            for p in &la.learnables {
                ui.label(&p.name);
                ui.monospace(p.shape_text());
                if let Some(m) = model {
                    let key = format!("{}/{}", la.name, p.name);
                    match m.learnables.iter().find(|l| l.name == key) {
                        Some(s) => {
                            for v in [s.mean, s.std, s.min, s.max] {
                                ui.monospace(format!("{v:.4}"));
                            }
                        }
                        None => {
                            for _ in 0..4 {
                                ui.label("—");
                            }
                        }
                    }
                }
                ui.end_row();
            }
            for p in &la.states {
                ui.label(RichText::new(&p.name).italics());
                ui.monospace(p.shape_text());
                ui.end_row();
            }
        });
    let total = la.learnable_count();
    ui.label(
        RichText::new(format!(
            "{} learnable values",
            crate::ui::network::thousands(total)
        ))
        .small()
        .weak(),
    );
    if !trained {
        ui.label(
            RichText::new("Statistics appear here after training.")
                .small()
                .weak(),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_parse_as_matlab_writes_them() {
        assert_eq!(parse_numbers("[1 0.5; 2]"), Ok(vec![1.0, 0.5, 2.0]));
        assert_eq!(parse_numbers("1, 2,3"), Ok(vec![1.0, 2.0, 3.0]));
        assert_eq!(parse_number("Inf"), Ok(f64::INFINITY));
        assert!(parse_numbers("1 x").is_err());
        assert_eq!(parse_auto("auto"), Ok(None));
        assert_eq!(parse_auto("12"), Ok(Some(12)));
        assert!(parse_count("-1").is_err());
    }
}
