//! The project file: a network, its training options and where its data comes from, stored
//! as RON with a format `version`; missing fields take their defaults, so older files open.
//! Saving writes a temporary file and renames it over the old one, so a crash mid-save never
//! leaves a corrupt project.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::layers::{LayerSpec, canonical_network};
use super::training::TrainingOptions;

/// The project format this build writes (and the newest it reads).
pub const PROJECT_FORMAT_VERSION: u32 = 1;

/// Where a data set comes from.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum DataSource {
    /// A data set shipped inside the studio, by name (e.g. `japanese-vowels`); `test` picks its
    /// test half.
    Embedded { name: String, test: bool },
    /// A file; a relative path is relative to the project file's folder.
    File(PathBuf),
}

/// The data sets of a project.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct DataSources {
    pub train: Option<DataSource>,
    pub validation: Option<DataSource>,
    pub test: Option<DataSource>,
}

impl DataSources {
    /// The embedded Japanese Vowels train and test sets.
    pub fn japanese_vowels() -> Self {
        Self {
            train: Some(DataSource::Embedded {
                name: "japanese-vowels".into(),
                test: false,
            }),
            validation: None,
            test: Some(DataSource::Embedded {
                name: "japanese-vowels".into(),
                test: true,
            }),
        }
    }
}

/// A whole project.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Project {
    /// The format version the file was written with.
    pub version: u32,
    /// A title shown in the window.
    pub name: String,
    /// The layer array, in order.
    pub layers: Vec<LayerSpec>,
    /// trainingOptions.
    pub training: TrainingOptions,
    /// Where the data comes from.
    pub data: DataSources,
}

impl Default for Project {
    fn default() -> Self {
        Self {
            version: PROJECT_FORMAT_VERSION,
            name: "Untitled".into(),
            layers: Vec::new(),
            training: TrainingOptions::default(),
            data: DataSources::default(),
        }
    }
}

/// Why a project could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum ProjectError {
    #[error("{path}: {error}")]
    Io {
        path: PathBuf,
        error: std::io::Error,
    },
    #[error("{path}:{line}:{column}: {message}")]
    Syntax {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },
    #[error(
        "{path}: written by a newer LSTM Studio (format version {found}; this build reads up to {PROJECT_FORMAT_VERSION})"
    )]
    TooNew { path: PathBuf, found: u32 },
    #[error("could not encode the project: {0}")]
    Encode(String),
}

impl Project {
    /// The reference's canonical example: Japanese Vowels, sequenceInput(12) → lstm(100,
    /// 'last') → fc(9) → softmax → classification; adam, MaxEpochs 100, MiniBatchSize 27,
    /// GradientThreshold 1, on the CPU.
    pub fn canonical() -> Self {
        use super::training::{ExecutionEnvironment, Solver};
        Self {
            name: "Japanese Vowels".into(),
            layers: canonical_network(),
            training: TrainingOptions {
                max_epochs: 100,
                mini_batch_size: 27,
                gradient_threshold: 1.0,
                execution_environment: ExecutionEnvironment::Cpu,
                ..TrainingOptions::for_solver(Solver::Adam)
            },
            data: DataSources::japanese_vowels(),
            ..Self::default()
        }
    }

    /// Reads a project from RON text; `path` is only used in messages.
    pub fn from_ron(text: &str, path: &Path) -> Result<Self, ProjectError> {
        let project: Project = ron::from_str(text).map_err(|e| ProjectError::Syntax {
            path: path.to_path_buf(),
            line: e.span.start.line,
            column: e.span.start.col,
            message: e.code.to_string(),
        })?;
        if project.version > PROJECT_FORMAT_VERSION {
            return Err(ProjectError::TooNew {
                path: path.to_path_buf(),
                found: project.version,
            });
        }
        Ok(project)
    }

    /// The project as pretty RON.
    pub fn to_ron(&self) -> Result<String, ProjectError> {
        let cfg = ron::ser::PrettyConfig::new()
            .depth_limit(6)
            .struct_names(false);
        ron::ser::to_string_pretty(self, cfg).map_err(|e| ProjectError::Encode(e.to_string()))
    }

    /// Reads a project file.
    pub fn load(path: &Path) -> Result<Self, ProjectError> {
        let text = std::fs::read_to_string(path).map_err(|error| ProjectError::Io {
            path: path.to_path_buf(),
            error,
        })?;
        Self::from_ron(&text, path)
    }

    /// Writes the project atomically: a temporary file beside the target, then a rename.
    pub fn save(&self, path: &Path) -> Result<(), ProjectError> {
        let mut copy = self.clone();
        copy.version = PROJECT_FORMAT_VERSION;
        let text = copy.to_ron()?;
        write_atomically(path, text.as_bytes())
    }

    /// A file path from the project resolved against the project file's folder.
    pub fn resolve(project_file: Option<&Path>, p: &Path) -> PathBuf {
        match project_file.and_then(Path::parent) {
            Some(dir) if p.is_relative() => dir.join(p),
            _ => p.to_path_buf(),
        }
    }
}

/// Writes `bytes` to `path` through a temporary file in the same folder and a rename.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), ProjectError> {
    use std::io::Write;
    let io = |error| ProjectError::Io {
        path: path.to_path_buf(),
        error,
    };
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{file_name}.{}.tmp", std::process::id()));
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result.map_err(io)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn project_round_trips_through_a_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p.ron");
        let mut p = Project::canonical();
        p.layers[1]
            .recurrent_mut()
            .unwrap()
            .input_weights_learn_rate_factor = crate::spec::GateFactor(vec![1.0, 0.0, 0.5, 1.0]);
        p.save(&path).unwrap();
        let q = Project::load(&path).unwrap();
        assert_eq!(p, q);
        // no temporary file left behind
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn missing_fields_take_defaults() {
        let p = Project::from_ron("(version: 1, layers: [])", Path::new("x.ron")).unwrap();
        assert_eq!(p.training, TrainingOptions::default());
    }

    #[test]
    fn syntax_errors_have_a_position_and_newer_versions_are_refused() {
        let e = Project::from_ron("(version: 1,\n layers: [oops", Path::new("x.ron")).unwrap_err();
        assert!(e.to_string().starts_with("x.ron:2:"), "{e}");
        let e = Project::from_ron("(version: 99)", Path::new("x.ron")).unwrap_err();
        assert!(e.to_string().contains("newer"), "{e}");
    }
}
