//! The MATLAB code dialogs. Import: paste code (or read a .m file) with `layers = [ … ]` and
//! optionally `options = trainingOptions(…)`; it is parsed as it is typed, and a parse error is
//! shown at its line and column; Import replaces the layer stack (one undoable step). Export:
//! the project as MATLAB code, to copy or save as a .m file.

use egui::RichText;

use crate::spec::matlab::{Imported, MatlabError, import_matlab};
use crate::spec::{LayerSpec, TrainingOptions};

/// What the import dialog asks of the app.
#[derive(Debug)]
pub enum MatlabAction {
    /// Replace the layers (and, if given, the training options) with the imported ones.
    Import {
        layers: Vec<LayerSpec>,
        training: Option<Box<TrainingOptions>>,
        notes: Vec<String>,
    },
    /// Read a .m file into the dialog (through a file dialog).
    ChooseFile,
    /// Save the exported code as a .m file (through a file dialog).
    SaveExport,
}

/// The import dialog's state.
#[derive(Default)]
pub struct MatlabImportDialog {
    pub open: bool,
    /// The code in the text box.
    pub source: String,
    /// Also take `trainingOptions` when the code has them.
    pub take_training: bool,
    /// The parse result of `source`.
    parsed: Option<Result<Imported, MatlabError>>,
    parsed_for: String,
}

impl MatlabImportDialog {
    /// Opens the dialog with `source` in the text box.
    pub fn open_with(&mut self, source: String) {
        self.source = source;
        self.open = true;
        self.take_training = true;
        self.parsed = None;
    }

    /// Parses the text box if it changed since the last parse.
    pub fn reparse(&mut self) {
        if self.parsed.is_none() || self.parsed_for != self.source {
            self.parsed = Some(import_matlab(&self.source));
            self.parsed_for = self.source.clone();
        }
    }

    /// The current parse error, if any.
    pub fn error(&mut self) -> Option<&MatlabError> {
        self.reparse();
        self.parsed.as_ref().and_then(|r| r.as_ref().err())
    }

    /// The import the Import button would make.
    pub fn import_action(&mut self) -> Option<MatlabAction> {
        self.reparse();
        let take = self.take_training;
        match self.parsed.as_ref()? {
            Ok(imp) => Some(MatlabAction::Import {
                layers: imp.layers.clone(),
                training: if take {
                    imp.training.clone().map(Box::new)
                } else {
                    None
                },
                notes: imp.notes.clone(),
            }),
            Err(_) => None,
        }
    }

    /// Draws the dialog (when open).
    pub fn ui(&mut self, ctx: &egui::Context) -> Option<MatlabAction> {
        if !self.open {
            return None;
        }
        let mut action = None;
        let mut open = self.open;
        let mut close = false;
        egui::Window::new("Import MATLAB code")
            .open(&mut open)
            .default_size([680.0, 520.0])
            .resizable(true)
            .collapsible(false)
            .show(ctx, |ui| {
                ui.label("Paste MATLAB code that builds a layer array (layers = [ sequenceInputLayer(12) lstmLayer(100) … ];), optionally with options = trainingOptions(…). Or drop a .m file onto the window.");
                ui.add_space(4.0);
                egui::ScrollArea::vertical().max_height(ui.available_height() - 150.0).show(ui, |ui| {
                    ui.add(
                        egui::TextEdit::multiline(&mut self.source)
                            .code_editor()
                            .desired_rows(16)
                            .desired_width(f32::INFINITY)
                            .hint_text("layers = [\n    sequenceInputLayer(12)\n    lstmLayer(100,'OutputMode','last')\n    fullyConnectedLayer(9)\n    softmaxLayer\n    classificationLayer];"),
                    )
                    .accessible_name("MATLAB code");
                });
                self.reparse();
                ui.add_space(6.0);
                self.status_ui(ui);
                ui.add_space(6.0);
                ui.horizontal(|ui| {
                    if ui.button("Open .m file…").clicked() {
                        action = Some(MatlabAction::ChooseFile);
                    }
                    let has_training = matches!(&self.parsed, Some(Ok(i)) if i.training.is_some());
                    ui.add_enabled(has_training, egui::Checkbox::new(&mut self.take_training, "Also take trainingOptions"));
                    ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                        let ok = matches!(&self.parsed, Some(Ok(_)));
                        if ui.add_enabled(ok, egui::Button::new(RichText::new("Import").strong())).on_hover_text("Replaces the layer stack (undo with Ctrl+Z)").clicked() {
                            action = self.import_action();
                            close = true;
                        }
                        if ui.button("Cancel").clicked() {
                            close = true;
                        }
                    });
                });
            });
        self.open = open && !close;
        action
    }

    fn status_ui(&self, ui: &mut egui::Ui) {
        match &self.parsed {
            _ if self.source.trim().is_empty() => {
                ui.label(RichText::new("Nothing to import yet.").weak());
            }
            Some(Ok(imp)) => {
                let t = if imp.training.is_some() {
                    " and trainingOptions"
                } else {
                    ""
                };
                ui.colored_label(
                    egui::Color32::from_rgb(0x3c, 0xa0, 0x5a),
                    format!("Parsed: {} layers{t}", imp.layers.len()),
                );
                for n in &imp.notes {
                    ui.label(RichText::new(format!("note: {n}")).small().weak());
                }
            }
            Some(Err(e)) => {
                let red = ui.visuals().error_fg_color;
                ui.colored_label(
                    red,
                    format!("Line {}, column {}: {}", e.line, e.column, e.message),
                );
                if let Some(text) = self.source.lines().nth(e.line.saturating_sub(1)) {
                    let prefix = format!("{:>4} │ ", e.line);
                    let caret = format!(
                        "{}└ here",
                        " ".repeat(prefix.chars().count() + e.column.saturating_sub(1))
                    );
                    ui.label(RichText::new(format!("{prefix}{text}")).monospace());
                    ui.label(RichText::new(caret).monospace().color(red));
                }
            }
            None => {}
        }
    }
}

/// The export dialog: the project's MATLAB code.
#[derive(Default)]
pub struct MatlabExportDialog {
    pub open: bool,
    pub code: String,
}

impl MatlabExportDialog {
    /// Draws the dialog (when open).
    pub fn ui(&mut self, ctx: &egui::Context) -> Option<MatlabAction> {
        if !self.open {
            return None;
        }
        let mut action = None;
        let mut open = self.open;
        egui::Window::new("Export MATLAB code").open(&mut open).default_size([680.0, 520.0]).collapsible(false).show(ctx, |ui| {
            ui.label("The network and training options as MATLAB code (runs in MATLAB's Deep Learning Toolbox).");
            ui.horizontal(|ui| {
                if ui.button("Copy to clipboard").clicked() {
                    ui.ctx().copy_text(self.code.clone());
                }
                if ui.button("Save as .m file…").clicked() {
                    action = Some(MatlabAction::SaveExport);
                }
            });
            egui::ScrollArea::vertical().show(ui, |ui| {
                let mut text = self.code.as_str();
                ui.add(egui::TextEdit::multiline(&mut text).code_editor().desired_width(f32::INFINITY)).accessible_name("Exported MATLAB code");
            });
        });
        self.open = open;
        action
    }
}
