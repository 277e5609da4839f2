//! The Results area: the test accuracy (or RMSE) of the trained network; for classification
//! the confusion chart (normalizations, recall and precision summaries, class sorting) where
//! clicking a cell lists those sequences and draws the selected one with its class scores; for
//! regression predicted-vs-true and per-step traces. Predictions export as CSV; the trained
//! model is saved as a run directory (Command::SaveRun) and a saved one opened
//! (Command::OpenRun) to evaluate newly loaded data (Command::Evaluate).

use std::path::{Path, PathBuf};

use egui::Color32;
use egui_plot::{Bar, BarChart, Legend, Line, LineStyle, Plot, PlotPoints, Points};

use crate::app::Studio;
use crate::data::{SequenceDataset, Targets};
use crate::engine::Evaluation;
use crate::spec::Project;
use crate::ui::confusion::{ClassSort, ConfusionView, Normalization, confusion_ui, members};
use crate::ui::data::DataRole;
use crate::ui::picker::{DialogKind, Picker};
use crate::worker::{Command, Event, TrainResult};

/// An evaluation together with the data it was computed on.
#[derive(Clone, Debug)]
pub struct EvaluatedSet {
    /// Where the data came from ("test set", "validation set", …).
    pub source: String,
    pub data: SequenceDataset,
    pub evaluation: Evaluation,
    pub classes: Vec<String>,
    pub classification: bool,
}

impl EvaluatedSet {
    /// True class of each sequence (sequence-label data), else `None`.
    pub fn true_labels(&self) -> Option<&[usize]> {
        match &self.data.targets {
            Targets::Labels { labels, .. } => Some(labels),
            _ => None,
        }
    }

