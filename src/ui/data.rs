//! The Data area: loading the training, validation and test sets (file dialog, dropped file,
//! typed path or an embedded sample; files load on a background thread with progress), their
//! summary, a sequence browser (filter by class and length, the selected sequence drawn one
//! line per feature), the class distribution, a length histogram, per-feature statistics, what
//! padding or truncation will do under the current SequenceLength options, a normalization
//! preview, and a seeded stratified hold-out split for validation.

use std::path::{Path, PathBuf};

use crossbeam_channel::Receiver;
use egui_plot::{Bar, BarChart, Legend, Line, Plot, PlotPoints};

use crate::app::Studio;
use crate::data::normalize::{Normalization, NormalizationStats, normalize_value};
use crate::data::{DatasetSummary, LoadOptions, SequenceDataset, Targets};
use crate::project_data::ProjectData;
use crate::spec::{DataSource, LayerKind, SequenceLength};
use crate::ui::document::Document;
use crate::ui::picker::{DialogKind, Picker};

/// What a data set is used for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DataRole {
    Train,
    Validation,
    Test,
}

impl DataRole {
    pub const ALL: [DataRole; 3] = [DataRole::Train, DataRole::Validation, DataRole::Test];

    /// The role's name in the UI.
    pub fn title(self) -> &'static str {
        match self {
            DataRole::Train => "Training",
            DataRole::Validation => "Validation",
            DataRole::Test => "Test",
        }
    }
}

/// The data sets in use.
#[derive(Default)]
pub struct LoadedData {
    pub train: Option<SequenceDataset>,
    pub validation: Option<SequenceDataset>,
    pub test: Option<SequenceDataset>,
    /// The last loading problem, shown in the Data area.
    pub error: Option<String>,
}

impl LoadedData {
    /// Loads what the project names (the embedded Japanese Vowels for the canonical project).
    pub fn load_project_data(&mut self, doc: &Document) {
        match ProjectData::load(&doc.project, doc.path.as_deref()) {
            Ok(d) => {
                self.train = d.train;
                self.validation = d.validation;
                self.test = d.test;
                self.error = None;
            }
            Err(e) => self.error = Some(e.to_string()),
        }
    }

    /// The set of a role.
    pub fn get(&self, role: DataRole) -> Option<&SequenceDataset> {
        match role {
            DataRole::Train => self.train.as_ref(),
            DataRole::Validation => self.validation.as_ref(),
            DataRole::Test => self.test.as_ref(),
        }
    }

    /// The slot of a role.
    pub fn slot(&mut self, role: DataRole) -> &mut Option<SequenceDataset> {
        match role {
            DataRole::Train => &mut self.train,
            DataRole::Validation => &mut self.validation,
            DataRole::Test => &mut self.test,
        }
    }

    /// Puts `ds` in `role` and lines the sets up (validation and test classes re-indexed onto
    /// the training classes, feature counts checked). A mismatch is reported in `error` and
    /// returned; the set stays loaded so the user can fix the other one.
    pub fn put(&mut self, role: DataRole, ds: Option<SequenceDataset>) -> Result<(), String> {
        *self.slot(role) = ds;
        let mut all = ProjectData {
            train: self.train.take(),
            validation: self.validation.take(),
            test: self.test.take(),
        };
        let aligned = all.align();
        self.train = all.train;
        self.validation = all.validation;
        self.test = all.test;
        match aligned {
            Ok(()) => {
                self.error = None;
                Ok(())
            }
            Err(e) => {
                let m = e.to_string();
                self.error = Some(m.clone());
                Err(m)
            }
        }
    }
}

/// What padding and truncation do to a set of sequence lengths, mini-batch by mini-batch
/// (in the given order; shuffling changes which sequences meet, not the kind of effect).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PaddingEffect {
    pub batches: usize,
    /// Time steps of real data.
    pub real_steps: usize,
    /// Padding steps added.
    pub padded_steps: usize,
    /// Real steps cut off ('shortest').
    pub discarded_steps: usize,
    /// Pieces the batches are split into (SequenceLength = N), else the batch count.
    pub chunks: usize,
}

