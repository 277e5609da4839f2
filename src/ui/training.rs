//! The Training area: options, Train / Pause / Stop, live progress.

use crate::app::Studio;
use crate::engine::TrainingEvent;
use crate::worker::{Command, Event, TrainJob};

/// The Training area's state.
#[derive(Default)]
pub struct TrainingArea {
    running: bool,
    pub history: Vec<crate::engine::IterationRecord>,
}

impl TrainingArea {
    /// Whether a training job is running.
    pub fn is_running(&self) -> bool {
        self.running
    }

    /// Starts training the document's project on the loaded data.
    pub fn start(&mut self, studio: &mut Studio) {
        let Some(train) = studio.data.train.clone() else {
            studio.notify("No training data loaded");
            return;
        };
        self.history.clear();
        self.running = true;
        studio.worker.send(Command::Train(Box::new(TrainJob {
            project: studio.document.project.clone(),
            train,
            validation: studio.data.validation.clone(),
            test: studio.data.test.clone(),
            init_from: None,
            resume_from: None,
        })));
    }

    /// Takes a worker event.
    pub fn on_event(&mut self, e: &Event, _studio: &mut Studio) {
        match e {
            Event::Training(TrainingEvent::Iteration(r)) => self.history.push(r.clone()),
            Event::Finished(_) | Event::Failed(_) => self.running = false,
            _ => {}
        }
    }

    pub fn ui(&mut self, ui: &mut egui::Ui, studio: &mut Studio) {
        ui.horizontal(|ui| {
            if ui.add_enabled(!self.running, egui::Button::new("Train")).clicked() {
                self.start(studio);
            }
            if ui.add_enabled(self.running, egui::Button::new("Stop")).clicked() {
                studio.worker.send(Command::Stop);
            }
        });
        if let Some(r) = self.history.last() {
            ui.label(format!("Iteration {} (epoch {}): loss {:.4}", r.iteration, r.epoch, r.train_loss));
        }
    }
}
