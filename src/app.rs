//! The eframe App: the studio window. It owns the shared [`Studio`] state (the project
//! document, the loaded data, the worker handle, the latest model) and one state struct per
//! area; each area lives in its own file under `ui/` and draws itself with a `ui` function.
//! Worker events are drained once per frame and handed to every area.
//!
//! The shell around the areas is here too: the menu bar and keyboard shortcuts produce
//! [`AppAction`]s, applied in one place ([`StudioApp::apply`]); actions that would lose
//! unsaved changes (New, Open, Quit, closing the window) first ask. File dialogs run on
//! their own threads; files dropped onto the window are opened by their extension.

use std::path::{Path, PathBuf};

use crate::spec::{DataSource, Project};
use crate::ui;
use crate::ui::data::DataRole;
use crate::ui::document::Document;
use crate::ui::file_dialogs::{FileChoice, FileDialogs, FilePurpose};
use crate::ui::matlab_dialog::{MatlabAction, MatlabExportDialog, MatlabImportDialog};
use crate::ui::settings::{Settings, ThemeChoice};
use crate::worker::{Event, ModelInfo, Worker};

/// How the studio starts.
#[derive(Debug, Default, Clone)]
pub struct StudioOptions {
    /// Open this project instead of the canonical example.
    pub project: Option<PathBuf>,
    /// Render the window into this PNG once it has settled, then quit.
    pub screenshot: Option<PathBuf>,
    /// The area to show first.
    pub area: Option<String>,
    /// Train this many epochs first (the screenshot waits for the training to finish).
    pub train_epochs: Option<usize>,
    /// With a screenshot and training: shoot mid-training, once this many iterations ran.
    pub shoot_after_iterations: Option<usize>,
}

/// The studio's areas.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Area {
    Network,
    Data,
    Training,
    Results,
    Inspect,
}

impl Area {
    pub const ALL: [Area; 5] = [
        Area::Network,
        Area::Data,
        Area::Training,
        Area::Results,
        Area::Inspect,
    ];

    /// The tab title.
    pub fn title(self) -> &'static str {
        match self {
            Area::Network => "Network",
            Area::Data => "Data",
            Area::Training => "Training",
            Area::Results => "Results",
            Area::Inspect => "Inside the LSTM",
        }
    }

    /// Parses `--area`.
    pub fn from_name(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| {
            a.title()
                .to_ascii_lowercase()
                .starts_with(&s.to_ascii_lowercase())
                || format!("{a:?}").eq_ignore_ascii_case(s)
        })
    }
}

/// The keyboard shortcuts of the menus.
pub mod shortcuts {
    use egui::{Key, KeyboardShortcut, Modifiers};

    pub const NEW: KeyboardShortcut = KeyboardShortcut::new(Modifiers::COMMAND, Key::N);
    pub const OPEN: KeyboardShortcut = KeyboardShortcut::new(Modifiers::COMMAND, Key::O);
    pub const SAVE: KeyboardShortcut = KeyboardShortcut::new(Modifiers::COMMAND, Key::S);
    pub const SAVE_AS: KeyboardShortcut =
        KeyboardShortcut::new(Modifiers::COMMAND.plus(Modifiers::SHIFT), Key::S);
    pub const QUIT: KeyboardShortcut = KeyboardShortcut::new(Modifiers::COMMAND, Key::Q);
    pub const UNDO: KeyboardShortcut = KeyboardShortcut::new(Modifiers::COMMAND, Key::Z);
    pub const REDO: KeyboardShortcut =
        KeyboardShortcut::new(Modifiers::COMMAND.plus(Modifiers::SHIFT), Key::Z);
    pub const REDO_Y: KeyboardShortcut = KeyboardShortcut::new(Modifiers::COMMAND, Key::Y);
}