    /// Predicted class of each sequence (its first — only — label for 'last' networks).
    pub fn predicted_labels(&self) -> Vec<usize> {
        self.evaluation
            .predictions
            .labels()
            .iter()
            .map(|l| l.first().copied().unwrap_or(0))
            .collect()
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Pick {
    SaveRun,
    OpenRun,
    ExportPredictions,
}

/// The Results area's state.
pub struct ResultsArea {
    /// The last finished training.
    pub result: Option<Box<TrainResult>>,
    /// The evaluation on show (the test set after training, or data evaluated since).
    pub evaluated: Option<EvaluatedSet>,
    /// The confusion chart's settings and selected cell.
    pub view: ConfusionView,
    /// The sequences of the selected cell.
    pub cell_members: Vec<usize>,
    /// The sequence drawn (index into the evaluated data).
    pub selected_sequence: Option<usize>,
    eval_role: DataRole,
    pending: Option<(u64, SequenceDataset, String)>,
    /// A typed run directory (Save / Open without a dialog).
    pub run_dir_text: String,
    opened: Option<(PathBuf, Box<Project>)>,
    picker: Picker<Pick>,
}

impl Default for ResultsArea {
    fn default() -> Self {
        Self {
            result: None,
            evaluated: None,
            view: ConfusionView::default(),
            cell_members: Vec::new(),
            selected_sequence: None,
            eval_role: DataRole::Test,
            pending: None,
            run_dir_text: crate::worker::default_run_dir().display().to_string(),
            opened: None,
            picker: Picker::default(),
        }
    }
}

enum ResultsAction {
    Evaluate,
    Pick(Pick),
    SaveTyped,
    OpenTyped,
    SelectCell(usize, usize),
    UseOpenedProject,
}

impl ResultsArea {
    /// Takes a worker event.
    pub fn on_event(&mut self, e: &Event, studio: &mut Studio) {
        match e {
            Event::Finished(r) => {
                self.result = Some(r.clone());
                self.clear_selection();
                self.evaluated = match (&r.test, &studio.data.test) {
                    (Some(ev), Some(test)) if ev.predictions.scores.len() == test.len() => {
                        Some(EvaluatedSet {
                            source: format!("test set {}", test.name),
                            data: test.clone(),
                            evaluation: ev.clone(),
                            classes: r.classes.clone(),
                            classification: r.info.classification,
                        })
                    }
                    _ => None,
                };
                self.select_most_confused();
            }
            Event::Evaluation {
                request,
                evaluation,
            } => {
                if let Some((req, data, source)) = self.pending.take() {
                    if *request == req {
                        let (classes, classification) =
                            studio.model.as_ref().map_or((Vec::new(), true), |m| {
                                (m.classes.clone(), m.classification)
                            });
                        self.clear_selection();
                        self.evaluated = Some(EvaluatedSet {
                            source,
                            data,
                            evaluation: (**evaluation).clone(),
                            classes,
                            classification,
                        });
                        studio.notify("Evaluation finished");
                    } else {
                        self.pending = Some((req, data, source));
                    }
                }
            }
            Event::Saved { dir } => studio.notify(format!("Saved the model to {}", dir.display())),
            Event::Opened { dir, project, .. } => {
                self.opened = Some((dir.clone(), project.clone()));
                self.result = None;
                self.evaluated = None;
                self.clear_selection();
                studio.notify(format!(
                    "Opened the model in {}: evaluate it on a loaded data set",
                    dir.display()
                ));
            }
            Event::Failed(_) => {
                // A failed evaluation must not leave the button spinning.
                self.pending = None;
            }
            _ => {}
        }
    }

    fn clear_selection(&mut self) {
        self.view.selected = None;
        self.cell_members.clear();
        self.selected_sequence = None;
    }

    /// Saves the current model as a run directory (project, weights, metrics, confusion).
    pub fn save_run(&mut self, dir: &Path, studio: &mut Studio) {
        if studio.model.is_none() {
            studio.notify("Error: there is no trained model to save yet");
            return;
        }
        studio.worker.send(Command::SaveRun {
            dir: dir.to_path_buf(),
        });
        studio.notify(format!("Saving the model to {}…", dir.display()));
    }

    /// Opens a saved run directory as the current model.
    pub fn open_run(&mut self, dir: &Path, studio: &mut Studio) {
        studio.worker.send(Command::OpenRun {
            dir: dir.to_path_buf(),
        });
        studio.notify(format!("Opening {}…", dir.display()));
    }

    /// Asks the worker to evaluate the current model on the loaded set of `role`.
    pub fn evaluate(&mut self, role: DataRole, studio: &mut Studio) {
        let Some(ds) = studio.data.get(role).cloned() else {
            studio.notify(format!(
                "Error: no {} set is loaded",
                role.title().to_lowercase()
            ));
            return;
        };
        if studio.model.is_none() {
            studio.notify("Error: no trained model yet: train one or open a run");
            return;
        }
        let request = studio.request_id();
        studio.worker.send(Command::Evaluate {
            request,
            data: Box::new(ds.clone()),
        });
        self.pending = Some((
            request,
            ds.clone(),
            format!("{} set {}", role.title().to_lowercase(), ds.name),
        ));
    }

    /// Selects a confusion-matrix cell (true class, predicted class): lists its sequences and
    /// draws the first.
    pub fn select_cell(&mut self, truth: usize, predicted: usize) {
        self.view.selected = Some((truth, predicted));
        self.cell_members = match &self.evaluated {
            Some(ev) => match (&ev.data.targets, ev.true_labels()) {
                (_, Some(t)) => members(t, &ev.predicted_labels(), truth, predicted),
                (Targets::StepLabels { labels, .. }, None) => {
                    let pred = ev.evaluation.predictions.labels();
                    (0..labels.len())
                        .filter(|&i| {
                            labels[i]
                                .iter()
                                .zip(pred.get(i).map_or(&[][..], |p| p.as_slice()))
                                .any(|(a, b)| *a == truth && *b == predicted)
                        })
                        .collect()
                }
                _ => Vec::new(),
            },
            None => Vec::new(),
        };
        self.selected_sequence = self.cell_members.first().copied();
    }

    /// Selects the off-diagonal cell with the most sequences (the most confused pair), if any.
    pub fn select_most_confused(&mut self) {
        let Some(cm) = self
            .evaluated
            .as_ref()
            .and_then(|e| e.evaluation.confusion.clone())
        else {
            return;
        };
        let k = cm.classes.len();
        let best = (0..k)
            .flat_map(|i| (0..k).map(move |j| (i, j)))
            .filter(|&(i, j)| i != j && cm.counts[i][j] > 0)
            .max_by_key(|&(i, j)| cm.counts[i][j]);
        if let Some((i, j)) = best {
            self.select_cell(i, j);
        }
    }

    /// Writes the predictions on show as CSV.
    pub fn export_predictions(&self, path: &Path) -> Result<(), String> {
        let Some(ev) = &self.evaluated else {
            return Err("nothing evaluated yet".into());
        };
        crate::cli::write_predictions(
            path,
            &ev.evaluation.predictions,
            &ev.classes,
            ev.classification,
        )
        .map_err(|e| format!("{e:#}"))
    }

    pub fn ui(&mut self, ui: &mut egui::Ui, studio: &mut Studio) {
        if let Some((pick, path)) = self.picker.poll()
            && let Some(p) = path
        {
            match pick {
                Pick::SaveRun => self.save_run(&p, studio),
                Pick::OpenRun => self.open_run(&p, studio),
                Pick::ExportPredictions => match self.export_predictions(&p) {
                    Ok(()) => studio.notify(format!("Wrote {}", p.display())),
                    Err(e) => studio.notify(format!("Error: {e}")),
                },
            }
        }
        let mut actions = Vec::new();
        egui::Panel::top("results-top").show(ui, |ui| self.top_ui(ui, studio, &mut actions));
        egui::CentralPanel::default().show(ui, |ui| self.body_ui(ui, &mut actions));
        for a in actions {
            match a {
                ResultsAction::Evaluate => self.evaluate(self.eval_role, studio),
                ResultsAction::Pick(p) => {
                    let (kind, title, filters): (DialogKind, &str, &[(&str, &[&str])]) = match p {
                        Pick::SaveRun => {
                            (DialogKind::Folder, "Save the model as a run directory", &[])
                        }
                        Pick::OpenRun => (DialogKind::Folder, "Open a run directory", &[]),
                        Pick::ExportPredictions => (
                            DialogKind::SaveFile,
                            "Export predictions",
                            &[("CSV", &["csv"])],
                        ),
                    };
                    let name = (p == Pick::ExportPredictions).then(|| "predictions.csv".to_owned());
                    self.picker.start(ui.ctx(), p, kind, title, filters, name);
                }
                ResultsAction::SaveTyped => {
                    let p = PathBuf::from(self.run_dir_text.trim());
                    self.save_run(&p, studio);
                }
                ResultsAction::OpenTyped => {
                    let p = PathBuf::from(self.run_dir_text.trim());
                    self.open_run(&p, studio);
                }
                ResultsAction::SelectCell(t, p) => self.select_cell(t, p),
                ResultsAction::UseOpenedProject => {
                    if let Some((_, project)) = &self.opened {
                        let project = (**project).clone();
                        studio.document.edit(|p| *p = project);
                        studio.notify("The opened run's network and options are now the project (undo restores the previous one)");
                    }
                }
            }
        }
    }

    fn top_ui(&mut self, ui: &mut egui::Ui, studio: &Studio, actions: &mut Vec<ResultsAction>) {
        ui.add_space(3.0);
        ui.horizontal(|ui| match &self.evaluated {
            Some(ev) => {
                let headline = match (ev.evaluation.accuracy, ev.evaluation.rmse) {
                    (Some(a), _) => format!("Accuracy {:.2}%", a * 100.0),
                    (None, Some(r)) => format!("RMSE {r:.4}"),
                    _ => "No targets: predictions only".into(),
                };
                ui.heading(headline);
                ui.label(format!(
                    "on the {} ({} sequences) · mean loss {:.4}",
                    ev.source,
                    ev.data.len(),
                    ev.evaluation.loss
                ));
            }
            None => {
                ui.heading("No results yet");
                ui.label(if studio.model.is_some() {
                    "Evaluate the model on a loaded set."
                } else {
                    "Train a network (Training area) or open a saved run."
                });
            }
        });
        if let Some(r) = &self.result {
            ui.weak(format!(
                "Trained {} epochs, {} iterations in {:.1} s on {} ({:?}).",
                r.summary.epochs,
                r.summary.iterations,
                r.summary.train_seconds,
                r.summary.device,
                r.summary.stop_reason
            ));
        }
        ui.horizontal(|ui| {
            let has_model = studio.model.is_some();
            ui.label("Evaluate on");
            egui::ComboBox::from_id_salt("eval-role").selected_text(self.eval_role.title()).show_ui(ui, |ui| {
                for r in DataRole::ALL {
                    ui.add_enabled_ui(studio.data.get(r).is_some(), |ui| ui.selectable_value(&mut self.eval_role, r, r.title()));
                }
            });
            if ui.add_enabled(has_model && self.pending.is_none(), egui::Button::new("Evaluate")).on_hover_text("classify / predict every sequence of the set").clicked() {
                actions.push(ResultsAction::Evaluate);
            }
            if self.pending.is_some() {
                ui.spinner();
            }
            ui.separator();
            if ui.add_enabled(self.evaluated.is_some(), egui::Button::new("Export predictions…")).clicked() {
                actions.push(ResultsAction::Pick(Pick::ExportPredictions));
            }
            ui.separator();
            if ui.add_enabled(has_model, egui::Button::new("Save model…")).on_hover_text("A run directory: project.ron, weights.safetensors, metrics.csv, confusion.csv, summary.json").clicked() {
                actions.push(ResultsAction::Pick(Pick::SaveRun));
            }
            if ui.button("Open model…").clicked() {
                actions.push(ResultsAction::Pick(Pick::OpenRun));
            }
            ui.add(egui::TextEdit::singleline(&mut self.run_dir_text).desired_width(180.0).hint_text("run directory"));
            if ui.add_enabled(has_model, egui::Button::new("Save to path")).clicked() {
                actions.push(ResultsAction::SaveTyped);
            }
            if ui.button("Open path").clicked() {
                actions.push(ResultsAction::OpenTyped);
            }
        });
        if let Some((dir, _)) = &self.opened {
            ui.horizontal(|ui| {
                ui.label(format!("Model opened from {}.", dir.display()));
                if ui
                    .button("Use its network and options as the project")
                    .clicked()
                {
                    actions.push(ResultsAction::UseOpenedProject);
                }
            });
        }
        ui.add_space(2.0);
    }

    fn body_ui(&mut self, ui: &mut egui::Ui, actions: &mut Vec<ResultsAction>) {
        let Some(ev) = &self.evaluated else { return };
        if let Some(cm) = &ev.evaluation.confusion {
            let cm = cm.clone();
            ui.horizontal(|ui| {
                ui.label("Normalization");
                egui::ComboBox::from_id_salt("cm-norm")
                    .selected_text(format!("'{}'", self.view.normalization.matlab_name()))
                    .show_ui(ui, |ui| {
                        for n in Normalization::ALL {
                            ui.selectable_value(
                                &mut self.view.normalization,
                                n,
                                format!("'{}'", n.matlab_name()),
                            );
                        }
                    });
                ui.label("Sort classes");
                egui::ComboBox::from_id_salt("cm-sort")
                    .selected_text(format!("'{}'", self.view.sort.matlab_name()))
                    .show_ui(ui, |ui| {
                        for s in ClassSort::ALL {
                            ui.selectable_value(
                                &mut self.view.sort,
                                s,
                                format!("'{}'", s.matlab_name()),
                            );
                        }
                    });
                ui.weak(format!(
                    "{} observations · click a cell to see its sequences",
                    cm.total()
                ));
            });
            let avail = ui.available_width();
            ui.horizontal_top(|ui| {
                ui.vertical(|ui| {
                    ui.set_width((avail * 0.55).max(300.0));
                    if let Some((t, p)) = confusion_ui(ui, &cm, &self.view) {
                        actions.push(ResultsAction::SelectCell(t, p));
                    }
                });
                ui.vertical(|ui| self.cell_ui(ui));
            });
        } else if ev.evaluation.rmse.is_some() {
            self.regression_ui(ui);
        } else {
            ui.label("This data has no targets: export the predictions to look at them.");
        }
    }

    fn cell_ui(&mut self, ui: &mut egui::Ui) {
        let Some(ev) = &self.evaluated else { return };
        let Some((t, p)) = self.view.selected else {
            ui.weak("Click a cell of the confusion chart to list its sequences.");
            return;
        };
        let name = |c: usize| ev.classes.get(c).cloned().unwrap_or_else(|| c.to_string());
        ui.strong(format!(
            "True {} -> predicted {}: {} sequences",
            name(t),
            name(p),
            self.cell_members.len()
        ));
        egui::ScrollArea::vertical()
            .id_salt("cell-members")
            .max_height(110.0)
            .show(ui, |ui| {
                ui.horizontal_wrapped(|ui| {
                    for &i in &self.cell_members {
                        if ui
                            .selectable_label(
                                self.selected_sequence == Some(i),
                                format!("#{}", i + 1),
                            )
                            .clicked()
                        {
                            self.selected_sequence = Some(i);
                        }
                    }
                });
            });
        let Some(i) = self.selected_sequence.filter(|&i| i < ev.data.len()) else {
            return;
        };
        let seq = &ev.data.sequences[i];
        let c = ev.data.num_features.max(1);
        ui.separator();
        ui.strong(format!("Sequence {} ({} time steps)", i + 1, seq.steps));
        Plot::new(("cell-sequence", i))
            .height(170.0)
            .legend(Legend::default().follow_insertion_order(true))
            .x_axis_label("time step")
            .show(ui, |pl| {
                for k in 0..c {
                    let pts: PlotPoints = (0..seq.steps)
                        .map(|s| {
                            [
                                s as f64 + 1.0,
                                seq.values.get(s * c + k).copied().unwrap_or(f32::NAN) as f64,
                            ]
                        })
                        .collect();
                    pl.line(Line::new(format!("Feature {}", k + 1), pts));
                }
            });
        let Some(scores) = ev.evaluation.predictions.scores.get(i) else {
            return;
        };
        let k = ev.evaluation.predictions.outputs.max(1);
        let last = &scores[scores.len().saturating_sub(k)..];
        ui.strong("Class scores");
        let classes = ev.classes.clone();
        let bars: Vec<Bar> = last
            .iter()
            .enumerate()
            .map(|(j, v)| {
                let color = if j == t && j == p {
                    Color32::from_rgb(0, 114, 189)
                } else if j == p {
                    Color32::from_rgb(217, 83, 25)
                } else if j == t {
                    Color32::from_rgb(119, 172, 48)
                } else {
                    Color32::GRAY
                };
                Bar::new(j as f64, *v as f64)
                    .name(name(j))
                    .fill(color)
                    .width(0.7)
            })
            .collect();
        crate::ui::charts::class_bar_plot(("cell-scores", i), classes)
            .height(150.0)
            .include_y(0.0)
            .include_y(1.0)
            .show(ui, |pl| pl.bar_chart(BarChart::new("score", bars)));
        ui.weak("green: true class · orange: predicted class · blue: both");
    }

    fn regression_ui(&mut self, ui: &mut egui::Ui) {
        let Some(ev) = &self.evaluated else { return };
        let k = ev.evaluation.predictions.outputs.max(1);
        let (truth, per_step): (&Vec<Vec<f32>>, bool) = match &ev.data.targets {
            Targets::Responses { values, .. } => (values, false),
            Targets::StepResponses { values, .. } => (values, true),
            _ => return,
        };
        let mut pairs = Vec::new();
        for (t, s) in truth.iter().zip(&ev.evaluation.predictions.scores) {
            for (a, b) in t.iter().zip(s) {
                pairs.push([*a as f64, *b as f64]);
            }
        }
        let (lo, hi) = pairs.iter().fold((f64::MAX, f64::MIN), |(l, h), p| {
            (l.min(p[0]).min(p[1]), h.max(p[0]).max(p[1]))
        });
        let avail = ui.available_width();
        ui.horizontal_top(|ui| {
            ui.vertical(|ui| {
                ui.set_width(avail * 0.45);
                ui.strong("Predicted vs true");
                Plot::new("pred-vs-true")
                    .height(360.0)
                    .data_aspect(1.0)
                    .x_axis_label("true")
                    .y_axis_label("predicted")
                    .show(ui, |p| {
                        if lo < hi {
                            p.line(
                                Line::new("y = x", PlotPoints::new(vec![[lo, lo], [hi, hi]]))
                                    .color(Color32::GRAY)
                                    .style(LineStyle::dashed_dense()),
                            );
                        }
                        p.points(
                            Points::new("responses", PlotPoints::new(pairs.clone()))
                                .radius(2.0)
                                .color(Color32::from_rgb(0, 114, 189)),
                        );
                    });
            });
            ui.vertical(|ui| {
                ui.strong(if per_step {
                    "Per-step trace"
                } else {
                    "Per-sequence error"
                });
                let n = ev.data.len();
                let mut sel = self.selected_sequence.unwrap_or(0).min(n.saturating_sub(1));
                ui.horizontal(|ui| {
                    ui.label("Sequence");
                    let mut shown = sel + 1;
                    ui.add(egui::DragValue::new(&mut shown).range(1..=n.max(1)));
                    sel = shown.saturating_sub(1);
                });
                self.selected_sequence = Some(sel);
                let (Some(t), Some(s)) =
                    (truth.get(sel), ev.evaluation.predictions.scores.get(sel))
                else {
                    return;
                };
                Plot::new(("reg-trace", sel))
                    .height(330.0)
                    .legend(Legend::default().follow_insertion_order(true))
                    .x_axis_label(if per_step { "time step" } else { "response" })
                    .show(ui, |p| {
                        for r in 0..k {
                            let tt: PlotPoints = t
                                .iter()
                                .skip(r)
                                .step_by(k)
                                .enumerate()
                                .map(|(i, v)| [i as f64 + 1.0, *v as f64])
                                .collect();
                            let ss: PlotPoints = s
                                .iter()
                                .skip(r)
                                .step_by(k)
                                .enumerate()
                                .map(|(i, v)| [i as f64 + 1.0, *v as f64])
                                .collect();
                            if per_step {
                                p.line(
                                    Line::new(format!("true y{}", r + 1), tt)
                                        .color(Color32::GRAY)
                                        .width(2.0),
                                );
                                p.line(
                                    Line::new(format!("predicted y{}", r + 1), ss)
                                        .color(Color32::from_rgb(217, 83, 25)),
                                );
                            } else {
                                p.points(
                                    Points::new(format!("true y{}", r + 1), tt)
                                        .radius(4.0)
                                        .color(Color32::GRAY),
                                );
                                p.points(
                                    Points::new(format!("predicted y{}", r + 1), ss)
                                        .radius(4.0)
                                        .color(Color32::from_rgb(217, 83, 25)),
                                );
                            }
                        }
                    });
            });
        });
    }
}
