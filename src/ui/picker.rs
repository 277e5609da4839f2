//! File dialogs for the Data, Training and Results areas that never block the UI: rfd's
//! dialog runs on its own named thread and the chosen path comes back on a channel tagged
//! with what it is for; the area drains it once per frame. Under a bare X server a dialog
//! answers "nothing chosen" at once, so every dialog also has a typed-path alternative.

use std::path::PathBuf;

use crossbeam_channel::{Receiver, Sender};

/// What kind of dialog.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DialogKind {
    /// Choose an existing file.
    OpenFile,
    /// Choose where to write a file.
    SaveFile,
    /// Choose a folder.
    Folder,
}

/// Starts dialogs tagged with `P` and collects their answers.
pub struct Picker<P: Send + 'static> {
    tx: Sender<(P, Option<PathBuf>)>,
    rx: Receiver<(P, Option<PathBuf>)>,
    /// A dialog is open.
    pub open: bool,
}

impl<P: Send + 'static> Default for Picker<P> {
    fn default() -> Self {
        let (tx, rx) = crossbeam_channel::unbounded();
        Self {
            tx,
            rx,
            open: false,
        }
    }
}

impl<P: Send + 'static> Picker<P> {
    /// Opens a dialog on its own thread. `filters` are (name, extensions).
    pub fn start(
        &mut self,
        ctx: &egui::Context,
        tag: P,
        kind: DialogKind,
        title: &str,
        filters: &[(&str, &[&str])],
        file_name: Option<String>,
    ) {
        if self.open {
            return;
        }
        let tx = self.tx.clone();
        let ctx = ctx.clone();
        let title = title.to_owned();
        let filters: Vec<(String, Vec<String>)> = filters
            .iter()
            .map(|(n, e)| ((*n).to_owned(), e.iter().map(|s| (*s).to_owned()).collect()))
            .collect();
        let spawned = std::thread::Builder::new()
            .name("file-dialog".into())
            .spawn(move || {
                let mut d = rfd::FileDialog::new().set_title(&title);
                for (name, ext) in &filters {
                    d = d.add_filter(name, ext);
                }
                if let Some(n) = file_name {
                    d = d.set_file_name(n);
                }
                let path = match kind {
                    DialogKind::OpenFile => d.pick_file(),
                    DialogKind::SaveFile => d.save_file(),
                    DialogKind::Folder => d.pick_folder(),
                };
                let _ = tx.send((tag, path));
                ctx.request_repaint();
            });
        self.open = spawned.is_ok();
    }

    /// The answer of a finished dialog, if any (`None` path = cancelled).
    pub fn poll(&mut self) -> Option<(P, Option<PathBuf>)> {
        let got = self.rx.try_recv().ok();
        if got.is_some() {
            self.open = false;
        }
        got
    }
}