/// What the user asked of the shell (menus, shortcuts, dropped files).
#[derive(Clone, Debug, PartialEq)]
pub enum AppAction {
    /// A new, empty network (asks first when there are unsaved changes).
    New,
    /// Choose a project file to open (asks first when there are unsaved changes).
    Open,
    /// Open this project file (asks first when there are unsaved changes).
    OpenPath(PathBuf),
    /// Save to the project's file, or ask for one.
    Save,
    /// Ask for a file and save to it.
    SaveAs,
    /// Save to this file and make it the project's file.
    SaveTo(PathBuf),
    /// Show the MATLAB import dialog.
    ImportMatlab,
    /// Show the MATLAB import dialog with this file's code.
    ImportMatlabFile(PathBuf),
    /// Show the project as MATLAB code.
    ExportMatlab,
    /// Choose a folder and write the project as a PyTorch package there (off the UI thread).
    ExportPytorch,
    /// Write the PyTorch package into this folder.
    ExportPytorchTo(PathBuf),
    /// Close the window (asks first when there are unsaved changes).
    Quit,
    Undo,
    Redo,
    /// Forget the recent projects.
    ClearRecent,
    SetTheme(ThemeChoice),
    /// Panels back to their default sizes.
    ResetLayout,
    /// Show the About window.
    About,
    /// A file dropped onto the window: opened by its extension.
    OpenDropped(PathBuf),
}

/// What waits for an answer to "Save changes?".
#[derive(Clone, Debug, PartialEq)]
pub enum Discarding {
    New,
    Open,
    OpenPath(PathBuf),
    Quit,
}

impl Discarding {
    fn verb(&self) -> &'static str {
        match self {
            Discarding::New => "starting a new network",
            Discarding::Open | Discarding::OpenPath(_) => "opening another project",
            Discarding::Quit => "quitting",
        }
    }
}

/// State every area shares.
pub struct Studio {
    /// The project being edited, its file, undo/redo.
    pub document: ui::document::Document,
    /// The data sets loaded for training, validation and test.
    pub data: ui::data::LoadedData,
    /// The background worker (training, evaluation, inspection).
    pub worker: Worker,
    /// The latest trained or opened model, as plain data.
    pub model: Option<ModelInfo>,
    /// Messages for the status bar (newest last).
    pub messages: Vec<String>,
    /// Request numbers for worker answers.
    pub next_request: u64,
}

impl Studio {
    /// A fresh request number.
    pub fn request_id(&mut self) -> u64 {
        self.next_request += 1;
        self.next_request
    }

    /// Shows a message in the status bar.
    pub fn notify(&mut self, m: impl Into<String>) {
        self.messages.push(m.into());
        if self.messages.len() > 50 {
            self.messages.remove(0);
        }
    }
}

/// The whole app.
pub struct StudioApp {
    pub studio: Studio,
    pub area: Area,
    pub network_area: ui::network::NetworkArea,
    pub data_area: ui::data::DataArea,
    pub training_area: ui::training::TrainingArea,
    pub results_area: ui::results::ResultsArea,
    pub inspect_area: ui::inspect::InspectArea,
    /// What is remembered between starts.
    pub settings: Settings,
    /// The MATLAB import dialog.
    pub matlab_import: MatlabImportDialog,
    /// The MATLAB export dialog.
    pub matlab_export: MatlabExportDialog,
    /// Actions waiting for the next frame (menus, tests).
    pending: Vec<AppAction>,
    /// The unsaved-changes prompt, while it is shown.
    pub prompt: Option<Discarding>,
    /// What to do after a Save As started from the prompt.
    after_save: Option<Discarding>,
    /// An error to show in a window (a file that would not open or save).
    pub error: Option<String>,
    about_open: bool,
    dialogs: FileDialogs,
    /// The window may close without asking (Quit was confirmed).
    allow_close: bool,
    applied_theme: Option<ThemeChoice>,
    window_title: String,
    screenshot: Option<ScreenshotPlan>,
}

struct ScreenshotPlan {
    path: PathBuf,
    frames: u32,
    requested: bool,
    wait_for_training: bool,
    after_iterations: Option<usize>,
}

