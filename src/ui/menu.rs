//! The menu bar: File, Edit, View, Help. It returns the [`AppAction`]s chosen; the app applies
//! them (with the unsaved-changes prompt where work could be lost).

use crate::app::{AppAction, StudioApp, shortcuts};
use crate::ui::settings::ThemeChoice;

/// Draws the menu bar and returns what was chosen.
pub fn menu_bar(ui: &mut egui::Ui, app: &StudioApp) -> Vec<AppAction> {
    let mut actions = Vec::new();
    let ctx = ui.ctx().clone();
    let item = |ui: &mut egui::Ui,
                text: &str,
                shortcut: Option<&egui::KeyboardShortcut>,
                enabled: bool|
     -> bool {
        let mut b = egui::Button::new(text);
        if let Some(s) = shortcut {
            b = b.shortcut_text(ctx.format_shortcut(s));
        }
        ui.add_enabled(enabled, b).clicked()
    };
    egui::MenuBar::new().ui(ui, |ui| {
        ui.menu_button("File", |ui| {
            if item(ui, "New", Some(&shortcuts::NEW), true) {
                actions.push(AppAction::New);
            }
            if item(ui, "Open…", Some(&shortcuts::OPEN), true) {
                actions.push(AppAction::Open);
            }
            ui.add_enabled_ui(!app.settings.recent.is_empty(), |ui| {
                ui.menu_button("Open Recent", |ui| {
                    for p in &app.settings.recent {
                        let name = p
                            .file_name()
                            .map(|n| n.to_string_lossy().into_owned())
                            .unwrap_or_default();
                        if ui
                            .button(name)
                            .on_hover_text(p.display().to_string())
                            .clicked()
                        {
                            actions.push(AppAction::OpenPath(p.clone()));
                        }
                    }
                    ui.separator();
                    if ui.button("Clear list").clicked() {
                        actions.push(AppAction::ClearRecent);
                    }
                });
            });
            ui.separator();
            if item(ui, "Save", Some(&shortcuts::SAVE), true) {
                actions.push(AppAction::Save);
            }
            if item(ui, "Save As…", Some(&shortcuts::SAVE_AS), true) {
                actions.push(AppAction::SaveAs);
            }
            ui.separator();
            if item(ui, "Import MATLAB code…", None, true) {
                actions.push(AppAction::ImportMatlab);
            }
            if item(ui, "Export MATLAB code…", None, true) {
                actions.push(AppAction::ExportMatlab);
            }
            if item(ui, "Export to PyTorch (torchrun)…", None, true) {
                actions.push(AppAction::ExportPytorch);
            }
            ui.separator();
            if item(ui, "Quit", Some(&shortcuts::QUIT), true) {
                actions.push(AppAction::Quit);
            }
        });
        ui.menu_button("Edit", |ui| {
            if item(
                ui,
                "Undo",
                Some(&shortcuts::UNDO),
                app.studio.document.can_undo(),
            ) {
                actions.push(AppAction::Undo);
            }
            if item(
                ui,
                "Redo",
                Some(&shortcuts::REDO),
                app.studio.document.can_redo(),
            ) {
                actions.push(AppAction::Redo);
            }
        });
        ui.menu_button("View", |ui| {
            ui.label(egui::RichText::new("Theme").small().weak());
            for t in ThemeChoice::ALL {
                if ui.radio(app.settings.theme == t, t.label()).clicked() {
                    actions.push(AppAction::SetTheme(t));
                }
            }
            ui.separator();
            if ui.button("Reset layout").clicked() {
                actions.push(AppAction::ResetLayout);
            }
        });
        ui.menu_button("Help", |ui| {
            if ui.button("About LSTM Studio").clicked() {
                actions.push(AppAction::About);
            }
        });
    });
    actions
}
