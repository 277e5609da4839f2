//! The Network area: layer library, layer stack, property inspector.

use crate::app::Studio;
use crate::spec::analyze;

/// The Network area's state.
#[derive(Default)]
pub struct NetworkArea {
    pub selected: Option<usize>,
}

impl NetworkArea {
    pub fn ui(&mut self, ui: &mut egui::Ui, studio: &mut Studio) {
        let layers = studio.document.project.layers.clone();
        let a = analyze(&layers);
        for (i, l) in a.layers.iter().enumerate() {
            ui.label(format!("{} {} — {} — {}", i + 1, l.name, l.description, l.activation.map(|a| a.display()).unwrap_or_default()));
        }
    }
}