impl StudioApp {
    /// The studio on the canonical network with the embedded Japanese Vowels data (or the
    /// project in `opts`). `repaint` is called by the worker after each event.
    pub fn new(opts: &StudioOptions, repaint: impl Fn() + Send + 'static) -> anyhow::Result<Self> {
        let worker = Worker::spawn(repaint)?;
        let document = match &opts.project {
            Some(p) => ui::document::Document::open(p)?,
            None => ui::document::Document::canonical(),
        };
        let studio = Studio {
            document,
            data: ui::data::LoadedData::default(),
            worker,
            model: None,
            messages: Vec::new(),
            next_request: 0,
        };
        let mut app = Self {
            studio,
            area: opts
                .area
                .as_deref()
                .and_then(Area::from_name)
                .unwrap_or(Area::Network),
            network_area: Default::default(),
            data_area: Default::default(),
            training_area: Default::default(),
            results_area: Default::default(),
            inspect_area: Default::default(),
            settings: Settings::default(),
            matlab_import: Default::default(),
            matlab_export: Default::default(),
            pending: Vec::new(),
            prompt: None,
            after_save: None,
            error: None,
            about_open: false,
            dialogs: FileDialogs::default(),
            allow_close: false,
            applied_theme: None,
            window_title: String::new(),
            screenshot: opts.screenshot.clone().map(|path| ScreenshotPlan {
                path,
                frames: 0,
                requested: false,
                wait_for_training: opts.train_epochs.is_some(),
                after_iterations: opts.shoot_after_iterations,
            }),
        };
        app.load_document_data();
        app.select_first_recurrent();
        if let Some(e) = opts.train_epochs {
            app.studio.document.project.training.max_epochs = e;
            app.training_area.start(&mut app.studio);
        }
        Ok(app)
    }

    /// Takes remembered settings (recent projects, theme, the last area unless `--area` chose).
    pub fn use_settings(&mut self, settings: Settings, keep_area: bool) {
        if !keep_area {
            self.area = settings.area;
        }
        self.network_area.layout_generation = settings.layout_generation;
        self.settings = settings;
        self.applied_theme = None;
    }

    /// Queues an action for the next frame (as a menu item would).
    pub fn request(&mut self, action: AppAction) {
        self.pending.push(action);
    }

    /// Drains the worker's events and hands each to the areas.
    pub fn poll_worker(&mut self) {
        while let Some(e) = self.studio.worker.try_recv() {
            self.handle_event(e);
        }
    }

    fn handle_event(&mut self, e: Event) {
        match &e {
            Event::Finished(r) => self.studio.model = Some(r.info.clone()),
            Event::Opened { info, .. } => self.studio.model = Some(info.clone()),
            Event::Failed(m) => self.studio.notify(format!("Error: {m}")),
            Event::Exported { dir, notes } => {
                let mut m = format!(
                    "Exported to PyTorch in {} (run: torchrun --nproc_per_node=N train.py)",
                    dir.display()
                );
                for n in notes {
                    m.push_str(&format!("; note: {n}"));
                }
                self.studio.notify(m);
            }
            _ => {}
        }
        self.training_area.on_event(&e, &mut self.studio);
        self.results_area.on_event(&e, &mut self.studio);
        self.inspect_area.on_event(&e, &mut self.studio);
    }