/// Works out [`PaddingEffect`] for mini-batches of `batch_size` consecutive `lengths`.
pub fn padding_effect(
    lengths: &[usize],
    batch_size: usize,
    sequence_length: SequenceLength,
) -> PaddingEffect {
    let mut e = PaddingEffect::default();
    for batch in lengths.chunks(batch_size.max(1)) {
        let longest = batch.iter().copied().max().unwrap_or(0);
        let shortest = batch.iter().copied().min().unwrap_or(0);
        let real: usize = batch.iter().sum();
        e.batches += 1;
        e.real_steps += real;
        match sequence_length {
            SequenceLength::Longest => {
                e.padded_steps += longest * batch.len() - real;
                e.chunks += 1;
            }
            SequenceLength::Shortest => {
                e.discarded_steps += real - shortest * batch.len();
                e.chunks += 1;
            }
            SequenceLength::Fixed(n) => {
                let n = n.max(1);
                let pieces = longest.div_ceil(n);
                e.padded_steps += pieces * n * batch.len() - real;
                e.chunks += pieces;
            }
        }
    }
    e
}

enum LoadMessage {
    Progress(u64, u64),
    Done(Result<SequenceDataset, String>),
}

/// A file being read on a background thread.
struct LoadJob {
    role: DataRole,
    path: PathBuf,
    progress: (u64, u64),
    rx: Receiver<LoadMessage>,
}

/// Cached summaries, recomputed when a set changes.
#[derive(Default)]
struct SummaryCache {
    entries: Vec<(DataRole, (usize, usize, String), DatasetSummary)>,
    norm: Option<((usize, usize, String), NormalizationStats)>,
}

fn identity(ds: &SequenceDataset) -> (usize, usize, String) {
    (ds.sequences.as_ptr() as usize, ds.len(), ds.name.clone())
}

impl SummaryCache {
    fn get(&mut self, role: DataRole, ds: &SequenceDataset) -> &DatasetSummary {
        let key = identity(ds);
        let pos = self
            .entries
            .iter()
            .position(|(r, k, _)| *r == role && *k == key);
        let pos = match pos {
            Some(p) => p,
            None => {
                self.entries.retain(|(r, _, _)| *r != role);
                self.entries.push((role, key, DatasetSummary::of(ds, 20)));
                self.entries.len() - 1
            }
        };
        &self.entries[pos].2
    }

    fn normalization(&mut self, train: &SequenceDataset) -> &NormalizationStats {
        let key = identity(train);
        if self.norm.as_ref().is_none_or(|(k, _)| *k != key) {
            self.norm = Some((key.clone(), NormalizationStats::compute(train)));
        }
        match &self.norm {
            Some((_, s)) => s,
            None => unreachable_stats(),
        }
    }
}

fn unreachable_stats() -> &'static NormalizationStats {
    static EMPTY: std::sync::OnceLock<NormalizationStats> = std::sync::OnceLock::new();
    EMPTY.get_or_init(NormalizationStats::default)
}

/// The Data area's own state.
pub struct DataArea {
    jobs: Vec<LoadJob>,
    picker: Picker<DataRole>,
    /// The typed path and its role.
    pub path_text: String,
    pub path_role: DataRole,
    embedded: String,
    /// Which set the browser shows.
    pub browse: DataRole,
    /// Class filter (class index) of the browser.
    pub class_filter: Option<usize>,
    /// Length filter (inclusive) of the browser.
    pub length_filter: (usize, usize),
    /// The selected sequence (index into the browsed set).
    pub selected: Option<usize>,
    holdout_fraction: f64,
    holdout_seed: u64,
    summaries: SummaryCache,
}

impl Default for DataArea {
    fn default() -> Self {
        Self {
            jobs: Vec::new(),
            picker: Picker::default(),
            path_text: String::new(),
            path_role: DataRole::Train,
            embedded: "japanese-vowels".into(),
            browse: DataRole::Train,
            class_filter: None,
            length_filter: (0, usize::MAX),
            selected: Some(0),
            holdout_fraction: 0.2,
            holdout_seed: 0,
            summaries: SummaryCache::default(),
        }
    }
}

/// What the user asked for this frame (applied after drawing).
enum DataAction {
    PickFile(DataRole),
    OpenTyped,
    UseEmbedded,
    Clear(DataRole),
    Holdout,
    SetInputSize(usize),
    SetNormalization(Normalization),
}

