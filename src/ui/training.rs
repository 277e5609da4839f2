//! The Training area: the trainingOptions form, Train / Pause / Stop, and the
//! training-progress view of the reference's §5 — accuracy (RMSE for regression) and loss per
//! iteration, raw (faint) and smoothed, validation points joined by a dashed line, epochs
//! shaded, and the info panel. Everything runs in the worker; this area only turns events into
//! chart series (decimated by [`crate::ui::charts`]). Charts export to CSV (the history) and
//! PNG (a screenshot of the charts' rectangle, cropped). Every finished run is kept with its
//! options, so two can be overlaid and their differing options listed.

use std::path::{Path, PathBuf};
use std::time::{Instant, SystemTime};

use crossbeam_channel::{Receiver, Sender};
use egui::{Color32, Rect};
use egui_plot::{Legend, Line, LineStyle, MarkerShape, Plot, PlotPoints, Points, Span};

use crate::app::Studio;
use crate::engine::{IterationRecord, StopReason, TrainingEvent, TrainingSummary};
use crate::spec::{LearnRateSchedule, TrainingOptions};
use crate::ui::charts::{Series, SmoothedSeries};
use crate::ui::picker::{DialogKind, Picker};
use crate::worker::{Command, Event, TrainJob};

/// MATLAB's training-progress colours.
const BLUE: Color32 = Color32::from_rgb(0, 114, 189);
const ORANGE: Color32 = Color32::from_rgb(217, 83, 25);
const RUN_B: Color32 = Color32::from_rgb(119, 172, 48);

/// What the worker said when training started.
#[derive(Clone, Debug, PartialEq)]
pub struct TrainingStart {
    pub device: String,
    pub iterations_per_epoch: usize,
    pub max_iterations: usize,
    pub max_epochs: usize,
    pub classification: bool,
    pub has_validation: bool,
}

/// One training run of this session.
#[derive(Clone, Debug)]
pub struct RunRecord {
    /// 1, 2, … in the order the runs started.
    pub number: usize,
    pub options: TrainingOptions,
    /// One line per layer (the network as trained).
    pub layers: Vec<String>,
    pub history: Vec<IterationRecord>,
    pub summary: Option<TrainingSummary>,
    /// Test accuracy or RMSE.
    pub test_metric: Option<f64>,
    pub classification: bool,
}

/// The chart series of one run.
#[derive(Clone, Debug, Default)]
pub struct ProgressSeries {
    pub metric: SmoothedSeries,
    pub loss: SmoothedSeries,
    pub val_metric: Series,
    pub val_loss: Series,
    /// (epoch, first iteration) for each epoch seen.
    pub epoch_starts: Vec<(usize, usize)>,
}

impl ProgressSeries {
    fn new(beta: f64) -> Self {
        Self {
            metric: SmoothedSeries::new(beta),
            loss: SmoothedSeries::new(beta),
            ..Default::default()
        }
    }

    fn push(&mut self, r: &IterationRecord, metric_scale: f64) {
        let x = r.iteration as f64;
        self.metric.push(x, r.train_metric * metric_scale);
        self.loss.push(x, r.train_loss);
        if self.epoch_starts.last().is_none_or(|(e, _)| *e != r.epoch) {
            self.epoch_starts.push((r.epoch, r.iteration));
        }
        if let (Some(l), Some(m)) = (r.val_loss, r.val_metric) {
            self.push_validation(r.iteration, l, m * metric_scale);
        }
    }

    fn push_validation(&mut self, iteration: usize, loss: f64, metric: f64) {
        let x = iteration as f64;
        if self.val_loss.points().last().is_some_and(|p| p[0] == x) {
            return;
        }
        self.val_loss.push(x, loss);
        self.val_metric.push(x, metric);
    }

    fn from_history(history: &[IterationRecord], beta: f64, metric_scale: f64) -> Self {
        let mut s = Self::new(beta);
        for r in history {
            s.push(r, metric_scale);
        }
        s
    }

    fn set_beta(&mut self, beta: f64) {
        self.metric.set_beta(beta);
        self.loss.set_beta(beta);
    }
}

/// Which view the chart side shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TrainingView {
    Progress,
    Compare,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Export {
    Csv,
    Png,
}

/// The Training area's state.
pub struct TrainingArea {
    running: bool,
    paused: bool,
    /// Iterations of the current (or last) run.
    pub history: Vec<IterationRecord>,
    /// Facts of the current run, once the worker reported them.
    pub started: Option<TrainingStart>,
    /// The chart series of the current run.
    pub series: ProgressSeries,
    /// Smoothing factor of the smoothed curves (0 = none).
    pub smoothing: f64,
    start_wall: Option<SystemTime>,
    start_instant: Option<Instant>,
    finished_after: Option<f64>,
    options: Option<TrainingOptions>,
    /// Every run of this session.
    pub runs: Vec<RunRecord>,
    /// The two runs compared (indices into `runs`).
    pub compare: (usize, usize),
    pub view: TrainingView,
    /// How the last run ended.
    pub summary: Option<TrainingSummary>,
    notes: Vec<String>,
    picker: Picker<Export>,
    charts_rect: Option<Rect>,
    png_tx: Sender<String>,
    png_rx: Receiver<String>,
    show_smoothed: bool,
}