    /// Loads the data sets the document names: embedded ones at once, files in the background.
    fn load_document_data(&mut self) {
        let doc = &self.studio.document;
        let sources = doc.project.data.clone();
        let all_embedded = [&sources.train, &sources.validation, &sources.test]
            .iter()
            .all(|s| !matches!(s, Some(DataSource::File(_))));
        if all_embedded {
            self.studio.data.load_project_data(doc);
            return;
        }
        let project_file = doc.path.clone();
        self.studio.data.train = None;
        self.studio.data.validation = None;
        self.studio.data.test = None;
        for (role, source) in [
            (DataRole::Train, sources.train),
            (DataRole::Validation, sources.validation),
            (DataRole::Test, sources.test),
        ] {
            match source {
                Some(DataSource::File(p)) => {
                    let path = Project::resolve(project_file.as_deref(), &p);
                    self.data_area.open_file(&path, role, &mut self.studio);
                }
                Some(DataSource::Embedded { name, test }) => {
                    match crate::project_data::embedded(&name, test) {
                        Ok(ds) => {
                            if let Err(e) = self.studio.data.put(role, Some(ds)) {
                                self.studio.notify(format!("Error: {e}"));
                            }
                        }
                        Err(e) => self.studio.notify(format!("Error: {e}")),
                    }
                }
                None => {}
            }
        }
    }

    fn select_first_recurrent(&mut self) {
        let layers = &self.studio.document.project.layers;
        self.network_area.selected = layers
            .iter()
            .position(|l| l.recurrent().is_some())
            .or((!layers.is_empty()).then_some(0));
        self.network_area.inspector.clear_buffers();
    }

    /// Applies a shell action.
    pub fn apply(&mut self, action: AppAction, ctx: &egui::Context) {
        match action {
            AppAction::New => self.guard(Discarding::New, ctx),
            AppAction::Open => self.guard(Discarding::Open, ctx),
            AppAction::OpenPath(p) => self.guard(Discarding::OpenPath(p), ctx),
            AppAction::Quit => self.guard(Discarding::Quit, ctx),
            AppAction::Save => match self.studio.document.path.clone() {
                Some(p) => {
                    self.save_to(&p);
                }
                None => self.start_dialog(ctx, FilePurpose::SaveProjectAs),
            },
            AppAction::SaveAs => self.start_dialog(ctx, FilePurpose::SaveProjectAs),
            AppAction::SaveTo(p) => {
                self.save_to(&p);
            }
            AppAction::ImportMatlab => {
                let keep = std::mem::take(&mut self.matlab_import.source);
                self.matlab_import.open_with(keep);
            }
            AppAction::ImportMatlabFile(p) => match std::fs::read_to_string(&p) {
                Ok(code) => self.matlab_import.open_with(code),
                Err(e) => self.error = Some(format!("Could not read {}: {e}", p.display())),
            },
            AppAction::ExportMatlab => {
                self.matlab_export.code =
                    crate::spec::matlab::export_matlab(&self.studio.document.project);
                self.matlab_export.open = true;
            }
            AppAction::ExportPytorch => self.start_dialog(ctx, FilePurpose::ExportPytorch),
            AppAction::ExportPytorchTo(dir) => {
                self.studio
                    .worker
                    .send(crate::worker::Command::ExportPytorch {
                        project: Box::new(self.studio.document.project.clone()),
                        project_file: self.studio.document.path.clone(),
                        dir: dir.clone(),
                    });
                self.studio
                    .notify(format!("Exporting to PyTorch in {}…", dir.display()));
            }
            AppAction::Undo => {
                self.studio.document.undo();
                self.network_area.inspector.clear_buffers();
            }
            AppAction::Redo => {
                self.studio.document.redo();
                self.network_area.inspector.clear_buffers();
            }
            AppAction::ClearRecent => self.settings.recent.clear(),
            AppAction::SetTheme(t) => {
                self.settings.theme = t;
                self.applied_theme = None;
            }
            AppAction::ResetLayout => {
                self.settings.layout_generation += 1;
                self.network_area.layout_generation = self.settings.layout_generation;
                ctx.memory_mut(|m| m.reset_areas());
            }
            AppAction::About => self.about_open = true,
            AppAction::OpenDropped(p) => self.open_dropped(p, ctx),
        }
    }

    /// Runs `what` now, or asks first when it would lose unsaved changes.
    fn guard(&mut self, what: Discarding, ctx: &egui::Context) {
        if self.studio.document.dirty {
            self.prompt = Some(what);
        } else {
            self.proceed(what, ctx);
        }
    }