impl DataArea {
    /// Starts reading `path` into `role` on a background thread (file drop, File menu, the
    /// Load buttons). The set replaces the role's set when it has loaded; a problem is shown
    /// with the loader's message (file, line, what is wrong).
    pub fn open_file(&mut self, path: &Path, role: DataRole, studio: &mut Studio) {
        let (tx, rx) = crossbeam_channel::unbounded();
        let p = path.to_path_buf();
        let spawned = std::thread::Builder::new()
            .name("data-loader".into())
            .spawn(move || {
                let progress_tx = tx.clone();
                let mut report = |done: u64, total: u64| {
                    let _ = progress_tx.send(LoadMessage::Progress(done, total));
                };
                let result =
                    crate::data::load_with_progress(&p, &LoadOptions::default(), &mut report)
                        .map_err(|e| e.to_string());
                let _ = tx.send(LoadMessage::Done(result));
            });
        match spawned {
            Ok(_) => {
                studio.notify(format!(
                    "Loading {} as the {} set…",
                    path.display(),
                    role.title().to_lowercase()
                ));
                self.jobs.retain(|j| j.role != role);
                self.jobs.push(LoadJob {
                    role,
                    path: path.to_path_buf(),
                    progress: (0, 1),
                    rx,
                });
            }
            Err(e) => studio.notify(format!("Error: could not start loading: {e}")),
        }
    }

    /// Loads an embedded sample (`japanese-vowels`, `basic-motions`, `airline`): its training
    /// half as the training set and its test half (if any) as the test set.
    pub fn open_embedded(&mut self, name: &str, studio: &mut Studio) {
        let train = match crate::project_data::embedded(name, false) {
            Ok(t) => t,
            Err(e) => {
                studio.data.error = Some(e.to_string());
                studio.notify(format!("Error: {e}"));
                return;
            }
        };
        let test = crate::project_data::embedded(name, true).ok();
        let has_test = test.is_some();
        studio.data.train = None;
        studio.data.validation = None;
        studio.data.test = None;
        let _ = studio.data.put(DataRole::Train, Some(train));
        let _ = studio.data.put(DataRole::Test, test);
        let name = name.to_owned();
        studio.document.edit(|p| {
            p.data.train = Some(DataSource::Embedded {
                name: name.clone(),
                test: false,
            });
            p.data.validation = None;
            p.data.test = has_test.then(|| DataSource::Embedded {
                name: name.clone(),
                test: true,
            });
        });
        self.reset_browser();
        studio.notify(format!("Loaded the embedded {name} data"));
    }

    /// Whether a file is being read.
    pub fn is_loading(&self) -> bool {
        !self.jobs.is_empty()
    }

    fn reset_browser(&mut self) {
        self.class_filter = None;
        self.length_filter = (0, usize::MAX);
        self.selected = Some(0);
    }

    /// Takes finished background loads.
    pub fn poll_loads(&mut self, studio: &mut Studio) {
        let mut finished = Vec::new();
        for (i, job) in self.jobs.iter_mut().enumerate() {
            while let Ok(m) = job.rx.try_recv() {
                match m {
                    LoadMessage::Progress(a, b) => job.progress = (a, b),
                    LoadMessage::Done(r) => finished.push((i, r)),
                }
            }
        }
        for (i, result) in finished.into_iter().rev() {
            let job = self.jobs.remove(i);
            match result {
                Ok(ds) => {
                    let n = ds.len();
                    match studio.data.put(job.role, Some(ds)) {
                        Ok(()) => studio.notify(format!(
                            "Loaded {} ({n} sequences) as the {} set",
                            job.path.display(),
                            job.role.title().to_lowercase()
                        )),
                        Err(e) => studio.notify(format!("Error: {e}")),
                    }
                    let path = job.path.clone();
                    let role = job.role;
                    studio.document.edit(|p| {
                        let source = Some(DataSource::File(path));
                        match role {
                            DataRole::Train => p.data.train = source,
                            DataRole::Validation => p.data.validation = source,
                            DataRole::Test => p.data.test = source,
                        }
                    });
                    if job.role == self.browse {
                        self.reset_browser();
                    }
                }
                Err(e) => {
                    studio.data.error = Some(e.clone());
                    studio.notify(format!("Error: {e}"));
                }
            }
        }
    }

    /// The indices of the browsed set that pass the filters.
    pub fn filtered(&self, ds: &SequenceDataset) -> Vec<usize> {
        let labels = match &ds.targets {
            Targets::Labels { labels, .. } => Some(labels),
            _ => None,
        };
        (0..ds.len())
            .filter(|&i| {
                let len = ds.sequences[i].steps;
                let class_ok = match (self.class_filter, labels) {
                    (Some(c), Some(l)) => l.get(i) == Some(&c),
                    _ => true,
                };
                class_ok && len >= self.length_filter.0 && len <= self.length_filter.1
            })
            .collect()
    }