impl Default for TrainingArea {
    fn default() -> Self {
        let (png_tx, png_rx) = crossbeam_channel::unbounded();
        Self {
            running: false,
            paused: false,
            history: Vec::new(),
            started: None,
            series: ProgressSeries::new(0.6),
            smoothing: 0.6,
            start_wall: None,
            start_instant: None,
            finished_after: None,
            options: None,
            runs: Vec::new(),
            compare: (0, 0),
            view: TrainingView::Progress,
            summary: None,
            notes: Vec::new(),
            picker: Picker::default(),
            charts_rect: None,
            png_tx,
            png_rx,
            show_smoothed: true,
        }
    }
}

/// What the user asked for this frame (applied after drawing).
enum TrainingAction {
    Start,
    Pause,
    Resume,
    Stop,
    Options(Box<TrainingOptions>),
    Export(Export),
}

impl TrainingArea {
    /// Whether a training job is running.
    pub fn is_running(&self) -> bool {
        self.running
    }

    /// Whether the running job is paused.
    pub fn is_paused(&self) -> bool {
        self.paused
    }

    fn classification(&self) -> bool {
        self.started.as_ref().is_none_or(|s| s.classification)
    }

    fn metric_scale(&self) -> f64 {
        if self.classification() { 100.0 } else { 1.0 }
    }

    /// Starts training the document's project on the loaded data.
    pub fn start(&mut self, studio: &mut Studio) {
        if self.running {
            studio.notify("Training is already running");
            return;
        }
        let Some(train) = studio.data.train.clone() else {
            studio.notify("No training data loaded: load a training set in the Data area");
            return;
        };
        let problems = studio.document.project.training.validate();
        if !problems.is_empty() {
            studio.notify(format!("Error: cannot train: {}", problems.join("; ")));
            return;
        }
        self.history.clear();
        self.series = ProgressSeries::new(self.smoothing);
        self.started = None;
        self.summary = None;
        self.notes.clear();
        self.running = true;
        self.paused = false;
        self.start_wall = Some(SystemTime::now());
        self.start_instant = Some(Instant::now());
        self.finished_after = None;
        self.options = Some(studio.document.project.training.clone());
        self.runs.push(RunRecord {
            number: self.runs.len() + 1,
            options: studio.document.project.training.clone(),
            layers: studio
                .document
                .project
                .layers
                .iter()
                .map(|l| format!("{}: {}", l.name, l.description()))
                .collect(),
            history: Vec::new(),
            summary: None,
            test_metric: None,
            classification: true,
        });
        studio.worker.send(Command::Train(Box::new(TrainJob {
            project: studio.document.project.clone(),
            train,
            validation: studio.data.validation.clone(),
            test: studio.data.test.clone(),
            init_from: None,
            resume_from: None,
        })));
        studio.notify("Training started");
    }

    /// Takes a worker event.
    pub fn on_event(&mut self, e: &Event, studio: &mut Studio) {
        match e {
            Event::Training(t) => self.on_training_event(t),
            Event::Opened {
                dir,
                project,
                history,
                ..
            } if !history.is_empty() => {
                self.runs.push(RunRecord {
                    number: self.runs.len() + 1,
                    options: project.training.clone(),
                    layers: project
                        .layers
                        .iter()
                        .map(|l| format!("{}: {}", l.name, l.description()))
                        .collect(),
                    history: history.clone(),
                    summary: None,
                    test_metric: None,
                    classification: project
                        .layers
                        .iter()
                        .any(|l| matches!(l.kind, crate::spec::LayerKind::Classification { .. })),
                });
                studio.notify(format!(
                    "Opened run {}: its {} iterations are in Compare runs",
                    dir.display(),
                    history.len()
                ));
            }
            Event::Paused => self.paused = true,
            Event::Resumed => self.paused = false,
            Event::Finished(r) => {
                self.running = false;
                self.paused = false;
                self.finished_after = self.start_instant.map(|s| s.elapsed().as_secs_f64());
                self.summary = Some(r.summary.clone());
                if self.history.is_empty() && !r.history.is_empty() {
                    self.history = r.history.clone();
                    self.series = ProgressSeries::from_history(
                        &self.history,
                        self.smoothing,
                        self.metric_scale(),
                    );
                }
                let classification = r.info.classification;
                let test_metric = r
                    .test
                    .as_ref()
                    .and_then(|t| if classification { t.accuracy } else { t.rmse });
                if let Some(run) = self.runs.last_mut()
                    && run.summary.is_none()
                {
                    run.history = self.history.clone();
                    run.summary = Some(r.summary.clone());
                    run.test_metric = test_metric;
                    run.classification = classification;
                }
                let n = self.runs.len();
                if n >= 2 {
                    self.compare = (n - 2, n - 1);
                }
                let how = r
                    .summary
                    .message
                    .clone()
                    .unwrap_or_else(|| format!("{:?}", r.summary.stop_reason));
                studio.notify(format!(
                    "Training ended after {} iterations ({how}){}",
                    r.summary.iterations,
                    test_metric.map_or(String::new(), |m| if classification {
                        format!("; test accuracy {:.2}%", m * 100.0)
                    } else {
                        format!("; test RMSE {m:.4}")
                    })
                ));
            }
            // A command refused while training runs is not the end of the training.
            Event::Failed(m) if m.contains("while training runs") => {}
            Event::Failed(m) if self.running => {
                self.running = false;
                self.paused = false;
                self.notes.push(format!("Training failed: {m}"));
                if let Some(run) = self.runs.last()
                    && run.summary.is_none()
                {
                    self.runs.pop();
                }
            }
            _ => {}
        }
    }