    /// Runs an action whose unsaved changes are saved or given up.
    fn proceed(&mut self, what: Discarding, ctx: &egui::Context) {
        match what {
            Discarding::New => {
                let data = self.studio.document.project.data.clone();
                let project = Project {
                    name: "Untitled".into(),
                    data,
                    ..Project::default()
                };
                self.studio
                    .document
                    .replace(Document::from_project(project, None));
                self.studio.model = None;
                self.select_first_recurrent();
                self.area = Area::Network;
                self.studio
                    .notify("New network: drag layers from the library");
            }
            Discarding::Open => self.start_dialog(ctx, FilePurpose::OpenProject),
            Discarding::OpenPath(p) => self.open_path(&p),
            Discarding::Quit => {
                self.allow_close = true;
                ctx.send_viewport_cmd(egui::ViewportCommand::Close);
            }
        }
    }

    /// Opens a project file (no questions asked).
    pub fn open_path(&mut self, path: &Path) {
        match Document::open(path) {
            Ok(doc) => {
                self.studio.document.replace(doc);
                self.studio.model = None;
                self.settings.add_recent(path);
                self.load_document_data();
                self.select_first_recurrent();
                self.studio.notify(format!("Opened {}", path.display()));
            }
            Err(e) => self.error = Some(format!("Could not open the project.\n\n{e}")),
        }
    }

    /// Saves the project to `path` (a `.ron` extension is added when missing).
    pub fn save_to(&mut self, path: &Path) -> bool {
        let path = if path.extension().is_none() {
            path.with_extension("ron")
        } else {
            path.to_path_buf()
        };
        match self.studio.document.save_as(&path) {
            Ok(()) => {
                self.settings.add_recent(&path);
                self.studio.notify(format!("Saved {}", path.display()));
                true
            }
            Err(e) => {
                self.error = Some(format!("Could not save the project.\n\n{e}"));
                false
            }
        }
    }

    fn start_dialog(&mut self, ctx: &egui::Context, purpose: FilePurpose) {
        let suggested = match purpose {
            FilePurpose::SaveProjectAs => Some(format!(
                "{}.ron",
                file_stem(&self.studio.document.project.name)
            )),
            FilePurpose::ExportMatlab => Some(format!(
                "{}.m",
                file_stem(&self.studio.document.project.name)
            )),
            _ => None,
        };
        let dir = self
            .studio
            .document
            .path
            .as_deref()
            .and_then(Path::parent)
            .map(Path::to_path_buf)
            .or_else(|| self.settings.last_dir.clone());
        self.dialogs.start(ctx, purpose, dir, suggested);
    }

    fn on_file_choice(&mut self, choice: FileChoice, ctx: &egui::Context) {
        let Some(path) = choice.path else {
            if choice.purpose == FilePurpose::SaveProjectAs {
                self.after_save = None;
            }
            return;
        };
        match choice.purpose {
            FilePurpose::OpenProject => self.open_path(&path),
            FilePurpose::SaveProjectAs => {
                if self.save_to(&path)
                    && let Some(next) = self.after_save.take()
                {
                    self.proceed(next, ctx);
                }
            }
            FilePurpose::ImportMatlab => self.apply(AppAction::ImportMatlabFile(path), ctx),
            FilePurpose::ExportPytorch => self.apply(AppAction::ExportPytorchTo(path), ctx),
            FilePurpose::ExportMatlab => match crate::spec::project::write_atomically(
                &path,
                self.matlab_export.code.as_bytes(),
            ) {
                Ok(()) => self.studio.notify(format!("Wrote {}", path.display())),
                Err(e) => self.error = Some(format!("Could not write the MATLAB code.\n\n{e}")),
            },
        }
    }

