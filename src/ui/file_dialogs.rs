//! File dialogs that never block the UI thread: each dialog runs (rfd's blocking dialog) on its
//! own named thread and sends the chosen path back on a channel, which the app drains once
//! per frame. Under a bare X server with no portal a dialog answers "nothing chosen" at once.

use std::path::PathBuf;

use crossbeam_channel::{Receiver, Sender};

/// What a chosen file is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FilePurpose {
    /// Open a project (.ron).
    OpenProject,
    /// Save the project under a new name.
    SaveProjectAs,
    /// Read MATLAB code into the import dialog.
    ImportMatlab,
    /// Write the exported MATLAB code.
    ExportMatlab,
    /// A folder for the exported PyTorch package.
    ExportPytorch,
}

impl FilePurpose {
    fn title(self) -> &'static str {
        match self {
            FilePurpose::OpenProject => "Open project",
            FilePurpose::SaveProjectAs => "Save project as",
            FilePurpose::ImportMatlab => "Import MATLAB code",
            FilePurpose::ExportMatlab => "Export MATLAB code",
            FilePurpose::ExportPytorch => "Export to PyTorch: choose a folder",
        }
    }

    fn saves(self) -> bool {
        matches!(self, FilePurpose::SaveProjectAs | FilePurpose::ExportMatlab)
    }
}

/// A dialog's answer.
#[derive(Debug)]
pub struct FileChoice {
    pub purpose: FilePurpose,
    /// `None` when the dialog was cancelled (or could not open).
    pub path: Option<PathBuf>,
}

/// Starts dialogs and collects their answers.
pub struct FileDialogs {
    tx: Sender<FileChoice>,
    rx: Receiver<FileChoice>,
    /// A dialog is open (only one at a time).
    pub open: Option<FilePurpose>,
}

impl Default for FileDialogs {
    fn default() -> Self {
        let (tx, rx) = crossbeam_channel::unbounded();
        Self { tx, rx, open: None }
    }
}

impl FileDialogs {
    /// Opens a dialog for `purpose` on its own thread. `suggested` is the file name a save
    /// dialog proposes; `dir` the folder it starts in.
    pub fn start(
        &mut self,
        ctx: &egui::Context,
        purpose: FilePurpose,
        dir: Option<PathBuf>,
        suggested: Option<String>,
    ) {
        if self.open.is_some() {
            return;
        }
        let tx = self.tx.clone();
        let ctx = ctx.clone();
        let spawned = std::thread::Builder::new()
            .name("file-dialog".into())
            .spawn(move || {
                let mut dialog = rfd::FileDialog::new().set_title(purpose.title());
                dialog = match purpose {
                    FilePurpose::OpenProject | FilePurpose::SaveProjectAs => {
                        dialog.add_filter("LSTM Studio project", &["ron"])
                    }
                    FilePurpose::ImportMatlab | FilePurpose::ExportMatlab => {
                        dialog.add_filter("MATLAB code", &["m"])
                    }
                    FilePurpose::ExportPytorch => dialog,
                };
                if let Some(dir) = dir {
                    dialog = dialog.set_directory(dir);
                }
                if let Some(name) = suggested {
                    dialog = dialog.set_file_name(name);
                }
                let path = if purpose == FilePurpose::ExportPytorch {
                    dialog.pick_folder()
                } else if purpose.saves() {
                    dialog.save_file()
                } else {
                    dialog.pick_file()
                };
                let _ = tx.send(FileChoice { purpose, path });
                ctx.request_repaint();
            });
        if spawned.is_ok() {
            self.open = Some(purpose);
        }
    }

    /// The answers that arrived since the last call.
    pub fn poll(&mut self) -> Vec<FileChoice> {
        let choices: Vec<FileChoice> = self.rx.try_iter().collect();
        if !choices.is_empty() {
            self.open = None;
        }
        choices
    }
}