    fn on_training_event(&mut self, t: &TrainingEvent) {
        match t {
            TrainingEvent::Started {
                device,
                iterations_per_epoch,
                max_iterations,
                max_epochs,
                classification,
                has_validation,
                ..
            } => {
                self.started = Some(TrainingStart {
                    device: device.clone(),
                    iterations_per_epoch: *iterations_per_epoch,
                    max_iterations: *max_iterations,
                    max_epochs: *max_epochs,
                    classification: *classification,
                    has_validation: *has_validation,
                });
                if let Some(run) = self.runs.last_mut() {
                    run.classification = *classification;
                }
            }
            TrainingEvent::Iteration(r) => {
                let scale = self.metric_scale();
                self.series.push(r, scale);
                self.history.push(r.clone());
            }
            TrainingEvent::Validation {
                iteration,
                loss,
                metric,
                ..
            } => {
                let scale = self.metric_scale();
                self.series
                    .push_validation(*iteration, *loss, metric * scale);
            }
            TrainingEvent::EpochEnd { .. } => {}
            TrainingEvent::CheckpointSaved { path } => self
                .notes
                .push(format!("Checkpoint saved: {}", path.display())),
            TrainingEvent::Message(m) => self.notes.push(m.clone()),
        }
    }

    /// Writes the history as CSV (iteration, epoch, time, learning rate, losses and metrics).
    pub fn export_csv(&self, path: &Path) -> Result<(), String> {
        write_history_csv(path, &self.history, self.classification())
    }

    pub fn ui(&mut self, ui: &mut egui::Ui, studio: &mut Studio) {
        while let Ok(m) = self.png_rx.try_recv() {
            studio.notify(m);
        }
        if let Some((kind, path)) = self.picker.poll()
            && let Some(p) = path
        {
            self.export_to(kind, p, ui.ctx(), studio);
        }
        if self.running && !self.paused {
            // The elapsed time and time-left estimate tick between events.
            ui.ctx()
                .request_repaint_after(std::time::Duration::from_millis(500));
        }
        let mut actions = Vec::new();
        egui::Panel::left("training-options")
            .resizable(true)
            .default_size(330.0)
            .show(ui, |ui| {
                ui.heading("Training options");
                ui.weak("trainingOptions: hover a name for help. Edits are undoable.");
                ui.separator();
                egui::ScrollArea::vertical()
                    .auto_shrink(false)
                    .show(ui, |ui| {
                        let mut o = studio.document.project.training.clone();
                        ui.add_enabled_ui(!self.running, |ui| {
                            if crate::ui::training_form::training_options_ui(ui, &mut o) {
                                actions.push(TrainingAction::Options(Box::new(o)));
                            }
                        });
                    });
            });
        egui::Panel::top("training-controls")
            .show(ui, |ui| self.controls_ui(ui, studio, &mut actions));
        if self.view == TrainingView::Progress {
            egui::Panel::right("training-info")
                .resizable(true)
                .default_size(270.0)
                .show(ui, |ui| {
                    egui::ScrollArea::vertical()
                        .auto_shrink(false)
                        .show(ui, |ui| self.info_ui(ui, studio));
                });
        }
        egui::CentralPanel::default().show(ui, |ui| match self.view {
            TrainingView::Progress => self.charts_ui(ui),
            TrainingView::Compare => self.compare_ui(ui),
        });
        for a in actions {
            self.apply(a, ui.ctx(), studio);
        }
    }

    fn apply(&mut self, a: TrainingAction, ctx: &egui::Context, studio: &mut Studio) {
        match a {
            TrainingAction::Start => self.start(studio),
            TrainingAction::Pause => studio.worker.send(Command::Pause),
            TrainingAction::Resume => studio.worker.send(Command::Resume),
            TrainingAction::Stop => {
                studio.worker.send(Command::Stop);
                studio.notify(
                    "Stopping after the current iteration (the network trained so far is kept)",
                );
            }
            TrainingAction::Options(o) => studio.document.edit(|p| p.training = *o),
            TrainingAction::Export(kind) => {
                let (title, filter, name): (&str, (&str, &[&str]), &str) = match kind {
                    Export::Csv => (
                        "Export training history",
                        ("CSV", &["csv"]),
                        "training-progress.csv",
                    ),
                    Export::Png => (
                        "Export training charts",
                        ("PNG image", &["png"]),
                        "training-progress.png",
                    ),
                };
                self.picker.start(
                    ctx,
                    kind,
                    DialogKind::SaveFile,
                    title,
                    &[filter],
                    Some(name.to_owned()),
                );
            }
        }
    }