    fn open_dropped(&mut self, path: PathBuf, ctx: &egui::Context) {
        let ext = path
            .extension()
            .map(|e| e.to_string_lossy().to_ascii_lowercase())
            .unwrap_or_default();
        match ext.as_str() {
            "ron" => self.apply(AppAction::OpenPath(path), ctx),
            "m" => self.apply(AppAction::ImportMatlabFile(path), ctx),
            "ts" | "csv" | "npz" | "npy" | "txt" | "arff" => {
                self.data_area.open_file(&path, DataRole::Train, &mut self.studio);
                self.area = Area::Data;
            }
            _ => self.studio.notify(format!("Don't know how to open {} (projects are .ron, MATLAB code .m, data .ts/.csv/.npz/.txt)", path.display())),
        }
    }

    fn apply_matlab(&mut self, action: MatlabAction, ctx: &egui::Context) {
        match action {
            MatlabAction::Import {
                layers,
                training,
                notes,
            } => {
                let n = layers.len();
                let with_training = training.is_some();
                self.studio.document.edit(|p| {
                    p.layers = layers;
                    if let Some(t) = training {
                        p.training = *t;
                    }
                });
                self.select_first_recurrent();
                self.area = Area::Network;
                for note in notes {
                    self.studio.notify(format!("MATLAB import: {note}"));
                }
                self.studio.notify(format!(
                    "Imported {n} layers{} from MATLAB code",
                    if with_training {
                        " and trainingOptions"
                    } else {
                        ""
                    }
                ));
            }
            MatlabAction::ChooseFile => self.start_dialog(ctx, FilePurpose::ImportMatlab),
            MatlabAction::SaveExport => self.start_dialog(ctx, FilePurpose::ExportMatlab),
        }
    }

    /// The keyboard shortcuts of the menus (not while a prompt is open).
    fn shortcuts(&mut self, ctx: &egui::Context) {
        use shortcuts::*;
        let mut actions = Vec::new();
        ctx.input_mut(|i| {
            // The more specific shortcuts first: Ctrl+Shift+Z also matches Ctrl+Z logically.
            for (s, a) in [
                (REDO, AppAction::Redo),
                (REDO_Y, AppAction::Redo),
                (UNDO, AppAction::Undo),
                (SAVE_AS, AppAction::SaveAs),
                (SAVE, AppAction::Save),
                (NEW, AppAction::New),
                (OPEN, AppAction::Open),
                (QUIT, AppAction::Quit),
            ] {
                if i.consume_shortcut(&s) {
                    actions.push(a);
                }
            }
        });
        for a in actions {
            self.apply(a, ctx);
        }
    }

    /// Draws the whole window into `ui` (used by eframe and by the UI tests).
    pub fn ui_main(&mut self, ui: &mut egui::Ui) {
        let ctx = ui.ctx().clone();
        self.poll_worker();
        self.data_area.poll_loads(&mut self.studio);
        for choice in self.dialogs.poll() {
            self.on_file_choice(choice, &ctx);
        }
        for p in ctx.input(|i| {
            i.raw
                .dropped_files
                .iter()
                .map(|f| f.path().to_path_buf())
                .collect::<Vec<_>>()
        }) {
            self.apply(AppAction::OpenDropped(p), &ctx);
        }
        for a in std::mem::take(&mut self.pending) {
            self.apply(a, &ctx);
        }
        if self.prompt.is_none() && self.error.is_none() {
            self.shortcuts(&ctx);
        }
        if ctx.input(|i| i.viewport().close_requested())
            && self.studio.document.dirty
            && !self.allow_close
        {
            ctx.send_viewport_cmd(egui::ViewportCommand::CancelClose);
            self.prompt = Some(Discarding::Quit);
        }
        if self.applied_theme != Some(self.settings.theme) {
            ctx.set_theme(self.settings.theme.preference());
            self.applied_theme = Some(self.settings.theme);
        }
        self.update_title(&ctx);

        egui::Panel::top("menu").show(ui, |ui| {
            let actions = ui::menu::menu_bar(ui, self);
            for a in actions {
                self.apply(a, &ctx);
            }
            self.tabs_ui(ui);
        });
        egui::Panel::bottom("status").show(ui, |ui| {
            ui::status::status_bar(ui, &self.studio, self.training_area.is_running())
        });
        egui::CentralPanel::default().show(ui, |ui| match self.area {
            Area::Network => self.network_area.ui(ui, &mut self.studio),
            Area::Data => self.data_area.ui(ui, &mut self.studio),
            Area::Training => self.training_area.ui(ui, &mut self.studio),
            Area::Results => self.results_area.ui(ui, &mut self.studio),
            Area::Inspect => self.inspect_area.ui(ui, &mut self.studio),
        });

        if let Some(a) = self.matlab_import.ui(&ctx) {
            self.apply_matlab(a, &ctx);
        }
        if let Some(a) = self.matlab_export.ui(&ctx) {
            self.apply_matlab(a, &ctx);
        }
        self.prompt_ui(&ctx);
        self.error_ui(&ctx);
        self.about_ui(&ctx);
    }

