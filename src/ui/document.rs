//! The project document: the project being edited, the file it came from, unsaved changes,
//! and undo/redo of every edit (whole-project snapshots: projects are small).
//!
//! Typing into a field produces one edit per keystroke; edits made with the same merge key in
//! a row (e.g. `"lstm/NumHiddenUnits"`) become a single undo step, so Ctrl+Z undoes the whole
//! value typed rather than its last digit.

use std::path::{Path, PathBuf};

use crate::spec::{Project, ProjectError};

/// How many undo steps are kept.
const UNDO_LIMIT: usize = 200;

/// The project being edited.
pub struct Document {
    pub project: Project,
    pub path: Option<PathBuf>,
    pub dirty: bool,
    undo: Vec<Project>,
    redo: Vec<Project>,
    /// The merge key of the last edit, while further edits with it extend the same undo step.
    merge_key: Option<String>,
    /// Counts replacements of the whole project (new, open, undo, redo, import), so views that
    /// keep text buffers know to drop them.
    pub revision: u64,
}

impl Document {
    /// The canonical example with the embedded Japanese Vowels data.
    pub fn canonical() -> Self {
        Self::from_project(Project::canonical(), None)
    }

    /// A document over `project`, read from `path` (if any), with no unsaved changes.
    pub fn from_project(project: Project, path: Option<PathBuf>) -> Self {
        Self {
            project,
            path,
            dirty: false,
            undo: Vec::new(),
            redo: Vec::new(),
            merge_key: None,
            revision: 0,
        }
    }

    /// Opens a project file.
    pub fn open(path: &Path) -> Result<Self, ProjectError> {
        let project = Project::load(path)?;
        Ok(Self::from_project(project, Some(path.to_path_buf())))
    }

    /// Applies an edit as one undoable step.
    pub fn edit(&mut self, f: impl FnOnce(&mut Project)) {
        self.merge_key = None;
        self.apply(f, false);
    }

    /// Applies an edit; consecutive edits with the same `key` form one undo step.
    pub fn edit_merging(&mut self, key: &str, f: impl FnOnce(&mut Project)) {
        let merge = self.merge_key.as_deref() == Some(key) && !self.undo.is_empty();
        if self.apply(f, merge) {
            self.merge_key = Some(key.to_string());
        }
    }

    /// Ends the current merge run: the next edit starts a new undo step.
    pub fn end_merge(&mut self) {
        self.merge_key = None;
    }

    fn apply(&mut self, f: impl FnOnce(&mut Project), merge: bool) -> bool {
        let before = self.project.clone();
        f(&mut self.project);
        if self.project == before {
            return false;
        }
        if !merge {
            self.undo.push(before);
            if self.undo.len() > UNDO_LIMIT {
                self.undo.remove(0);
            }
        }
        self.redo.clear();
        self.dirty = true;
        true
    }

    pub fn can_undo(&self) -> bool {
        !self.undo.is_empty()
    }

    pub fn can_redo(&self) -> bool {
        !self.redo.is_empty()
    }

    pub fn undo(&mut self) {
        self.merge_key = None;
        if let Some(p) = self.undo.pop() {
            self.redo.push(std::mem::replace(&mut self.project, p));
            self.dirty = true;
            self.revision += 1;
        }
    }

    pub fn redo(&mut self) {
        self.merge_key = None;
        if let Some(p) = self.redo.pop() {
            self.undo.push(std::mem::replace(&mut self.project, p));
            self.dirty = true;
            self.revision += 1;
        }
    }

    /// Replaces the whole document (New, Open): history and the unsaved flag start afresh.
    pub fn replace(&mut self, other: Document) {
        let revision = self.revision + 1;
        *self = other;
        self.revision = revision;
    }

    /// Saves to `path` (atomically) and makes it the document's file.
    pub fn save_as(&mut self, path: &Path) -> Result<(), ProjectError> {
        self.project.save(path)?;
        self.path = Some(path.to_path_buf());
        self.dirty = false;
        Ok(())
    }

    /// The name shown in the title bar and prompts: the file name, or the project's name.
    pub fn title(&self) -> String {
        match self.path.as_deref().and_then(Path::file_name) {
            Some(n) => n.to_string_lossy().into_owned(),
            None => self.project.name.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typing_a_value_is_one_undo_step() {
        let mut d = Document::canonical();
        for h in [2, 20, 200] {
            d.edit_merging("lstm/NumHiddenUnits", |p| {
                if let Some(r) = p.layers[1].recurrent_mut() {
                    r.num_hidden_units = h;
                }
            });
        }
        assert_eq!(
            d.project.layers[1].recurrent().map(|r| r.num_hidden_units),
            Some(200)
        );
        d.undo();
        assert_eq!(
            d.project.layers[1].recurrent().map(|r| r.num_hidden_units),
            Some(100)
        );
        assert!(!d.can_undo());
        d.redo();
        assert_eq!(
            d.project.layers[1].recurrent().map(|r| r.num_hidden_units),
            Some(200)
        );
    }

    #[test]
    fn an_edit_that_changes_nothing_is_not_a_step() {
        let mut d = Document::canonical();
        d.edit(|_| {});
        assert!(!d.can_undo());
        assert!(!d.dirty);
    }
}