    fn export_to(&mut self, kind: Export, path: PathBuf, ctx: &egui::Context, studio: &mut Studio) {
        match kind {
            Export::Csv => match self.export_csv(&path) {
                Ok(()) => studio.notify(format!("Wrote {}", path.display())),
                Err(e) => studio.notify(format!("Error: {e}")),
            },
            Export::Png => self.export_png(path, ctx, studio),
        }
    }

    /// Saves the charts as a PNG: asks egui for a screenshot of the next frame and crops it to
    /// the charts' rectangle. The result is reported in the status bar when the frame is done.
    pub fn export_png(&mut self, path: PathBuf, ctx: &egui::Context, studio: &mut Studio) {
        let Some(rect) = self.charts_rect else {
            studio.notify("Show the training-progress charts first, then export them");
            return;
        };
        let ppp = ctx.pixels_per_point();
        let tx = self.png_tx.clone();
        ctx.request_screenshot(move |img: std::sync::Arc<egui::ColorImage>| {
            let [w, h] = img.size;
            let x0 = ((rect.min.x * ppp).max(0.0) as usize).min(w);
            let y0 = ((rect.min.y * ppp).max(0.0) as usize).min(h);
            let x1 = ((rect.max.x * ppp) as usize).clamp(x0, w);
            let y1 = ((rect.max.y * ppp) as usize).clamp(y0, h);
            let mut bytes = Vec::with_capacity((x1 - x0) * (y1 - y0) * 4);
            for y in y0..y1 {
                for c in &img.pixels[y * w + x0..y * w + x1] {
                    bytes.extend_from_slice(&c.to_array());
                }
            }
            let msg = match image::RgbaImage::from_raw((x1 - x0) as u32, (y1 - y0) as u32, bytes) {
                Some(buf) => match buf.save(&path) {
                    Ok(()) => format!("Wrote {}", path.display()),
                    Err(e) => format!("Error: {}: {e}", path.display()),
                },
                None => "Error: the screenshot was empty".to_owned(),
            };
            let _ = tx.send(msg);
        });
        ctx.request_repaint();
    }

    fn controls_ui(
        &mut self,
        ui: &mut egui::Ui,
        studio: &mut Studio,
        actions: &mut Vec<TrainingAction>,
    ) {
        ui.add_space(3.0);
        ui.horizontal(|ui| {
            let problems = studio.document.project.training.validate();
            let can_start = !self.running && problems.is_empty() && studio.data.train.is_some();
            if ui
                .add_enabled(can_start, egui::Button::new("Train"))
                .on_hover_text("Train the network of the Network area on the training set")
                .clicked()
            {
                actions.push(TrainingAction::Start);
            }
            if self.paused {
                if ui
                    .add_enabled(self.running, egui::Button::new("Resume"))
                    .clicked()
                {
                    actions.push(TrainingAction::Resume);
                }
            } else if ui
                .add_enabled(self.running, egui::Button::new("Pause"))
                .clicked()
            {
                actions.push(TrainingAction::Pause);
            }
            if ui
                .add_enabled(self.running, egui::Button::new("Stop"))
                .on_hover_text("Stop after this iteration; the network trained so far is kept")
                .clicked()
            {
                actions.push(TrainingAction::Stop);
            }
            ui.separator();
            ui.selectable_value(&mut self.view, TrainingView::Progress, "Training progress");
            ui.selectable_value(
                &mut self.view,
                TrainingView::Compare,
                format!("Compare runs ({})", self.runs.len()),
            );
            ui.separator();
            ui.checkbox(&mut self.show_smoothed, "Smoothed");
            let before = self.smoothing;
            ui.add(
                egui::Slider::new(&mut self.smoothing, 0.0..=0.99)
                    .text("smoothing")
                    .fixed_decimals(2),
            )
            .on_hover_text("De-biased exponential smoothing factor of the solid curves (0 = none)");
            if self.smoothing != before {
                self.series.set_beta(self.smoothing);
            }
            ui.separator();
            if ui
                .add_enabled(!self.history.is_empty(), egui::Button::new("Export CSV…"))
                .clicked()
            {
                actions.push(TrainingAction::Export(Export::Csv));
            }
            if ui
                .add_enabled(!self.history.is_empty(), egui::Button::new("Export PNG…"))
                .clicked()
            {
                actions.push(TrainingAction::Export(Export::Png));
            }
        });
        let problems = studio.document.project.training.validate();
        for p in &problems {
            ui.colored_label(ui.visuals().error_fg_color, format!("Warning: {p}"));
        }
        if studio.data.train.is_none() {
            ui.colored_label(
                ui.visuals().warn_fg_color,
                "Warning: No training data: load a training set in the Data area.",
            );
        }
        // Progress line.
        if let Some(last) = self.history.last() {
            let (max_it, max_ep) = self
                .started
                .as_ref()
                .map_or((0, 0), |s| (s.max_iterations, s.max_epochs));
            let frac = if max_it > 0 {
                last.iteration as f32 / max_it as f32
            } else {
                0.0
            };
            ui.horizontal(|ui| {
                let state = if self.paused {
                    "Paused".to_owned()
                } else if self.running {
                    "Training".to_owned()
                } else {
                    self.summary
                        .as_ref()
                        .map_or("Finished".to_owned(), |s| stop_reason_text(&s.stop_reason))
                };
                ui.strong(state);
                ui.add(
                    egui::ProgressBar::new(frac)
                        .desired_width(260.0)
                        .text(format!(
                            "epoch {} of {max_ep} · iteration {} of {max_it}",
                            last.epoch, last.iteration
                        )),
                );
                if self.running
                    && let Some(left) = self.time_left()
                {
                    ui.label(format!("time left ≈ {}", format_duration(left)));
                }
            });
        } else if self.running {
            ui.horizontal(|ui| {
                ui.spinner();
                ui.label("Preparing the data and the network…");
            });
        }
        ui.add_space(2.0);
    }

