//! The Data area: the loaded training, validation and test sets.

use crate::data::SequenceDataset;
use crate::project_data::ProjectData;
use crate::ui::document::Document;

/// The data sets in use.
#[derive(Default)]
pub struct LoadedData {
    pub train: Option<SequenceDataset>,
    pub validation: Option<SequenceDataset>,
    pub test: Option<SequenceDataset>,
    /// The last loading problem, shown in the Data area.
    pub error: Option<String>,
}

impl LoadedData {
    /// Loads what the project names (the embedded Japanese Vowels for the canonical project).
    pub fn load_project_data(&mut self, doc: &Document) {
        match ProjectData::load(&doc.project, doc.path.as_deref()) {
            Ok(d) => {
                self.train = d.train;
                self.validation = d.validation;
                self.test = d.test;
                self.error = None;
            }
            Err(e) => self.error = Some(e.to_string()),
        }
    }
}

/// The Data area's own state.
#[derive(Default)]
pub struct DataArea {}

impl DataArea {
    pub fn ui(&mut self, ui: &mut egui::Ui, studio: &mut crate::app::Studio) {
        for (title, ds) in [("Training", &studio.data.train), ("Validation", &studio.data.validation), ("Test", &studio.data.test)] {
            match ds {
                Some(d) => ui.label(format!("{title}: {} — {} sequences, {} features", d.name, d.sequences.len(), d.num_features)),
                None => ui.label(format!("{title}: none")),
            };
        }
    }
}