    pub fn ui(&mut self, ui: &mut egui::Ui, studio: &mut Studio) {
        self.poll_loads(studio);
        if let Some((role, path)) = self.picker.poll()
            && let Some(p) = path
        {
            self.open_file(&p, role, studio);
        }
        if self.is_loading() {
            ui.ctx()
                .request_repaint_after(std::time::Duration::from_millis(100));
        }
        let mut actions = Vec::new();
        egui::Panel::top("data-sets").show(ui, |ui| self.sets_ui(ui, studio, &mut actions));
        egui::Panel::left("data-browser")
            .resizable(true)
            .default_size(250.0)
            .show(ui, |ui| self.browser_list_ui(ui, studio));
        egui::CentralPanel::default().show(ui, |ui| {
            egui::ScrollArea::vertical()
                .auto_shrink(false)
                .show(ui, |ui| self.details_ui(ui, studio, &mut actions));
        });
        for a in actions {
            self.apply(a, ui.ctx(), studio);
        }
    }

    fn apply(&mut self, a: DataAction, ctx: &egui::Context, studio: &mut Studio) {
        match a {
            DataAction::PickFile(role) => self.picker.start(
                ctx,
                role,
                DialogKind::OpenFile,
                &format!("Load the {} set", role.title().to_lowercase()),
                &[(
                    "Sequence data",
                    &["ts", "csv", "npy", "npz", "txt", "train", "test"],
                )],
                None,
            ),
            DataAction::OpenTyped => {
                let p = PathBuf::from(self.path_text.trim());
                if self.path_text.trim().is_empty() {
                    studio.notify("Type a file path first");
                } else {
                    let role = self.path_role;
                    self.open_file(&p, role, studio);
                }
            }
            DataAction::UseEmbedded => {
                let name = self.embedded.clone();
                self.open_embedded(&name, studio);
            }
            DataAction::Clear(role) => {
                let _ = studio.data.put(role, None);
                studio.document.edit(|p| match role {
                    DataRole::Train => p.data.train = None,
                    DataRole::Validation => p.data.validation = None,
                    DataRole::Test => p.data.test = None,
                });
            }
            DataAction::Holdout => {
                let Some(train) = studio.data.train.clone() else {
                    return;
                };
                let (keep, held) = crate::data::stratified_holdout(
                    &train,
                    self.holdout_fraction,
                    self.holdout_seed,
                );
                if held.is_empty() {
                    studio.notify("The hold-out fraction gives no validation sequences");
                    return;
                }
                let mut t = train.subset(&keep);
                t.name = format!("{} (training part)", train.name);
                let mut v = train.subset(&held);
                v.name = format!("{} (hold-out)", train.name);
                let (nt, nv) = (t.len(), v.len());
                studio.data.train = Some(t);
                let _ = studio.data.put(DataRole::Validation, Some(v));
                self.reset_browser();
                studio.notify(format!(
                    "Held out {nv} sequences for validation (seed {}); {nt} remain for training",
                    self.holdout_seed
                ));
            }
            DataAction::SetInputSize(c) => studio.document.edit(|p| {
                for l in &mut p.layers {
                    if let LayerKind::SequenceInput(s) = &mut l.kind {
                        s.input_size = c;
                    }
                }
            }),
            DataAction::SetNormalization(n) => studio.document.edit(|p| {
                for l in &mut p.layers {
                    if let LayerKind::SequenceInput(s) = &mut l.kind {
                        s.normalization = n;
                    }
                }
            }),
        }
    }