    fn elapsed(&self) -> Option<f64> {
        self.finished_after
            .or_else(|| self.start_instant.map(|s| s.elapsed().as_secs_f64()))
    }

    fn time_left(&self) -> Option<f64> {
        let last = self.history.last()?;
        let max = self.started.as_ref()?.max_iterations;
        if last.iteration == 0 || last.elapsed_s <= 0.0 {
            return None;
        }
        Some(last.elapsed_s / last.iteration as f64 * max.saturating_sub(last.iteration) as f64)
    }

    fn info_ui(&mut self, ui: &mut egui::Ui, studio: &Studio) {
        ui.heading("Training information");
        let o = self
            .options
            .clone()
            .unwrap_or_else(|| studio.document.project.training.clone());
        let last = self.history.last();
        let grid = |ui: &mut egui::Ui, id: &str, rows: Vec<(&str, String)>| {
            egui::Grid::new(id)
                .num_columns(2)
                .spacing([10.0, 3.0])
                .show(ui, |ui| {
                    for (k, v) in rows {
                        ui.weak(k);
                        ui.label(v);
                        ui.end_row();
                    }
                });
        };
        let state = if self.paused {
            "paused".to_owned()
        } else if self.running {
            "running".to_owned()
        } else {
            self.summary.as_ref().map_or("not started".to_owned(), |s| {
                stop_reason_text(&s.stop_reason)
            })
        };
        ui.strong("Training time");
        grid(
            ui,
            "info-time",
            vec![
                (
                    "Start time",
                    self.start_wall.map_or("—".into(), format_clock),
                ),
                (
                    "Elapsed time",
                    self.elapsed().map_or("—".into(), format_duration),
                ),
                ("Status", state),
            ],
        );
        ui.add_space(4.0);
        ui.strong("Training cycle");
        let s = self.started.clone();
        grid(
            ui,
            "info-cycle",
            vec![
                (
                    "Epoch",
                    format!(
                        "{} of {}",
                        last.map_or(0, |r| r.epoch),
                        s.as_ref().map_or(o.max_epochs, |s| s.max_epochs)
                    ),
                ),
                (
                    "Iteration",
                    format!(
                        "{} of {}",
                        last.map_or(0, |r| r.iteration),
                        s.as_ref()
                            .map_or("—".into(), |s| s.max_iterations.to_string())
                    ),
                ),
                (
                    "Iterations per epoch",
                    s.as_ref()
                        .map_or("—".into(), |s| s.iterations_per_epoch.to_string()),
                ),
                (
                    "Maximum iterations",
                    s.as_ref()
                        .map_or("—".into(), |s| s.max_iterations.to_string()),
                ),
            ],
        );
        ui.add_space(4.0);
        ui.strong("Validation");
        grid(
            ui,
            "info-val",
            vec![
                (
                    "Frequency",
                    if s.as_ref().is_some_and(|s| !s.has_validation) {
                        "no validation data".into()
                    } else {
                        format!("{} iterations", o.validation_frequency)
                    },
                ),
                (
                    "Patience",
                    o.validation_patience
                        .map_or("Inf".into(), |p| p.to_string()),
                ),
                (
                    "Last validation",
                    match (
                        self.series.val_metric.points().last(),
                        self.series.val_loss.points().last(),
                    ) {
                        (Some(m), Some(l)) => format!(
                            "{} {}, loss {:.4}",
                            metric_text(self.classification(), m[1]),
                            "",
                            l[1]
                        ),
                        _ => "—".into(),
                    },
                ),
            ],
        );
        ui.add_space(4.0);
        ui.strong("Other information");
        let schedule = match o.learn_rate_schedule {
            LearnRateSchedule::None => "'none' (constant)".to_owned(),
            LearnRateSchedule::Piecewise => format!(
                "'piecewise': ×{} every {} epochs",
                o.learn_rate_drop_factor, o.learn_rate_drop_period
            ),
        };
        grid(
            ui,
            "info-other",
            vec![
                (
                    "Hardware resource",
                    s.as_ref()
                        .map_or(format!("{:?} (requested)", o.execution_environment), |s| {
                            s.device.clone()
                        }),
                ),
                ("Solver", format!("{:?}", o.solver).to_lowercase()),
                (
                    "Learning rate",
                    last.map_or(format!("{}", o.learn_rate()), |r| {
                        format!("{:.3e}", r.learn_rate)
                    }),
                ),
                ("Learning rate schedule", schedule),
                ("MiniBatchSize", o.mini_batch_size.to_string()),
            ],
        );
        if let Some(r) = last {
            ui.add_space(4.0);
            ui.strong("Latest iteration");
            grid(
                ui,
                "info-last",
                vec![
                    (
                        if self.classification() {
                            "Mini-batch accuracy"
                        } else {
                            "Mini-batch RMSE"
                        },
                        metric_text(self.classification(), r.train_metric * self.metric_scale()),
                    ),
                    ("Mini-batch loss", format!("{:.4}", r.train_loss)),
                ],
            );
        }
        if let Some(sm) = &self.summary {
            ui.add_space(4.0);
            ui.strong("Result");
            ui.label(format!(
                "{} after {} epochs, {} iterations, {:.1} s.",
                stop_reason_text(&sm.stop_reason),
                sm.epochs,
                sm.iterations,
                sm.train_seconds
            ));
            if let Some(m) = &sm.message {
                ui.label(m);
            }
        }
        for n in &self.notes {
            ui.weak(n);
        }
    }

