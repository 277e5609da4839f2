//! The project document: the project being edited, the file it came from, unsaved changes,
//! and undo/redo of every edit (whole-project snapshots: projects are small).

use std::path::{Path, PathBuf};

use crate::spec::{Project, ProjectError};

/// The project being edited.
pub struct Document {
    pub project: Project,
    pub path: Option<PathBuf>,
    pub dirty: bool,
    undo: Vec<Project>,
    redo: Vec<Project>,
}

impl Document {
    /// The canonical example with the embedded Japanese Vowels data.
    pub fn canonical() -> Self {
        Self { project: Project::canonical(), path: None, dirty: false, undo: Vec::new(), redo: Vec::new() }
    }

    /// Opens a project file.
    pub fn open(path: &Path) -> Result<Self, ProjectError> {
        let project = Project::load(path)?;
        Ok(Self { project, path: Some(path.to_path_buf()), dirty: false, undo: Vec::new(), redo: Vec::new() })
    }

    /// Applies an edit as one undoable step.
    pub fn edit(&mut self, f: impl FnOnce(&mut Project)) {
        let before = self.project.clone();
        f(&mut self.project);
        if self.project != before {
            self.undo.push(before);
            self.redo.clear();
            self.dirty = true;
        }
    }

    pub fn can_undo(&self) -> bool {
        !self.undo.is_empty()
    }

    pub fn can_redo(&self) -> bool {
        !self.redo.is_empty()
    }

    pub fn undo(&mut self) {
        if let Some(p) = self.undo.pop() {
            self.redo.push(std::mem::replace(&mut self.project, p));
            self.dirty = true;
        }
    }

    pub fn redo(&mut self) {
        if let Some(p) = self.redo.pop() {
            self.undo.push(std::mem::replace(&mut self.project, p));
            self.dirty = true;
        }
    }

    /// Saves to `path` (atomically) and makes it the document's file.
    pub fn save_as(&mut self, path: &Path) -> Result<(), ProjectError> {
        self.project.save(path)?;
        self.path = Some(path.to_path_buf());
        self.dirty = false;
        Ok(())
    }
}
