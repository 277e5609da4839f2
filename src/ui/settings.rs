//! What the studio remembers between starts (through eframe's storage): recent projects, the
//! theme, the area last shown and the panel layout generation. Window size and panel widths
//! are kept by eframe and egui themselves. A missing or unreadable entry falls back to
//! [`Settings::default`].

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::app::Area;

/// The storage key of [`Settings`].
pub const STORAGE_KEY: &str = "lstm-studio-settings";

/// How many recent projects the File menu lists.
pub const RECENT_LIMIT: usize = 10;

/// The colour theme.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum ThemeChoice {
    /// Follow the desktop.
    #[default]
    System,
    Light,
    Dark,
}

impl ThemeChoice {
    pub const ALL: [ThemeChoice; 3] = [ThemeChoice::System, ThemeChoice::Light, ThemeChoice::Dark];

    /// The menu entry.
    pub fn label(self) -> &'static str {
        match self {
            ThemeChoice::System => "Follow system",
            ThemeChoice::Light => "Light",
            ThemeChoice::Dark => "Dark",
        }
    }

    /// egui's preference.
    pub fn preference(self) -> egui::ThemePreference {
        match self {
            ThemeChoice::System => egui::ThemePreference::System,
            ThemeChoice::Light => egui::ThemePreference::Light,
            ThemeChoice::Dark => egui::ThemePreference::Dark,
        }
    }
}

/// The persisted settings.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    /// Recently opened or saved projects, newest first.
    pub recent: Vec<PathBuf>,
    pub theme: ThemeChoice,
    /// The area shown when the studio closed.
    pub area: Area,
    /// Bumped by View ▸ Reset layout: panels get fresh ids and so their default sizes.
    pub layout_generation: u32,
    /// The folder of the last file dialog.
    pub last_dir: Option<PathBuf>,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            recent: Vec::new(),
            theme: ThemeChoice::System,
            area: Area::Network,
            layout_generation: 0,
            last_dir: None,
        }
    }
}

impl Settings {
    /// Reads the settings from eframe's storage (defaults when absent or unreadable).
    pub fn load(storage: Option<&dyn eframe::Storage>) -> Self {
        storage
            .and_then(|s| eframe::get_value(s, STORAGE_KEY))
            .unwrap_or_default()
    }

    /// Writes the settings into eframe's storage.
    pub fn store(&self, storage: &mut dyn eframe::Storage) {
        eframe::set_value(storage, STORAGE_KEY, self);
    }

    /// Puts `path` first in the recent list (once), keeping at most [`RECENT_LIMIT`].
    pub fn add_recent(&mut self, path: &Path) {
        let path = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
        self.recent.retain(|p| p != &path);
        self.recent.insert(0, path.clone());
        self.recent.truncate(RECENT_LIMIT);
        if let Some(dir) = path.parent() {
            self.last_dir = Some(dir.to_path_buf());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recent_projects_are_unique_newest_first_and_bounded() {
        let mut s = Settings::default();
        for i in 0..12 {
            s.add_recent(Path::new(&format!("/nonexistent/p{i}.ron")));
        }
        s.add_recent(Path::new("/nonexistent/p5.ron"));
        assert_eq!(s.recent.len(), RECENT_LIMIT);
        assert_eq!(s.recent[0], Path::new("/nonexistent/p5.ron"));
        assert_eq!(s.recent.iter().filter(|p| p.ends_with("p5.ron")).count(), 1);
    }

    #[test]
    fn unknown_or_missing_fields_fall_back_to_defaults() {
        let s: Settings = ron::from_str("(theme: Dark)").unwrap_or_default();
        assert_eq!(s.theme, ThemeChoice::Dark);
        assert_eq!(s.area, Area::Network);
    }
}