    fn charts_ui(&mut self, ui: &mut egui::Ui) {
        let options_plot = self
            .options
            .as_ref()
            .is_none_or(|o| o.plots_training_progress);
        if !options_plot {
            ui.label("Plots is 'none': the progress charts are off for this run (the info panel still updates).");
            return;
        }
        if self.history.is_empty() && !self.running {
            ui.label("Press Train to train the network; its progress appears here as it runs.");
        }
        let classification = self.classification();
        let h = ((ui.available_height() - 30.0) / 2.0).max(120.0);
        let top = ui.cursor().min;
        let smooth = self.show_smoothed;
        let epoch_starts = self.series.epoch_starts.clone();
        let last_x = self.history.last().map_or(1.0, |r| r.iteration as f64);
        let label = if classification {
            "Accuracy (%)"
        } else {
            "RMSE"
        };
        chart(
            ui,
            "progress-metric",
            label,
            h,
            &self.series.metric,
            &self.series.val_metric,
            BLUE,
            smooth,
            &epoch_starts,
            last_x,
            classification,
        );
        chart(
            ui,
            "progress-loss",
            "Loss",
            h,
            &self.series.loss,
            &self.series.val_loss,
            ORANGE,
            smooth,
            &epoch_starts,
            last_x,
            false,
        );
        self.charts_rect = Some(Rect::from_min_max(top, ui.min_rect().max));
    }