    fn sets_ui(&mut self, ui: &mut egui::Ui, studio: &mut Studio, actions: &mut Vec<DataAction>) {
        ui.add_space(4.0);
        egui::Grid::new("data-sets-grid")
            .num_columns(4)
            .spacing([16.0, 4.0])
            .striped(true)
            .show(ui, |ui| {
                ui.strong("Role");
                ui.strong("Data set");
                ui.strong("Contents");
                ui.strong("");
                ui.end_row();
                for role in DataRole::ALL {
                    ui.label(role.title());
                    match studio.data.get(role) {
                        Some(d) => {
                            ui.label(&d.name);
                            let classes = d
                                .class_names()
                                .map(|c| format!(", {} classes", c.len()))
                                .unwrap_or_default();
                            ui.label(format!(
                                "{} sequences · {} features · {}{classes}",
                                d.len(),
                                d.num_features,
                                d.targets.kind()
                            ));
                        }
                        None => {
                            ui.weak("none");
                            ui.weak(match role {
                                DataRole::Validation => {
                                    "optional: load one, or hold out part of the training set"
                                }
                                DataRole::Test => "optional: used for the Results area",
                                DataRole::Train => "required for training",
                            });
                        }
                    }
                    ui.horizontal(|ui| {
                        if ui
                            .button("Load file…")
                            .on_hover_text(".ts, long-form .csv, .npy/.npz, UCI .train/.test")
                            .clicked()
                        {
                            actions.push(DataAction::PickFile(role));
                        }
                        if studio.data.get(role).is_some()
                            && ui
                                .small_button("x")
                                .on_hover_text("Remove this set")
                                .clicked()
                        {
                            actions.push(DataAction::Clear(role));
                        }
                        if let Some(job) = self.jobs.iter().find(|j| j.role == role) {
                            let f = if job.progress.1 > 0 {
                                job.progress.0 as f32 / job.progress.1 as f32
                            } else {
                                0.0
                            };
                            ui.add(
                                egui::ProgressBar::new(f)
                                    .desired_width(120.0)
                                    .show_percentage(),
                            );
                            ui.spinner();
                        }
                    });
                    ui.end_row();
                }
            });
        ui.horizontal(|ui| {
            ui.label("Embedded sample:");
            egui::ComboBox::from_id_salt("embedded-sample").selected_text(&self.embedded).show_ui(ui, |ui| {
                for (name, about) in crate::data::embedded::NAMES {
                    ui.selectable_value(&mut self.embedded, (*name).to_owned(), *name).on_hover_text(*about);
                }
            });
            if ui.button("Use sample").clicked() {
                actions.push(DataAction::UseEmbedded);
            }
            ui.separator();
            ui.label("Path:");
            ui.add(egui::TextEdit::singleline(&mut self.path_text).hint_text("/path/to/data.ts").desired_width(220.0));
            egui::ComboBox::from_id_salt("path-role").selected_text(self.path_role.title()).show_ui(ui, |ui| {
                for r in DataRole::ALL {
                    ui.selectable_value(&mut self.path_role, r, r.title());
                }
            });
            if ui.button("Load path").clicked() {
                actions.push(DataAction::OpenTyped);
            }
            ui.separator();
            ui.label("Hold out");
            ui.add(egui::DragValue::new(&mut self.holdout_fraction).range(0.01..=0.9).speed(0.01).custom_formatter(|v, _| format!("{:.0}%", v * 100.0)).custom_parser(|s| s.trim_end_matches('%').trim().parse::<f64>().ok().map(|v| v / 100.0)));
            ui.label("seed");
            ui.add(egui::DragValue::new(&mut self.holdout_seed));
            if ui
                .add_enabled(studio.data.train.is_some(), egui::Button::new("Split for validation"))
                .on_hover_text("Stratified: each class gives the same share of its sequences (data::split::stratified_holdout)")
                .clicked()
            {
                actions.push(DataAction::Holdout);
            }
        });
        if let Some(e) = &studio.data.error {
            ui.colored_label(ui.visuals().error_fg_color, format!("Warning: {e}"));
        }
        // The network's input size against the data.
        let input = studio
            .document
            .project
            .layers
            .iter()
            .find_map(|l| match &l.kind {
                LayerKind::SequenceInput(s) => Some(s.input_size),
                _ => None,
            });
        if let (Some(c), Some(train)) = (input, &studio.data.train)
            && c != train.num_features
        {
            ui.horizontal(|ui| {
                ui.colored_label(
                    ui.visuals().warn_fg_color,
                    format!("Warning: The network's sequenceInputLayer takes {c} features; the training data has {}.", train.num_features),
                );
                if ui.button(format!("Set InputSize to {}", train.num_features)).clicked() {
                    actions.push(DataAction::SetInputSize(train.num_features));
                }
            });
        }
        ui.add_space(2.0);
    }

