//! Inside the LSTM: for one sequence of any loaded set and the trained network, the input,
//! the hidden state h_t, the cell state c_t and the four gates (input i, forget f, cell
//! candidate g, output o) of every recurrent layer as units × time heatmaps with a hover
//! read-out, line traces of picked units, units sorted by activity, variance or correlation
//! with the predicted class, and the class scores after each time step (when the network
//! "makes up its mind"). A stateful playground steps through the sequence one time step at a
//! time (classifyAndUpdateState / predictAndUpdateState), resets the state (resetState),
//! edits the layers' initial HiddenState/CellState, and forecasts N steps ahead in closed loop
//! for forecasting networks (each output fed back as the next input).

use std::collections::VecDeque;
use std::hash::{Hash, Hasher};

use egui::Color32;
use egui_plot::{Legend, Line, LineStyle, Plot, PlotPoints, Points, VLine};

use crate::app::Studio;
use crate::spec::LayerKind;
use crate::ui::data::DataRole;
use crate::ui::heatmap::{ColorScale, HeatmapTexture, UnitOrder, unit_order};
use crate::worker::protocol::Inspection;
use crate::worker::{Command, Event};

/// The first time step from which the predicted class never changes again (1-based), given
/// the scores after each step (`steps × k`, time-major). `None` without scores.
pub fn decision_step(scores_per_step: &[f32], k: usize) -> Option<usize> {
    if k == 0 || scores_per_step.len() < k {
        return None;
    }
    let argmax = |row: &[f32]| {
        row.iter()
            .enumerate()
            .fold(
                (0, f32::NEG_INFINITY),
                |b, (i, v)| if *v > b.1 { (i, *v) } else { b },
            )
            .0
    };
    let rows: Vec<usize> = scores_per_step.chunks_exact(k).map(argmax).collect();
    let last = *rows.last()?;
    let mut first = rows.len();
    for (t, r) in rows.iter().enumerate().rev() {
        if *r != last {
            break;
        }
        first = t;
    }
    Some(first + 1)
}