    fn tabs_ui(&mut self, ui: &mut egui::Ui) {
        ui.add_space(2.0);
        ui.horizontal(|ui| {
            for a in Area::ALL {
                let text = egui::RichText::new(a.title()).size(14.5);
                if ui.selectable_label(self.area == a, text).clicked() {
                    self.area = a;
                }
                ui.add_space(4.0);
            }
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                let doc = &self.studio.document;
                let title = format!("{}{}", doc.title(), if doc.dirty { " •" } else { "" });
                ui.label(egui::RichText::new(title).strong()).on_hover_text(
                    doc.path
                        .as_ref()
                        .map(|p| p.display().to_string())
                        .unwrap_or_else(|| "not saved to a file yet".into()),
                );
            });
        });
        ui.add_space(2.0);
    }

    fn update_title(&mut self, ctx: &egui::Context) {
        let doc = &self.studio.document;
        let title = format!(
            "{}{} — LSTM Studio",
            if doc.dirty { "● " } else { "" },
            doc.title()
        );
        if title != self.window_title {
            ctx.send_viewport_cmd(egui::ViewportCommand::Title(title.clone()));
            self.window_title = title;
        }
    }

    fn prompt_ui(&mut self, ctx: &egui::Context) {
        let Some(what) = self.prompt.clone() else {
            return;
        };
        let mut answer = None;
        let modal = egui::Modal::new(egui::Id::unique("unsaved-changes")).show(ctx, |ui| {
            ui.set_width(420.0);
            ui.heading(format!(
                "Save changes to “{}”?",
                self.studio.document.title()
            ));
            ui.add_space(4.0);
            ui.label(format!(
                "The project has unsaved changes. They are lost if you don't save them before {}.",
                what.verb()
            ));
            ui.add_space(10.0);
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                if ui.button(egui::RichText::new("Save").strong()).clicked() {
                    answer = Some(true);
                }
                if ui.button("Don't Save").clicked() {
                    answer = Some(false);
                }
                if ui.button("Cancel").clicked() {
                    self.prompt = None;
                }
            });
        });
        if modal.should_close() {
            self.prompt = None;
        }
        match answer {
            Some(true) => {
                self.prompt = None;
                match self.studio.document.path.clone() {
                    Some(p) => {
                        if self.save_to(&p) {
                            self.proceed(what, ctx);
                        }
                    }
                    None => {
                        self.after_save = Some(what);
                        self.start_dialog(ctx, FilePurpose::SaveProjectAs);
                    }
                }
            }
            Some(false) => {
                self.prompt = None;
                self.proceed(what, ctx);
            }
            None => {}
        }
    }

    fn error_ui(&mut self, ctx: &egui::Context) {
        let Some(msg) = self.error.clone() else {
            return;
        };
        let modal = egui::Modal::new(egui::Id::unique("error-window")).show(ctx, |ui| {
            ui.set_max_width(520.0);
            ui.heading("Something went wrong");
            ui.add_space(4.0);
            ui.label(msg);
            ui.add_space(8.0);
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                ui.button("OK").clicked()
            })
            .inner
        });
        if modal.inner || modal.should_close() {
            self.error = None;
        }
    }

    fn about_ui(&mut self, ctx: &egui::Context) {
        let mut open = self.about_open;
        egui::Window::new("About LSTM Studio")
            .open(&mut open)
            .collapsible(false)
            .resizable(false)
            .show(ctx, |ui| {
                ui.heading(format!("LSTM Studio {}", env!("CARGO_PKG_VERSION")));
                ui.label(env!("CARGO_PKG_DESCRIPTION"));
                ui.add_space(6.0);
                ui.label(format!(
                    "libtorch {}  ·  {}",
                    crate::engine::libtorch_version(),
                    ui::status::device_text()
                ));
                ui.label(format!("License: {}", env!("CARGO_PKG_LICENSE")));
            });
        self.about_open = open;
    }

    fn screenshot_step(&mut self, ui: &mut egui::Ui) {
        let Some(plan) = &mut self.screenshot else {
            return;
        };
        plan.frames += 1;
        ui.ctx().request_repaint();
        let mid_training_ready = plan
            .after_iterations
            .is_some_and(|n| self.training_area.history.len() >= n);
        if plan.requested
            || plan.frames < 20
            || (plan.wait_for_training && self.training_area.is_running() && !mid_training_ready)
            || (self.area == Area::Inspect && self.inspect_area.is_waiting())
        {
            return;
        }
        plan.requested = true;
        let path = plan.path.clone();
        let ctx = ui.ctx().clone();
        self.allow_close = true;
        ui.ctx()
            .request_screenshot(move |img: std::sync::Arc<egui::ColorImage>| {
                let [w, h] = img.size;
                let bytes: Vec<u8> = img.pixels.iter().flat_map(|c| c.to_array()).collect();
                let result = image::RgbaImage::from_raw(w as u32, h as u32, bytes)
                    .ok_or_else(|| anyhow::anyhow!("bad screenshot buffer"))
                    .and_then(|buf| {
                        buf.save(&path)
                            .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))
                    });
                match result {
                    Ok(()) => eprintln!("wrote {}", path.display()),
                    Err(e) => eprintln!("error: {e}"),
                }
                ctx.send_viewport_cmd(egui::ViewportCommand::Close);
            });
    }
}

