//! Inside the LSTM: gates and states step by step.

use crate::app::Studio;
use crate::worker::Event;

/// The Inspect area's state.
#[derive(Default)]
pub struct InspectArea {}

impl InspectArea {
    pub fn on_event(&mut self, _e: &Event, _studio: &mut Studio) {}

    pub fn ui(&mut self, ui: &mut egui::Ui, _studio: &mut Studio) {
        ui.label("Train a network to look inside it.");
    }
}