/// Parses "0.1, 0.2, …" or a single value repeated `n` times.
pub fn parse_state(text: &str, n: usize) -> Result<Vec<f64>, String> {
    let vals: Result<Vec<f64>, _> = text
        .split([',', ' ', ';'])
        .filter(|s| !s.trim().is_empty())
        .map(|s| s.trim().parse::<f64>())
        .collect();
    let vals = vals.map_err(|e| format!("not a number list: {e}"))?;
    if vals.iter().any(|v| !v.is_finite()) {
        return Err("values must be finite".into());
    }
    match vals.len() {
        0 => Err("type one value, or one value per unit".into()),
        1 => Ok(vec![vals[0]; n]),
        m if m == n => Ok(vals),
        m => Err(format!(
            "{m} values given, the layer needs {n} (NumHiddenUnits × directions)"
        )),
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Expect {
    /// Observed step(s) up to (exclusive) this step.
    Observed(usize),
    /// A closed-loop forecast step.
    Forecast,
}

/// The stateful playground's state.
#[derive(Clone, Debug, Default)]
pub struct Playground {
    /// Next time step of the sequence to feed (0-based).
    pub next_step: usize,
    /// Scores (or responses) after each fed step.
    pub scores: Vec<Vec<f32>>,
    /// Closed-loop outputs.
    pub forecast: Vec<Vec<f32>>,
    /// Forecast steps still to go.
    pub forecast_remaining: usize,
    expect: VecDeque<Expect>,
}

impl Playground {
    /// Whether answers are outstanding.
    pub fn busy(&self) -> bool {
        !self.expect.is_empty()
    }
}

/// The Inspect area's state.
pub struct InspectArea {
    /// Which loaded set the sequence comes from.
    pub role: DataRole,
    /// The sequence (index into that set).
    pub index: usize,
    pending: Option<u64>,
    /// The inspection on show, and (role, index) it belongs to.
    pub inspection: Option<Box<Inspection>>,
    inspected: Option<(DataRole, usize)>,
    generation: u64,
    pub layer: usize,
    pub direction: usize,
    pub order: UnitOrder,
    /// Units drawn as line traces.
    pub traced_units: Vec<usize>,
    textures: Vec<HeatmapTexture>,
    hover: Option<String>,
    /// The stateful playground.
    pub playground: Playground,
    horizon: usize,
    hidden_text: String,
    cell_text: String,
    state_message: Option<String>,
}

impl Default for InspectArea {
    fn default() -> Self {
        Self {
            role: DataRole::Test,
            index: 0,
            pending: None,
            inspection: None,
            inspected: None,
            generation: 0,
            layer: 0,
            direction: 0,
            order: UnitOrder::Index,
            traced_units: Vec::new(),
            textures: (0..7).map(|_| HeatmapTexture::default()).collect(),
            hover: None,
            playground: Playground::default(),
            horizon: 12,
            hidden_text: "0".into(),
            cell_text: "0".into(),
            state_message: None,
        }
    }
}

enum InspectAction {
    Inspect,
    Step(usize),
    RunToEnd,
    Reset,
    Forecast,
    SetState { hidden: bool, clear: bool },
}

impl InspectArea {
    /// Whether an inspection is on its way.
    pub fn is_waiting(&self) -> bool {
        self.pending.is_some()
    }

    /// Takes a worker event.
    pub fn on_event(&mut self, e: &Event, studio: &mut Studio) {
        match e {
            Event::Finished(_) | Event::Opened { .. } => {
                self.playground = Playground::default();
                self.inspection = None;
                if studio.data.get(self.role).is_none() {
                    self.role = if studio.data.test.is_some() {
                        DataRole::Test
                    } else {
                        DataRole::Train
                    };
                }
                self.request_inspection(studio);
            }
            Event::Inspection {
                request,
                inspection,
            } if self.pending == Some(*request) => {
                self.pending = None;
                self.inspection = Some(inspection.clone());
                self.generation += 1;
                if self.layer >= inspection.layers.len() {
                    self.layer = 0;
                }
                self.direction = 0;
                self.traced_units
                    .retain(|&u| inspection.layers.get(self.layer).is_some_and(|l| u < l.1));
                if self.traced_units.is_empty() {
                    self.traced_units = vec![0];
                }
            }
            Event::Stepped(r) => self.on_stepped(r.scores.clone(), studio),
            Event::StateReset => {
                self.playground = Playground::default();
            }
            Event::Failed(m) => {
                if !m.contains("while training runs") || self.pending.is_some() {
                    self.pending = None;
                }
                self.playground.expect.clear();
                self.playground.forecast_remaining = 0;
            }
            _ => {}
        }
    }

    fn on_stepped(&mut self, scores: Vec<f32>, studio: &mut Studio) {
        let Some(kind) = self.playground.expect.pop_front() else {
            return;
        };
        match kind {
            Expect::Observed(next) => {
                self.playground.scores.push(scores.clone());
                self.playground.next_step = next;
                if self.playground.forecast_remaining > 0 && self.playground.expect.is_empty() {
                    self.send_forecast_step(scores, studio);
                }
            }
            Expect::Forecast => {
                self.playground.forecast.push(scores.clone());
                if self.playground.forecast_remaining > 0 {
                    self.send_forecast_step(scores, studio);
                }
            }
        }
    }

    fn send_forecast_step(&mut self, input: Vec<f32>, studio: &mut Studio) {
        self.playground.forecast_remaining -= 1;
        self.playground.expect.push_back(Expect::Forecast);
        studio.worker.send(Command::StepState {
            values: input,
            steps: 1,
        });
    }

    /// Asks the worker for the gates and states of the chosen sequence.
    pub fn request_inspection(&mut self, studio: &mut Studio) {
        if studio.model.is_none() {
            return;
        }
        let Some(ds) = studio.data.get(self.role) else {
            return;
        };
        if ds.is_empty() {
            return;
        }
        self.index = self.index.min(ds.len() - 1);
        let one = ds.subset(&[self.index]);
        let request = studio.request_id();
        studio.worker.send(Command::Inspect {
            request,
            data: Box::new(one),
            index: 0,
        });
        self.pending = Some(request);
        self.inspected = Some((self.role, self.index));
    }

    fn sequence_values(&self, studio: &Studio) -> Option<(Vec<f32>, usize, usize)> {
        let ds = studio.data.get(self.role)?;
        let s = ds.sequences.get(self.index)?;
        Some((s.values.clone(), s.steps, ds.num_features))
    }

    fn apply(&mut self, a: InspectAction, studio: &mut Studio) {
        match a {
            InspectAction::Inspect => {
                self.playground = Playground::default();
                studio.worker.send(Command::ResetState);
                self.request_inspection(studio);
            }
            InspectAction::Step(n) => {
                let Some((values, steps, c)) = self.sequence_values(studio) else {
                    return;
                };
                let from = self.playground.next_step
                    + self
                        .playground
                        .expect
                        .iter()
                        .filter(|e| matches!(e, Expect::Observed(_)))
                        .count();
                for t in from..(from + n).min(steps) {
                    self.playground.expect.push_back(Expect::Observed(t + 1));
                    studio.worker.send(Command::StepState {
                        values: values[t * c..(t + 1) * c].to_vec(),
                        steps: 1,
                    });
                }
            }
            InspectAction::RunToEnd => {
                if let Some((_, steps, _)) = self.sequence_values(studio) {
                    self.apply(InspectAction::Step(steps), studio);
                }
            }
            InspectAction::Reset => {
                self.playground = Playground::default();
                studio.worker.send(Command::ResetState);
            }
            InspectAction::Forecast => {
                let Some((values, steps, c)) = self.sequence_values(studio) else {
                    return;
                };
                self.playground.forecast.clear();
                self.playground.forecast_remaining = self.horizon;
                let from = self.playground.next_step;
                if from < steps {
                    // Feed the rest of the observed part one step at a time (scores after each).
                    for t in from..steps {
                        self.playground.expect.push_back(Expect::Observed(t + 1));
                        studio.worker.send(Command::StepState {
                            values: values[t * c..(t + 1) * c].to_vec(),
                            steps: 1,
                        });
                    }
                } else if let Some(last) = self.playground.scores.last().cloned() {
                    self.send_forecast_step(last, studio);
                }
            }
            InspectAction::SetState { hidden, clear } => {
                let layer_name = self
                    .inspection
                    .as_ref()
                    .and_then(|i| i.layers.get(self.layer))
                    .map(|l| l.0.clone());
                let layer_index = self.layer;
                let text = if hidden {
                    self.hidden_text.clone()
                } else {
                    self.cell_text.clone()
                };
                let mut message = None;
                studio.document.edit(|p| {
                    // The inspection lists the recurrent layers in network order.
                    let by_name = p.layers.iter().position(|l| l.recurrent().is_some() && layer_name.as_ref().is_some_and(|n| *n == l.name));
                    let by_order = p.layers.iter().enumerate().filter(|(_, l)| l.recurrent().is_some()).map(|(i, _)| i).nth(layer_index);
                    let target = by_name.or(by_order).and_then(|i| p.layers.get_mut(i));
                    let Some(l) = target else {
                        message = Some("The project has no recurrent layer of that name".to_owned());
                        return;
                    };
                    let dirs = if matches!(l.kind, LayerKind::Bilstm(_)) { 2 } else { 1 };
                    let name = if l.name.is_empty() { layer_name.clone().unwrap_or_else(|| "LSTM layer".into()) } else { l.name.clone() };
                    let Some(r) = l.recurrent_mut() else { return };
                    let n = r.num_hidden_units * dirs;
                    let value = if clear {
                        Ok(None)
                    } else {
                        parse_state(&text, n).map(Some)
                    };
                    match value {
                        Ok(v) => {
                            let what = if hidden { "HiddenState" } else { "CellState" };
                            message = Some(format!(
                                "{name}: {what} {} — applies to the next training (resetState of that model returns to it).",
                                if v.is_some() { "set" } else { "back to zeros" }
                            ));
                            if hidden {
                                r.hidden_state = v;
                            } else {
                                r.cell_state = v;
                            }
                        }
                        Err(e) => message = Some(format!("{name}: {e}")),
                    }
                });
                self.state_message = message;
            }
        }
    }

    pub fn ui(&mut self, ui: &mut egui::Ui, studio: &mut Studio) {
        let mut actions = Vec::new();
        egui::Panel::top("inspect-controls")
            .show(ui, |ui| self.controls_ui(ui, studio, &mut actions));
        if studio.model.is_none() {
            egui::CentralPanel::default().show(ui, |ui| {
                ui.add_space(20.0);
                ui.heading("Train a network (Training area) or open a saved run to look inside it.");
                ui.label("Then every gate and state of every LSTM layer is drawn here, time step by time step, for any sequence of any loaded set.");
            });
            return;
        }
        egui::Panel::right("inspect-side")
            .resizable(true)
            .default_size(400.0)
            .show(ui, |ui| {
                egui::ScrollArea::vertical()
                    .auto_shrink(false)
                    .show(ui, |ui| {
                        self.unfold_ui(ui, studio);
                        ui.separator();
                        self.playground_ui(ui, studio, &mut actions);
                    });
            });
        egui::CentralPanel::default().show(ui, |ui| {
            egui::ScrollArea::vertical()
                .auto_shrink(false)
                .show(ui, |ui| self.heatmaps_ui(ui));
        });
        for a in actions {
            self.apply(a, studio);
        }
    }

    fn controls_ui(
        &mut self,
        ui: &mut egui::Ui,
        studio: &Studio,
        actions: &mut Vec<InspectAction>,
    ) {
        ui.add_space(3.0);
        ui.horizontal(|ui| {
            ui.label("Sequence of the");
            let before = (self.role, self.index);
            egui::ComboBox::from_id_salt("inspect-role")
                .selected_text(self.role.title())
                .show_ui(ui, |ui| {
                    for r in DataRole::ALL {
                        ui.add_enabled_ui(studio.data.get(r).is_some(), |ui| {
                            ui.selectable_value(&mut self.role, r, r.title())
                        });
                    }
                });
            let n = studio.data.get(self.role).map_or(0, |d| d.len());
            ui.label("set:");
            if ui.small_button("<").clicked() {
                self.index = self.index.saturating_sub(1);
            }
            let mut shown = self.index + 1;
            ui.add(
                egui::DragValue::new(&mut shown)
                    .range(1..=n.max(1))
                    .prefix("#"),
            );
            self.index = shown.saturating_sub(1).min(n.saturating_sub(1));
            if ui.small_button(">").clicked() && self.index + 1 < n {
                self.index += 1;
            }
            if let Some(ds) = studio.data.get(self.role)
                && let Some(s) = ds.sequences.get(self.index)
            {
                let class = match &ds.targets {
                    crate::data::Targets::Labels {
                        class_names,
                        labels,
                    } => labels
                        .get(self.index)
                        .and_then(|&l| class_names.get(l))
                        .map(|c| format!(", true class {c}"))
                        .unwrap_or_default(),
                    _ => String::new(),
                };
                ui.weak(format!("{} steps{class}", s.steps));
            }
            let changed = before != (self.role, self.index);
            if (ui
                .add_enabled(studio.model.is_some(), egui::Button::new("Inspect"))
                .clicked()
                || changed)
                && studio.model.is_some()
            {
                actions.push(InspectAction::Inspect);
            }
            if self.pending.is_some() {
                ui.spinner();
            }
            if let Some(ins) = &self.inspection {
                ui.separator();
                ui.label("Layer");
                let names: Vec<String> = ins.layers.iter().map(|l| l.0.clone()).collect();
                egui::ComboBox::from_id_salt("inspect-layer")
                    .selected_text(names.get(self.layer).cloned().unwrap_or_default())
                    .show_ui(ui, |ui| {
                        for (i, n) in names.iter().enumerate() {
                            ui.selectable_value(&mut self.layer, i, n);
                        }
                    });
                if ins.layers.get(self.layer).is_some_and(|l| l.2.len() > 1) {
                    egui::ComboBox::from_id_salt("inspect-dir")
                        .selected_text(if self.direction == 0 {
                            "forward"
                        } else {
                            "backward"
                        })
                        .show_ui(ui, |ui| {
                            ui.selectable_value(&mut self.direction, 0, "forward");
                            ui.selectable_value(&mut self.direction, 1, "backward");
                        });
                }
                ui.label("Sort units by");
                egui::ComboBox::from_id_salt("inspect-order")
                    .selected_text(self.order.label())
                    .show_ui(ui, |ui| {
                        for o in UnitOrder::ALL {
                            ui.selectable_value(&mut self.order, o, o.label());
                        }
                    });
            }
        });
        ui.horizontal(|ui| match &self.hover {
            Some(h) => {
                ui.monospace(h);
            }
            None => {
                ui.weak("Hover a heatmap for its value; click a row to trace that unit.");
            }
        });
        ui.add_space(2.0);
    }

    fn heatmaps_ui(&mut self, ui: &mut egui::Ui) {
        let Some(ins) = self.inspection.clone() else {
            ui.label(if self.pending.is_some() {
                "Recording the gates and states…"
            } else {
                "Choose a sequence and press Inspect."
            });
            return;
        };
        let Some((name, units, dirs)) = ins.layers.get(self.layer) else {
            ui.label("This network has no recurrent layer to look inside.");
            return;
        };
        let Some(dir) = dirs.get(self.direction).or(dirs.first()) else {
            return;
        };
        let steps = ins.steps;
        let units = *units;
        let k = ins.outputs.max(1);
        let predicted = ins
            .final_scores
            .iter()
            .enumerate()
            .fold(
                (0, f32::NEG_INFINITY),
                |b, (i, v)| if *v > b.1 { (i, *v) } else { b },
            )
            .0;
        let reference: Vec<f64> = ins
            .scores_per_step
            .chunks(k)
            .map(|r| r.get(predicted).copied().unwrap_or(0.0) as f64)
            .collect();
        let order = unit_order(&dir.hidden, steps, units, self.order, &reference);
        let features: Vec<usize> = (0..ins.num_features).collect();
        let mut panels: Vec<Panel<'_>> = vec![
            (
                "Input x_t (features × time)".into(),
                &ins.input,
                ins.num_features,
                features,
                ColorScale::diverging_for(&ins.input),
            ),
            (
                "Hidden state h_t".into(),
                &dir.hidden,
                units,
                order.clone(),
                ColorScale::Diverging(1.0),
            ),
        ];
        if let Some(c) = &dir.cell {
            panels.push((
                "Cell state c_t".into(),
                c,
                units,
                order.clone(),
                ColorScale::diverging_for(c),
            ));
        }
        for (g, v) in &dir.gates {
            let scale = if g.contains("candidate") {
                ColorScale::Diverging(1.0)
            } else {
                ColorScale::Unit
            };
            let symbol = match g.as_str() {
                "input" => "i_t",
                "forget" => "f_t",
                "cell candidate" => "g_t",
                "output" => "o_t",
                "reset" => "r_t",
                "update" => "z_t",
                _ => "",
            };
            panels.push((
                format!("{} gate {symbol}", capitalize(g)),
                v,
                units,
                order.clone(),
                scale,
            ));
        }
        ui.strong(format!(
            "{name}: {units} units × {steps} time steps (rows sorted by {})",
            self.order.label()
        ));
        let height = (units as f32 * 2.0).clamp(70.0, 150.0);
        let mut hover = None;
        let mut clicked = None;
        let half = panels.len().div_ceil(2);
        let traced = self.traced_units.clone();
        ui.columns(2, |cols| {
            for (p, (title, values, rows, ord, scale)) in panels.iter().enumerate() {
                let col = &mut cols[if p < half { 0 } else { 1 }];
                let scale_text = match scale {
                    ColorScale::Unit => "0 … 1".to_owned(),
                    ColorScale::Diverging(m) => format!("−{m:.2} … {m:.2}"),
                };
                col.horizontal(|ui| {
                    ui.label(title.as_str());
                    ui.weak(scale_text);
                });
                let mut h = std::collections::hash_map::DefaultHasher::new();
                (
                    self.generation,
                    self.layer,
                    self.direction,
                    p,
                    self.order as u8,
                )
                    .hash(&mut h);
                let key = h.finish();
                let Some(tex) = self.textures.get_mut(p) else {
                    continue;
                };
                let marked: &[usize] = if p == 0 { &[] } else { &traced };
                let r = tex.ui(
                    col,
                    key,
                    values,
                    steps,
                    *rows,
                    ord,
                    *scale,
                    if p == 0 { height.min(90.0) } else { height },
                    marked,
                );
                if let Some((u, t, v)) = r.hovered {
                    let what = if p == 0 {
                        format!("feature {}", u + 1)
                    } else {
                        format!("unit {}", u + 1)
                    };
                    hover = Some(format!("{title} · {what} · step {}: {v:.4}", t + 1));
                }
                if p > 0 {
                    clicked = clicked.or(r.clicked_unit);
                }
                col.add_space(4.0);
            }
        });
        if let Some(u) = clicked {
            if let Some(pos) = self.traced_units.iter().position(|&x| x == u) {
                self.traced_units.remove(pos);
            } else {
                self.traced_units.push(u);
            }
        }
        self.hover = hover;
        ui.separator();
        ui.horizontal(|ui| {
            ui.strong("Traces of the picked units");
            ui.weak("(click heatmap rows to add or remove; solid h_t, dashed c_t)");
            if ui.small_button("top 3 by the current order").clicked() {
                self.traced_units = order.iter().take(3).copied().collect();
            }
        });
        Plot::new(("unit-traces", self.layer, self.direction))
            .height(200.0)
            .legend(Legend::default().follow_insertion_order(true))
            .x_axis_label("time step")
            .show(ui, |pl| {
                for (n, &u) in self.traced_units.iter().enumerate() {
                    let color = palette(n);
                    let h: PlotPoints = (0..steps)
                        .map(|t| {
                            [
                                t as f64 + 1.0,
                                dir.hidden.get(t * units + u).copied().unwrap_or(0.0) as f64,
                            ]
                        })
                        .collect();
                    pl.line(
                        Line::new(format!("h unit {}", u + 1), h)
                            .color(color)
                            .width(1.8),
                    );
                    if let Some(c) = &dir.cell {
                        let cc: PlotPoints = (0..steps)
                            .map(|t| {
                                [
                                    t as f64 + 1.0,
                                    c.get(t * units + u).copied().unwrap_or(0.0) as f64,
                                ]
                            })
                            .collect();
                        pl.line(
                            Line::new(format!("c unit {}", u + 1), cc)
                                .color(color)
                                .style(LineStyle::dashed_dense()),
                        );
                    }
                }
            });
        let _ = panels.len();
        panels.clear();
    }

    fn unfold_ui(&mut self, ui: &mut egui::Ui, studio: &Studio) {
        let Some(ins) = &self.inspection else { return };
        let classification = studio.model.as_ref().is_none_or(|m| m.classification);
        let classes = studio
            .model
            .as_ref()
            .map(|m| m.classes.clone())
            .unwrap_or_default();
        let k = ins.outputs.max(1);
        let steps = ins.scores_per_step.len() / k;
        ui.heading(if classification {
            "The prediction as the sequence unfolds"
        } else {
            "The response as the sequence unfolds"
        });
        let predicted = ins
            .final_scores
            .iter()
            .enumerate()
            .fold(
                (0, f32::NEG_INFINITY),
                |b, (i, v)| if *v > b.1 { (i, *v) } else { b },
            )
            .0;
        let decided = if classification {
            decision_step(&ins.scores_per_step, k)
        } else {
            None
        };
        if classification {
            let name = classes
                .get(predicted)
                .cloned()
                .unwrap_or_else(|| (predicted + 1).to_string());
            ui.label(format!(
                "Predicted class {name} ({:.1}%){}",
                ins.final_scores.get(predicted).copied().unwrap_or(0.0) * 100.0,
                decided.map_or(String::new(), |d| format!(
                    " — decided at step {d} of {steps}, never changing after"
                ))
            ));
        }
        Plot::new(("unfold", self.generation))
            .height(220.0)
            .legend(Legend::default().follow_insertion_order(true))
            .x_axis_label("time step")
            .y_axis_label(if classification { "score" } else { "response" })
            .show(ui, |pl| {
                for j in 0..k {
                    let pts: PlotPoints = (0..steps)
                        .map(|t| [t as f64 + 1.0, ins.scores_per_step[t * k + j] as f64])
                        .collect();
                    let name = if classification {
                        classes
                            .get(j)
                            .cloned()
                            .unwrap_or_else(|| format!("class {}", j + 1))
                    } else {
                        format!("y{}", j + 1)
                    };
                    let line = Line::new(name, pts).color(palette(j));
                    pl.line(if j == predicted && classification {
                        line.width(2.5)
                    } else {
                        line.width(1.2)
                    });
                }
                if let Some(d) = decided {
                    pl.add(
                        VLine::new("decided", d as f64)
                            .color(Color32::GRAY)
                            .style(LineStyle::dashed_loose()),
                    );
                }
            });
    }

    fn playground_ui(
        &mut self,
        ui: &mut egui::Ui,
        studio: &Studio,
        actions: &mut Vec<InspectAction>,
    ) {
        ui.heading("Stateful playground");
        ui.weak("classifyAndUpdateState / predictAndUpdateState: the network keeps its state between calls.");
        let Some((values, steps, c)) = self.sequence_values(studio) else {
            return;
        };
        let busy = self.playground.busy();
        let model = studio.model.clone();
        let classification = model.as_ref().is_none_or(|m| m.classification);
        ui.horizontal(|ui| {
            if ui
                .add_enabled(self.playground.next_step < steps, egui::Button::new("Step"))
                .on_hover_text("Feed the next time step")
                .clicked()
            {
                actions.push(InspectAction::Step(1));
            }
            if ui
                .add_enabled(
                    self.playground.next_step < steps,
                    egui::Button::new("Run to end"),
                )
                .clicked()
            {
                actions.push(InspectAction::RunToEnd);
            }
            if ui
                .button("Reset state")
                .on_hover_text("resetState: back to the layers' HiddenState/CellState")
                .clicked()
            {
                actions.push(InspectAction::Reset);
            }
            if busy {
                ui.spinner();
            }
        });
        ui.label(format!(
            "Fed {} of {steps} time steps",
            self.playground.next_step
        ));
        if let Some(last) = self.playground.scores.last() {
            if classification {
                let classes = model
                    .as_ref()
                    .map(|m| m.classes.clone())
                    .unwrap_or_default();
                let best = last
                    .iter()
                    .enumerate()
                    .fold(
                        (0, f32::NEG_INFINITY),
                        |b, (i, v)| if *v > b.1 { (i, *v) } else { b },
                    );
                ui.label(format!(
                    "Current prediction: {} ({:.1}%)",
                    classes.get(best.0).cloned().unwrap_or_default(),
                    best.1 * 100.0
                ));
            } else {
                ui.label(format!(
                    "Current output: {}",
                    last.iter()
                        .map(|v| format!("{v:.4}"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
            }
            let k = last.len();
            Plot::new("playground-scores")
                .height(150.0)
                .x_axis_label("time step")
                .show(ui, |pl| {
                    for j in 0..k {
                        let pts: PlotPoints = self
                            .playground
                            .scores
                            .iter()
                            .enumerate()
                            .map(|(t, s)| [t as f64 + 1.0, s.get(j).copied().unwrap_or(0.0) as f64])
                            .collect();
                        pl.line(Line::new(format!("{}", j + 1), pts).color(palette(j)));
                    }
                });
        }
        // Closed-loop forecasting for networks whose output is their next input.
        if let Some(m) = &model
            && !m.classification
            && m.output_size == m.input_size
        {
            ui.separator();
            ui.strong("Closed-loop forecast");
            ui.horizontal(|ui| {
                ui.label("Forecast");
                ui.add(egui::DragValue::new(&mut self.horizon).range(1..=1000));
                ui.label("steps ahead");
                if ui
                    .add_enabled(!busy, egui::Button::new("Forecast"))
                    .on_hover_text(
                        "Feed the observed steps, then each prediction back as the next input",
                    )
                    .clicked()
                {
                    actions.push(InspectAction::Forecast);
                }
            });
            if !self.playground.forecast.is_empty() || self.playground.next_step > 0 {
                let forecast = self.playground.forecast.clone();
                Plot::new("forecast")
                    .height(200.0)
                    .legend(Legend::default().follow_insertion_order(true))
                    .x_axis_label("time step")
                    .show(ui, |pl| {
                        for f in 0..c {
                            let obs: PlotPoints = (0..steps)
                                .map(|t| [t as f64 + 1.0, values[t * c + f] as f64])
                                .collect();
                            pl.line(
                                Line::new(format!("observed {}", f + 1), obs).color(palette(f)),
                            );
                            if !forecast.is_empty() {
                                let mut pts =
                                    vec![[steps as f64, values[(steps - 1) * c + f] as f64]];
                                pts.extend(forecast.iter().enumerate().map(|(i, o)| {
                                    [
                                        (steps + i + 1) as f64,
                                        o.get(f).copied().unwrap_or(0.0) as f64,
                                    ]
                                }));
                                pl.line(
                                    Line::new(
                                        format!("forecast {}", f + 1),
                                        PlotPoints::new(pts.clone()),
                                    )
                                    .color(palette(f))
                                    .style(LineStyle::dashed_loose())
                                    .width(2.0),
                                );
                                pl.points(
                                    Points::new(
                                        format!("forecast {}", f + 1),
                                        PlotPoints::new(pts[1..].to_vec()),
                                    )
                                    .color(palette(f))
                                    .radius(2.5),
                                );
                            }
                        }
                        pl.add(
                            VLine::new("end of observed", steps as f64 + 0.5).color(Color32::GRAY),
                        );
                    });
            }
        } else if model.as_ref().is_some_and(|m| !m.classification) {
            ui.weak(
                "Closed-loop forecasting needs a network whose output size equals its input size.",
            );
        }
        ui.separator();
        ui.strong("Initial states (HiddenState / CellState)");
        let layer = self
            .inspection
            .as_ref()
            .and_then(|i| i.layers.get(self.layer))
            .map(|l| l.0.clone());
        let layers = &studio.document.project.layers;
        let spec = layers
            .iter()
            .find(|l| l.recurrent().is_some() && layer.as_ref().is_some_and(|n| *n == l.name))
            .or_else(|| {
                layers
                    .iter()
                    .filter(|l| l.recurrent().is_some())
                    .nth(self.layer)
            });
        if let Some(l) = spec
            && let Some(r) = l.recurrent()
        {
            let show = |v: &Option<Vec<f64>>| match v {
                None => "zeros (default)".to_owned(),
                Some(v) if v.windows(2).all(|w| w[0] == w[1]) => {
                    format!("all {}", v.first().copied().unwrap_or(0.0))
                }
                Some(v) => format!("{} custom values", v.len()),
            };
            ui.label(format!(
                "{}: HiddenState {}, CellState {}",
                if l.name.is_empty() {
                    layer.clone().unwrap_or_else(|| "LSTM layer".into())
                } else {
                    l.name.clone()
                },
                show(&r.hidden_state),
                show(&r.cell_state)
            ));
            for (hidden, label) in [(true, "HiddenState"), (false, "CellState")] {
                ui.horizontal(|ui| {
                    ui.label(label);
                    let text = if hidden {
                        &mut self.hidden_text
                    } else {
                        &mut self.cell_text
                    };
                    ui.add(
                        egui::TextEdit::singleline(text)
                            .desired_width(150.0)
                            .hint_text("one value, or one per unit"),
                    );
                    if ui.button("Set").clicked() {
                        actions.push(InspectAction::SetState {
                            hidden,
                            clear: false,
                        });
                    }
                    if ui.button("Zeros").clicked() {
                        actions.push(InspectAction::SetState {
                            hidden,
                            clear: true,
                        });
                    }
                });
            }
            ui.weak("These are the project's layer properties: they apply to the next training (the model then starts from them and resetState returns to them). The current model keeps the states it was trained or opened with.");
        } else {
            ui.weak("The project has no LSTM layer.");
        }
        if let Some(m) = &self.state_message {
            ui.label(m);
        }
    }
}

/// One heatmap: title, values (steps × rows), rows, row order, colours.
type Panel<'a> = (String, &'a [f32], usize, Vec<usize>, ColorScale);

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    c.next().map_or(String::new(), |f| {
        f.to_uppercase().collect::<String>() + c.as_str()
    })
}

/// A categorical colour.
fn palette(i: usize) -> Color32 {
    const C: [Color32; 12] = [
        Color32::from_rgb(0, 114, 189),
        Color32::from_rgb(217, 83, 25),
        Color32::from_rgb(237, 177, 32),
        Color32::from_rgb(126, 47, 142),
        Color32::from_rgb(119, 172, 48),
        Color32::from_rgb(77, 190, 238),
        Color32::from_rgb(162, 20, 47),
        Color32::from_rgb(90, 90, 90),
        Color32::from_rgb(23, 190, 207),
        Color32::from_rgb(188, 189, 34),
        Color32::from_rgb(255, 127, 180),
        Color32::from_rgb(140, 86, 75),
    ];
    C[i % C.len()]
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn the_decision_step_is_where_the_argmax_stops_changing() {
        // k = 2; argmax per step: 0, 1, 0, 1, 1 -> decided at step 4.
        let s = [0.9, 0.1, 0.2, 0.8, 0.6, 0.4, 0.3, 0.7, 0.1, 0.9];
        assert_eq!(decision_step(&s, 2), Some(4));
        assert_eq!(decision_step(&[0.1, 0.9, 0.2, 0.8], 2), Some(1));
        assert_eq!(decision_step(&[], 2), None);
    }

    #[test]
    fn states_parse_as_one_value_or_one_per_unit() {
        assert_eq!(parse_state("0.5", 3).unwrap(), vec![0.5; 3]);
        assert_eq!(parse_state("1, 2, 3", 3).unwrap(), vec![1.0, 2.0, 3.0]);
        assert!(parse_state("1, 2", 3).unwrap_err().contains("needs 3"));
        assert!(parse_state("x", 3).is_err());
        assert!(parse_state("", 3).is_err());
    }
}
