//! The status bar: device, libtorch version, data set, unsaved changes, last message.

use crate::app::Studio;

/// Draws the status bar.
pub fn status_bar(ui: &mut egui::Ui, studio: &Studio, training: bool) {
    ui.horizontal(|ui| {
        let device = if crate::engine::cuda_available() { "CUDA".to_string() } else { "CPU".to_string() };
        ui.label(format!("Device: {device}"));
        ui.separator();
        ui.label(format!("libtorch {}", crate::engine::libtorch_version()));
        ui.separator();
        ui.label(match &studio.data.train {
            Some(d) => format!("Data: {}", d.name),
            None => "Data: none".into(),
        });
        ui.separator();
        ui.label(if studio.document.dirty { "Unsaved changes" } else { "Saved" });
        if training {
            ui.separator();
            ui.label("Training…");
        }
        if let Some(m) = studio.messages.last() {
            ui.separator();
            ui.label(m);
        }
    });
}