/// A project name made safe for a file name.
fn file_stem(name: &str) -> String {
    let s: String = name
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if s.is_empty() { "network".into() } else { s }
}

impl eframe::App for StudioApp {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        self.ui_main(ui);
        self.screenshot_step(ui);
    }

    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        if self.screenshot.is_none() {
            self.settings.area = self.area;
            self.settings.store(storage);
        }
    }

    fn persist_egui_memory(&self) -> bool {
        self.screenshot.is_none()
    }
}

/// Opens the studio window.
pub fn run_studio(opts: StudioOptions) -> anyhow::Result<()> {
    let shooting = opts.screenshot.is_some();
    let native = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title("LSTM Studio")
            .with_app_id("lstm-studio")
            .with_inner_size([1360.0, 860.0])
            .with_min_inner_size([900.0, 560.0])
            .with_icon(window_icon())
            .with_drag_and_drop(true),
        persist_window: !shooting,
        ..Default::default()
    };
    eframe::run_native(
        "LSTM Studio",
        native,
        Box::new(move |cc| {
            let ctx = cc.egui_ctx.clone();
            let mut app = StudioApp::new(&opts, move || ctx.request_repaint())?;
            if !shooting {
                app.use_settings(Settings::load(cc.storage), opts.area.is_some());
            }
            Ok(Box::new(app))
        }),
    )
    .map_err(|e| anyhow::anyhow!("could not open the window: {e}"))
}

/// The window icon, from the PNG in assets/ (compiled in).
fn window_icon() -> egui::IconData {
    eframe::icon_data::from_png_bytes(include_bytes!("../assets/icon.png")).unwrap_or_default()
}
