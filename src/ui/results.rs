//! The Results area: test metrics and the confusion matrix.

use crate::app::Studio;
use crate::worker::{Event, TrainResult};

/// The Results area's state.
#[derive(Default)]
pub struct ResultsArea {
    pub result: Option<Box<TrainResult>>,
}

impl ResultsArea {
    pub fn on_event(&mut self, e: &Event, _studio: &mut Studio) {
        if let Event::Finished(r) = e {
            self.result = Some(r.clone());
        }
    }

    pub fn ui(&mut self, ui: &mut egui::Ui, _studio: &mut Studio) {
        match self.result.as_ref().and_then(|r| r.test.as_ref()).and_then(|t| t.accuracy) {
            Some(a) => ui.label(format!("Test accuracy: {:.2}%", a * 100.0)),
            None => ui.label("No results yet: train a network."),
        };
    }
}