    fn browser_list_ui(&mut self, ui: &mut egui::Ui, studio: &mut Studio) {
        ui.heading("Sequences");
        ui.horizontal(|ui| {
            for r in DataRole::ALL {
                if ui
                    .add_enabled(
                        studio.data.get(r).is_some(),
                        egui::Button::selectable(self.browse == r, r.title()),
                    )
                    .clicked()
                {
                    self.browse = r;
                    self.reset_browser();
                }
            }
        });
        let Some(ds) = studio.data.get(self.browse) else {
            ui.weak("No data loaded for this role.");
            return;
        };
        let (lmin, lmax) = ds.sequences.iter().fold((usize::MAX, 0), |(a, b), s| {
            (a.min(s.steps), b.max(s.steps))
        });
        let lmin = if ds.is_empty() { 0 } else { lmin };
        if let Some(names) = ds.class_names()
            && matches!(ds.targets, Targets::Labels { .. })
        {
            let text = self
                .class_filter
                .and_then(|c| names.get(c))
                .map_or("all classes".to_owned(), |n| format!("class {n}"));
            egui::ComboBox::from_label("Class")
                .selected_text(text)
                .show_ui(ui, |ui| {
                    if ui
                        .selectable_label(self.class_filter.is_none(), "all classes")
                        .clicked()
                    {
                        self.class_filter = None;
                        self.selected = None;
                    }
                    for (i, n) in names.iter().enumerate() {
                        if ui
                            .selectable_label(self.class_filter == Some(i), n)
                            .clicked()
                        {
                            self.class_filter = Some(i);
                            self.selected = None;
                        }
                    }
                });
        }
        let (mut lo, mut hi) = (
            self.length_filter.0.max(lmin),
            self.length_filter.1.min(lmax),
        );
        ui.horizontal(|ui| {
            ui.label("Length");
            ui.add(egui::DragValue::new(&mut lo).range(lmin..=lmax));
            ui.label("to");
            ui.add(egui::DragValue::new(&mut hi).range(lmin..=lmax));
        });
        if (lo, hi)
            != (
                self.length_filter.0.max(lmin),
                self.length_filter.1.min(lmax),
            )
        {
            self.length_filter = (lo, hi);
        }
        let rows = self.filtered(ds);
        ui.weak(format!("{} of {} sequences", rows.len(), ds.len()));
        if self.selected.is_some_and(|s| !rows.contains(&s)) {
            self.selected = rows.first().copied();
        }
        let names = ds.class_names();
        let labels = match &ds.targets {
            Targets::Labels { labels, .. } => Some(labels),
            _ => None,
        };
        ui.separator();
        egui::ScrollArea::vertical().auto_shrink(false).show_rows(
            ui,
            18.0,
            rows.len(),
            |ui, range| {
                for &i in &rows[range] {
                    let class = labels
                        .and_then(|l| l.get(i))
                        .and_then(|&c| names.and_then(|n| n.get(c)))
                        .map(|n| format!(" · class {n}"))
                        .unwrap_or_default();
                    let text = format!("#{} · {} steps{class}", i + 1, ds.sequences[i].steps);
                    if ui
                        .selectable_label(self.selected == Some(i), text)
                        .clicked()
                    {
                        self.selected = Some(i);
                    }
                }
            },
        );
    }

