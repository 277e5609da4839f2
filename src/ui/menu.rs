//! The menu bar.

use crate::app::StudioApp;

/// Draws the menu bar.
pub fn menu_bar(ui: &mut egui::Ui, app: &mut StudioApp) {
    egui::MenuBar::new().ui(ui, |ui| {
        ui.menu_button("File", |ui| {
            if ui.button("Quit").clicked() {
                ui.ctx().send_viewport_cmd(egui::ViewportCommand::Close);
            }
        });
        ui.menu_button("Edit", |ui| {
            if ui.add_enabled(app.studio.document.can_undo(), egui::Button::new("Undo")).clicked() {
                app.studio.document.undo();
            }
            if ui.add_enabled(app.studio.document.can_redo(), egui::Button::new("Redo")).clicked() {
                app.studio.document.redo();
            }
        });
    });
}