    fn compare_ui(&mut self, ui: &mut egui::Ui) {
        let done: Vec<usize> = (0..self.runs.len())
            .filter(|&i| self.runs[i].summary.is_some())
            .collect();
        if done.len() < 2 {
            ui.label("Train twice (change an option in between) to compare two runs: their curves are overlaid and the options in which they differ are listed.");
            if done.len() == 1 {
                ui.weak("One run so far.");
            }
            return;
        }
        let name = |r: &RunRecord| {
            format!(
                "Run {} — {} iterations{}",
                r.number,
                r.history.last().map_or(0, |h| h.iteration),
                r.test_metric.map_or(String::new(), |m| format!(
                    ", test {}",
                    metric_text(
                        r.classification,
                        if r.classification { m * 100.0 } else { m }
                    )
                ))
            )
        };
        ui.horizontal(|ui| {
            for (slot, label, color) in [(0, "A", BLUE), (1, "B", RUN_B)] {
                ui.colored_label(color, format!("Run {label}:"));
                let current = if slot == 0 {
                    self.compare.0
                } else {
                    self.compare.1
                };
                let text = self.runs.get(current).map_or("—".to_owned(), name);
                egui::ComboBox::from_id_salt(("compare-run", slot))
                    .selected_text(text)
                    .width(260.0)
                    .show_ui(ui, |ui| {
                        for &i in &done {
                            let n = name(&self.runs[i]);
                            let target = if slot == 0 {
                                &mut self.compare.0
                            } else {
                                &mut self.compare.1
                            };
                            ui.selectable_value(target, i, n);
                        }
                    });
            }
        });
        let (Some(a), Some(b)) = (self.runs.get(self.compare.0), self.runs.get(self.compare.1))
        else {
            return;
        };
        let differences = option_differences(&a.options, &b.options);
        let layer_diff = a.layers != b.layers;
        ui.strong("Options in which they differ");
        if differences.is_empty() && !layer_diff {
            ui.weak("None: the same options and network (the seed decides any difference).");
        }
        egui::Grid::new("compare-diff")
            .striped(true)
            .num_columns(3)
            .show(ui, |ui| {
                if !differences.is_empty() {
                    ui.strong("Option");
                    ui.colored_label(BLUE, format!("Run {}", a.number));
                    ui.colored_label(RUN_B, format!("Run {}", b.number));
                    ui.end_row();
                }
                for (k, va, vb) in &differences {
                    ui.label(k);
                    ui.monospace(va);
                    ui.monospace(vb);
                    ui.end_row();
                }
                if layer_diff {
                    ui.label("Layers");
                    ui.monospace(a.layers.join("\n"));
                    ui.monospace(b.layers.join("\n"));
                    ui.end_row();
                }
            });
        let h = ((ui.available_height() - 30.0) / 2.0).max(120.0);
        let classification = a.classification && b.classification;
        let scale = if classification { 100.0 } else { 1.0 };
        let sa = ProgressSeries::from_history(&a.history, self.smoothing, scale);
        let sb = ProgressSeries::from_history(&b.history, self.smoothing, scale);
        for (id, label, pick) in [
            (
                "compare-metric",
                if classification {
                    "Accuracy (%)"
                } else {
                    "RMSE"
                },
                0,
            ),
            ("compare-loss", "Loss", 1),
        ] {
            Plot::new(id)
                .height(h)
                .legend(Legend::default().follow_insertion_order(true))
                .x_axis_label("Iteration")
                .y_axis_label(label)
                .show(ui, |p| {
                    for (s, color, n) in [(&sa, BLUE, a.number), (&sb, RUN_B, b.number)] {
                        let (train, val) = if pick == 0 {
                            (&s.metric, &s.val_metric)
                        } else {
                            (&s.loss, &s.val_loss)
                        };
                        p.line(
                            Line::new(
                                format!("Run {n}"),
                                PlotPoints::new(train.smooth.envelope(f64::MIN..=f64::MAX, 1000)),
                            )
                            .color(color)
                            .width(1.5),
                        );
                        if !val.is_empty() {
                            p.line(
                                Line::new(
                                    format!("Run {n} validation"),
                                    PlotPoints::new(val.points().to_vec()),
                                )
                                .color(color)
                                .style(LineStyle::dashed_loose()),
                            );
                        }
                    }
                });
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn chart(
    ui: &mut egui::Ui,
    id: &str,
    y_label: &str,
    height: f32,
    train: &SmoothedSeries,
    validation: &Series,
    color: Color32,
    smooth: bool,
    epoch_starts: &[(usize, usize)],
    last_x: f64,
    percent: bool,
) {
    let faint = Color32::from_rgba_unmultiplied(
        color.r(),
        color.g(),
        color.b(),
        if smooth { 70 } else { 255 },
    );
    let buckets = ui.available_width().max(100.0) as usize;
    let mut plot = Plot::new(id)
        .height(height)
        .legend(
            Legend::default()
                .follow_insertion_order(true)
                .position(egui_plot::Corner::RightBottom),
        )
        .x_axis_label("Iteration")
        .y_axis_label(y_label)
        .include_x(0.0)
        .include_y(0.0);
    if percent {
        plot = plot.include_y(100.0);
    }
    plot.show(ui, |p| {
        let range = if p.auto_bounds().x {
            f64::MIN..=f64::MAX
        } else {
            let b = p.plot_bounds();
            b.min()[0]..=b.max()[0]
        };
        // Epochs shaded: every other epoch gets a light band.
        for (n, w) in epoch_starts.iter().enumerate() {
            if n % 2 == 1 {
                let end = epoch_starts
                    .get(n + 1)
                    .map_or(last_x + 0.5, |e| e.1 as f64 - 0.5);
                p.add(
                    Span::new("", (w.1 as f64 - 0.5)..=end)
                        .fill(Color32::from_rgba_unmultiplied(128, 128, 128, 22)),
                );
            }
        }
        p.line(
            Line::new(
                if smooth { "Training (raw)" } else { "Training" },
                PlotPoints::new(train.raw.envelope(range.clone(), buckets)),
            )
            .color(faint)
            .width(1.0),
        );
        if smooth {
            p.line(
                Line::new(
                    "Training (smoothed)",
                    PlotPoints::new(train.smooth.envelope(range.clone(), buckets)),
                )
                .color(color)
                .width(2.0),
            );
        }
        if !validation.is_empty() {
            let pts = validation.envelope(range, buckets);
            p.line(
                Line::new("Validation", PlotPoints::new(pts.clone()))
                    .color(Color32::from_gray(40))
                    .style(LineStyle::dashed_loose())
                    .width(1.5),
            );
            p.points(
                Points::new("Validation", PlotPoints::new(pts))
                    .shape(MarkerShape::Circle)
                    .radius(3.5)
                    .color(Color32::from_gray(40))
                    .filled(true),
            );
        }
    });
}

/// The options in which two runs differ: (MATLAB name, value in a, value in b).
pub fn option_differences(
    a: &TrainingOptions,
    b: &TrainingOptions,
) -> Vec<(String, String, String)> {
    let (Ok(serde_json::Value::Object(ja)), Ok(serde_json::Value::Object(jb))) =
        (serde_json::to_value(a), serde_json::to_value(b))
    else {
        return Vec::new();
    };
    let show = |v: Option<&serde_json::Value>| match v {
        None | Some(serde_json::Value::Null) => "default".to_owned(),
        Some(serde_json::Value::String(s)) => format!("'{s}'"),
        Some(v) => v.to_string(),
    };
    let mut out = Vec::new();
    for (k, va) in &ja {
        let vb = jb.get(k);
        if Some(va) != vb {
            out.push((matlab_option_name(k), show(Some(va)), show(vb)));
        }
    }
    // Effective values that hide behind "default".
    if a.learn_rate() != b.learn_rate() && !out.iter().any(|o| o.0 == "InitialLearnRate") {
        out.push((
            "InitialLearnRate".into(),
            a.learn_rate().to_string(),
            b.learn_rate().to_string(),
        ));
    }
    out
}

/// A snake_case option field as MATLAB spells it.
pub fn matlab_option_name(field: &str) -> String {
    match field {
        "solver" => "solverName".into(),
        "plots_training_progress" => "Plots".into(),
        "seed" => "Seed".into(),
        _ => field
            .split('_')
            .map(|w| {
                let mut c = w.chars();
                c.next().map_or(String::new(), |f| {
                    f.to_ascii_uppercase().to_string() + c.as_str()
                })
            })
            .collect(),
    }
}

fn metric_text(classification: bool, v: f64) -> String {
    if classification {
        format!("{v:.2}%")
    } else {
        format!("{v:.4}")
    }
}

fn stop_reason_text(r: &StopReason) -> String {
    match r {
        StopReason::Completed => "Completed: reached MaxEpochs".into(),
        StopReason::Stopped => "Stopped by the user".into(),
        StopReason::EarlyStop => "Stopped early: ValidationPatience reached".into(),
        StopReason::NonFinite { iteration } => {
            format!("Stopped: the loss was not finite at iteration {iteration}")
        }
    }
}

/// "1 h 02 min 05 s" style durations.
pub fn format_duration(s: f64) -> String {
    let s = s.max(0.0).round() as u64;
    let (h, m, sec) = (s / 3600, (s / 60) % 60, s % 60);
    if h > 0 {
        format!("{h} h {m:02} min {sec:02} s")
    } else if m > 0 {
        format!("{m} min {sec:02} s")
    } else {
        format!("{sec} s")
    }
}

/// The wall-clock time of day (UTC) of a moment.
fn format_clock(t: SystemTime) -> String {
    let s = t
        .duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let day = s % 86_400;
    format!(
        "{:02}:{:02}:{:02} UTC",
        day / 3600,
        (day / 60) % 60,
        day % 60
    )
}

/// Writes a training history as CSV.
pub fn write_history_csv(
    path: &Path,
    history: &[IterationRecord],
    classification: bool,
) -> Result<(), String> {
    let metric = if classification { "accuracy" } else { "rmse" };
    let mut w = csv::Writer::from_path(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let header = [
        "iteration",
        "epoch",
        "elapsed_s",
        "learn_rate",
        "train_loss",
        &format!("train_{metric}"),
        "val_loss",
        &format!("val_{metric}"),
    ];
    w.write_record(header)
        .map_err(|e| format!("{}: {e}", path.display()))?;
    let opt = |v: Option<f64>| v.map_or(String::new(), |v| v.to_string());
    for r in history {
        w.write_record([
            r.iteration.to_string(),
            r.epoch.to_string(),
            format!("{:.3}", r.elapsed_s),
            r.learn_rate.to_string(),
            r.train_loss.to_string(),
            r.train_metric.to_string(),
            opt(r.val_loss),
            opt(r.val_metric),
        ])
        .map_err(|e| format!("{}: {e}", path.display()))?;
    }
    w.flush().map_err(|e| format!("{}: {e}", path.display()))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn option_names_read_like_matlab() {
        assert_eq!(matlab_option_name("initial_learn_rate"), "InitialLearnRate");
        assert_eq!(matlab_option_name("l2_regularization"), "L2Regularization");
        assert_eq!(matlab_option_name("solver"), "solverName");
    }

    #[test]
    fn differences_list_only_changed_options() {
        let a = TrainingOptions::default();
        let b = TrainingOptions {
            max_epochs: 5,
            mini_batch_size: 27,
            ..TrainingOptions::default()
        };
        let d = option_differences(&a, &b);
        let names: Vec<&str> = d.iter().map(|x| x.0.as_str()).collect();
        assert_eq!(names.len(), 2, "{d:?}");
        assert!(names.contains(&"MaxEpochs") && names.contains(&"MiniBatchSize"));
        assert!(
            d.iter()
                .any(|x| x == &("MaxEpochs".to_owned(), "30".to_owned(), "5".to_owned()))
        );
        assert!(option_differences(&a, &a).is_empty());
    }

    #[test]
    fn durations_read_naturally() {
        assert_eq!(format_duration(5.2), "5 s");
        assert_eq!(format_duration(125.0), "2 min 05 s");
        assert_eq!(format_duration(3725.0), "1 h 02 min 05 s");
    }

    #[test]
    fn validation_points_are_not_doubled() {
        let mut s = ProgressSeries::new(0.5);
        let r = IterationRecord {
            iteration: 10,
            epoch: 1,
            val_loss: Some(1.0),
            val_metric: Some(0.5),
            ..Default::default()
        };
        s.push(&r, 100.0);
        s.push_validation(10, 1.0, 50.0);
        assert_eq!(s.val_loss.len(), 1);
        assert_eq!(s.val_metric.points()[0], [10.0, 50.0]);
        assert_eq!(s.epoch_starts, vec![(1, 10)]);
    }
}
