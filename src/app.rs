//! The eframe App: the studio window. It owns the shared [`Studio`] state (the project
//! document, the loaded data, the worker handle, the latest model) and one state struct per
//! area; each area lives in its own file under `ui/` and draws itself with a `ui` function.
//! Worker events are drained once per frame and handed to every area.

use std::path::PathBuf;

use crate::ui;
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
    pub const ALL: [Area; 5] = [Area::Network, Area::Data, Area::Training, Area::Results, Area::Inspect];

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
        Self::ALL.into_iter().find(|a| a.title().to_ascii_lowercase().starts_with(&s.to_ascii_lowercase()) || format!("{a:?}").eq_ignore_ascii_case(s))
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
        let mut studio = Studio { document, data: ui::data::LoadedData::default(), worker, model: None, messages: Vec::new(), next_request: 0 };
        studio.data.load_project_data(&studio.document);
        let mut app = Self {
            studio,
            area: opts.area.as_deref().and_then(Area::from_name).unwrap_or(Area::Network),
            network_area: Default::default(),
            data_area: Default::default(),
            training_area: Default::default(),
            results_area: Default::default(),
            inspect_area: Default::default(),
            screenshot: opts.screenshot.clone().map(|path| ScreenshotPlan { path, frames: 0, requested: false, wait_for_training: opts.train_epochs.is_some(), after_iterations: opts.shoot_after_iterations }),
        };
        if let Some(e) = opts.train_epochs {
            app.studio.document.project.training.max_epochs = e;
            app.training_area.start(&mut app.studio);
        }
        Ok(app)
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
            _ => {}
        }
        self.training_area.on_event(&e, &mut self.studio);
        self.results_area.on_event(&e, &mut self.studio);
        self.inspect_area.on_event(&e, &mut self.studio);
    }

    /// Draws the whole window into `ui` (used by eframe and by the UI tests).
    pub fn ui_main(&mut self, ui: &mut egui::Ui) {
        self.poll_worker();
        egui::Panel::top("menu").show(ui, |ui| {
            ui::menu::menu_bar(ui, self);
            ui.horizontal(|ui| {
                for a in Area::ALL {
                    if ui.selectable_label(self.area == a, a.title()).clicked() {
                        self.area = a;
                    }
                }
            });
        });
        egui::Panel::bottom("status").show(ui, |ui| ui::status::status_bar(ui, &self.studio, self.training_area.is_running()));
        egui::CentralPanel::default().show(ui, |ui| match self.area {
            Area::Network => self.network_area.ui(ui, &mut self.studio),
            Area::Data => self.data_area.ui(ui, &mut self.studio),
            Area::Training => self.training_area.ui(ui, &mut self.studio),
            Area::Results => self.results_area.ui(ui, &mut self.studio),
            Area::Inspect => self.inspect_area.ui(ui, &mut self.studio),
        });
    }

    fn screenshot_step(&mut self, ui: &mut egui::Ui) {
        let Some(plan) = &mut self.screenshot else { return };
        plan.frames += 1;
        ui.ctx().request_repaint();
        let mid_training_ready = plan.after_iterations.is_some_and(|n| self.training_area.history.len() >= n);
        if plan.requested || plan.frames < 20 || (plan.wait_for_training && self.training_area.is_running() && !mid_training_ready) {
            return;
        }
        plan.requested = true;
        let path = plan.path.clone();
        let ctx = ui.ctx().clone();
        ui.ctx().request_screenshot(move |img: std::sync::Arc<egui::ColorImage>| {
            let [w, h] = img.size;
            let bytes: Vec<u8> = img.pixels.iter().flat_map(|c| c.to_array()).collect();
            let result = image::RgbaImage::from_raw(w as u32, h as u32, bytes)
                .ok_or_else(|| anyhow::anyhow!("bad screenshot buffer"))
                .and_then(|buf| buf.save(&path).map_err(|e| anyhow::anyhow!("{}: {e}", path.display())));
            match result {
                Ok(()) => eprintln!("wrote {}", path.display()),
                Err(e) => eprintln!("error: {e}"),
            }
            ctx.send_viewport_cmd(egui::ViewportCommand::Close);
        });
    }
}

impl eframe::App for StudioApp {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        self.ui_main(ui);
        self.screenshot_step(ui);
    }
}

/// Opens the studio window.
pub fn run_studio(opts: StudioOptions) -> anyhow::Result<()> {
    let native = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title("LSTM Studio")
            .with_inner_size([1280.0, 800.0])
            .with_min_inner_size([800.0, 500.0])
            .with_drag_and_drop(true),
        ..Default::default()
    };
    eframe::run_native(
        "LSTM Studio",
        native,
        Box::new(move |cc| {
            let ctx = cc.egui_ctx.clone();
            let app = StudioApp::new(&opts, move || ctx.request_repaint())?;
            Ok(Box::new(app))
        }),
    )
    .map_err(|e| anyhow::anyhow!("could not open the window: {e}"))
}