    fn details_ui(
        &mut self,
        ui: &mut egui::Ui,
        studio: &mut Studio,
        actions: &mut Vec<DataAction>,
    ) {
        let Some(ds) = studio.data.get(self.browse) else {
            ui.label("Load a data set to explore it: Load file…, drop a file on the window, or use an embedded sample.");
            return;
        };
        let summary = self.summaries.get(self.browse, ds).clone();
        ui.heading(format!(
            "{} — {} set",
            ds.name,
            self.browse.title().to_lowercase()
        ));
        ui.label(format!(
            "{} sequences · {} features · {} time steps · lengths {}–{} (median {}) · {} · {} missing values",
            summary.num_sequences,
            summary.num_features,
            summary.total_steps,
            summary.length_min,
            summary.length_max,
            summary.length_median,
            summary.target_kind,
            summary.missing_values
        ));
        ui.add_space(4.0);
        // The selected sequence, and its normalized version.
        let normalization = studio
            .document
            .project
            .layers
            .iter()
            .find_map(|l| match &l.kind {
                LayerKind::SequenceInput(s) => Some(s.normalization),
                _ => None,
            });
        let stats = studio
            .data
            .train
            .as_ref()
            .map(|t| self.summaries.normalization(t).clone());
        if let Some(i) = self.selected.filter(|&i| i < ds.len()) {
            let seq = &ds.sequences[i];
            let c = ds.num_features.max(1);
            let class = ds.class_names().zip(match &ds.targets {
                Targets::Labels { labels, .. } => labels.get(i).copied(),
                _ => None,
            });
            let class = class
                .and_then(|(n, l)| n.get(l))
                .map(|n| format!(", class {n}"))
                .unwrap_or_default();
            ui.strong(format!(
                "Sequence {} ({} time steps{class})",
                i + 1,
                seq.steps
            ));
            let width = ui.available_width();
            let show_norm =
                normalization.is_some_and(|n| n != Normalization::None) && stats.is_some();
            let plot_w = if show_norm { width / 2.0 - 6.0 } else { width };
            let lines = |values: &dyn Fn(usize, usize) -> f64| -> Vec<Line<'static>> {
                (0..c)
                    .map(|k| {
                        let pts: PlotPoints = (0..seq.steps)
                            .map(|t| [t as f64 + 1.0, values(t, k)])
                            .collect();
                        Line::new(format!("Feature {}", k + 1), pts)
                    })
                    .collect()
            };
            ui.horizontal(|ui| {
                ui.vertical(|ui| {
                    ui.set_width(plot_w);
                    if show_norm {
                        ui.weak("Before normalization");
                    }
                    Plot::new(("data-sequence", self.browse as u8, i))
                        .height(230.0)
                        .width(plot_w)
                        .legend(Legend::default().follow_insertion_order(true))
                        .x_axis_label("time step")
                        .show(ui, |p| {
                            for l in lines(&|t, k| {
                                seq.values.get(t * c + k).copied().unwrap_or(f32::NAN) as f64
                            }) {
                                p.line(l);
                            }
                        });
                });
                if show_norm && let (Some(n), Some(st)) = (normalization, &stats) {
                    ui.vertical(|ui| {
                        ui.set_width(plot_w);
                        ui.weak(format!(
                            "After '{}' normalization (training-set statistics)",
                            n.matlab_name()
                        ));
                        Plot::new(("data-sequence-norm", self.browse as u8, i))
                            .height(230.0)
                            .width(plot_w)
                            .x_axis_label("time step")
                            .show(ui, |p| {
                                for l in lines(&|t, k| {
                                    normalize_value(
                                        st,
                                        n,
                                        k,
                                        seq.values.get(t * c + k).copied().unwrap_or(f32::NAN),
                                    ) as f64
                                }) {
                                    p.line(l);
                                }
                            });
                    });
                }
            });
        }
        ui.horizontal(|ui| {
            ui.label("Input normalization (sequenceInputLayer Normalization):");
            let current = normalization.unwrap_or_default();
            egui::ComboBox::from_id_salt("data-normalization")
                .selected_text(current.matlab_name())
                .show_ui(ui, |ui| {
                    for n in Normalization::ALL {
                        if ui.selectable_label(current == n, n.matlab_name()).clicked()
                            && n != current
                        {
                            actions.push(DataAction::SetNormalization(n));
                        }
                    }
                });
            ui.weak("statistics come from the training set");
        });
        ui.separator();
        // Distributions.
        let half = ui.available_width() / 2.0 - 8.0;
        ui.horizontal(|ui| {
            ui.vertical(|ui| {
                ui.set_width(half);
                ui.strong("Class distribution");
                if summary.class_counts.is_empty() {
                    ui.weak("No class labels in this set.");
                } else {
                    let names: Vec<String> = summary
                        .class_counts
                        .iter()
                        .map(|c| c.name.clone())
                        .collect();
                    let bars: Vec<Bar> = summary
                        .class_counts
                        .iter()
                        .enumerate()
                        .map(|(i, c)| Bar::new(i as f64, c.count as f64).name(&c.name).width(0.7))
                        .collect();
                    crate::ui::charts::class_bar_plot(
                        ("class-distribution", self.browse as u8),
                        names,
                    )
                    .height(170.0)
                    .width(half)
                    .show(ui, |p| p.bar_chart(BarChart::new("sequences", bars)));
                }
            });
            ui.vertical(|ui| {
                ui.set_width(half);
                ui.strong("Sequence lengths");
                let bars: Vec<Bar> = summary
                    .length_histogram
                    .iter()
                    .map(|b| {
                        Bar::new((b.lo + b.hi) as f64 / 2.0, b.count as f64)
                            .width((b.hi - b.lo + 1) as f64 * 0.95)
                            .name(format!("{}–{}", b.lo, b.hi))
                    })
                    .collect();
                Plot::new(("length-histogram", self.browse as u8))
                    .height(170.0)
                    .width(half)
                    .allow_drag(false)
                    .allow_zoom(false)
                    .allow_scroll(false)
                    .x_axis_label("time steps")
                    .show(ui, |p| p.bar_chart(BarChart::new("sequences", bars)));
            });
        });
        ui.separator();
        self.padding_ui(ui, studio, ds);
        ui.separator();
        ui.strong("Per-feature statistics (missing values ignored)");
        feature_table_ui(ui, &summary);
    }

    fn padding_ui(&self, ui: &mut egui::Ui, studio: &Studio, ds: &SequenceDataset) {
        let o = &studio.document.project.training;
        let mut lengths: Vec<usize> = ds.sequences.iter().map(|s| s.steps).collect();
        if o.sort_by_length {
            lengths.sort_unstable();
        }
        let e = padding_effect(&lengths, o.mini_batch_size, o.sequence_length);
        let pct = |x: usize| {
            if e.real_steps == 0 {
                0.0
            } else {
                100.0 * x as f64 / e.real_steps as f64
            }
        };
        let dir = match o.sequence_padding_direction {
            crate::spec::PaddingDirection::Right => "right",
            crate::spec::PaddingDirection::Left => "left",
        };
        ui.strong("Padding and truncation under the current training options");
        let what = match o.sequence_length {
            SequenceLength::Longest => format!(
                "SequenceLength 'longest': each mini-batch of {} is padded to its longest sequence on the {dir} with the value {}: {} padding steps ({:.1}% on top of {} real steps) in {} mini-batches.",
                o.mini_batch_size,
                crate::spec::layers::format_number(o.sequence_padding_value),
                e.padded_steps,
                pct(e.padded_steps),
                e.real_steps,
                e.batches
            ),
            SequenceLength::Shortest => format!(
                "SequenceLength 'shortest': each mini-batch of {} is truncated to its shortest sequence: {} real steps discarded ({:.1}% of {}) in {} mini-batches.",
                o.mini_batch_size,
                e.discarded_steps,
                pct(e.discarded_steps),
                e.real_steps,
                e.batches
            ),
            SequenceLength::Fixed(n) => format!(
                "SequenceLength {n}: each mini-batch is padded on the {dir} and split into pieces of {n} steps (the state carries over): {} pieces, {} padding steps ({:.1}%).",
                e.chunks,
                e.padded_steps,
                pct(e.padded_steps)
            ),
        };
        ui.label(what);
        ui.weak(format!(
            "Mini-batches are taken in {} order here{}; padding never changes an output: 'last' reads each sequence's last real step and padded steps are masked out of the loss.",
            if o.sort_by_length { "length-sorted" } else { "file" },
            if matches!(o.shuffle, crate::spec::Shuffle::Never) { "" } else { " (shuffling changes which sequences meet)" }
        ));
    }

    /// The sequences of the browsed set that pass the filters (for tests).
    pub fn visible_sequences(&self, studio: &Studio) -> Vec<usize> {
        studio
            .data
            .get(self.browse)
            .map(|d| self.filtered(d))
            .unwrap_or_default()
    }
}

fn feature_table_ui(ui: &mut egui::Ui, summary: &DatasetSummary) {
    use egui_extras::{Column, TableBuilder};
    let rows = summary.features.len();
    let height = (rows as f32 * 18.0 + 24.0).min(260.0);
    ui.push_id("feature-table", |ui| {
        TableBuilder::new(ui)
            .striped(true)
            .max_scroll_height(height)
            .columns(Column::auto().at_least(80.0), 1)
            .columns(Column::auto().at_least(70.0), 5)
            .header(20.0, |mut h| {
                for t in ["Feature", "Mean", "Std", "Min", "Max", "Missing"] {
                    h.col(|ui| {
                        ui.strong(t);
                    });
                }
            })
            .body(|body| {
                body.rows(18.0, rows, |mut row| {
                    let index = row.index();
                    let f = &summary.features[index];
                    row.col(|ui| {
                        ui.label(format!("{} ({})", row_name(index), f.name));
                    });
                    for v in [f.mean, f.std, f.min, f.max] {
                        row.col(|ui| {
                            ui.monospace(format!("{v:>10.4}"));
                        });
                    }
                    row.col(|ui| {
                        ui.monospace(f.missing.to_string());
                    });
                });
            });
    });
}

fn row_name(i: usize) -> String {
    format!("Feature {}", i + 1)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn longest_pads_each_batch_to_its_longest_sequence() {
        let e = padding_effect(&[3, 5, 4, 4], 2, SequenceLength::Longest);
        assert_eq!(
            e,
            PaddingEffect {
                batches: 2,
                real_steps: 16,
                padded_steps: 2,
                discarded_steps: 0,
                chunks: 2
            }
        );
    }

    #[test]
    fn shortest_discards_what_is_past_the_shortest() {
        let e = padding_effect(&[3, 5, 4, 2], 2, SequenceLength::Shortest);
        assert_eq!(e.discarded_steps, 2 + 2);
        assert_eq!(e.padded_steps, 0);
    }

    #[test]
    fn fixed_length_splits_into_padded_pieces() {
        // One batch [3, 5], pieces of 2: longest 5 -> 3 pieces of 2 -> 6 steps each -> 12 − 8 = 4.
        let e = padding_effect(&[3, 5], 4, SequenceLength::Fixed(2));
        assert_eq!(e.chunks, 3);
        assert_eq!(e.padded_steps, 4);
    }
}
