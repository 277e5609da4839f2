//! Loads the data sets a project names (embedded by name, or files relative to the project)
//! and lines them up: validation and test labels re-indexed onto the training classes, feature
//! counts checked. Shared by the CLI, the worker's callers and the studio.

use std::path::Path;

use crate::data::{self, DataError, SequenceDataset};
use crate::spec::{DataSource, Project};

/// The data sets of a run.
#[derive(Clone, Debug, Default)]
pub struct ProjectData {
    pub train: Option<SequenceDataset>,
    pub validation: Option<SequenceDataset>,
    pub test: Option<SequenceDataset>,
}

/// An embedded data set by name (`japanese-vowels`, `basic-motions`, `airline`): its training
/// half, or with `test` its test half.
pub fn embedded(name: &str, test: bool) -> Result<SequenceDataset, DataError> {
    let Some(pair) = data::embedded::by_name(name) else {
        return Err(DataError::in_file(
            name,
            "no embedded data set of that name (known: japanese-vowels, basic-motions, airline)",
        ));
    };
    let (train, test_set) = pair?;
    if !test {
        return Ok(train);
    }
    test_set.ok_or_else(|| DataError::in_file(name, "this embedded data set has no test half"))
}

/// Loads one data source.
pub fn load_source(
    source: &DataSource,
    project_file: Option<&Path>,
) -> Result<SequenceDataset, DataError> {
    match source {
        DataSource::Embedded { name, test } => embedded(name, *test),
        DataSource::File(p) => data::load(
            &Project::resolve(project_file, p),
            &data::LoadOptions::default(),
        ),
    }
}

/// Loads a data file, or an embedded set by name when `spec` is `embedded:NAME[:test]`.
pub fn load_spec(spec: &str) -> Result<SequenceDataset, DataError> {
    if let Some(rest) = spec.strip_prefix("embedded:") {
        let (name, test) = match rest.strip_suffix(":test") {
            Some(n) => (n, true),
            None => (rest.strip_suffix(":train").unwrap_or(rest), false),
        };
        return embedded(name, test);
    }
    data::load(Path::new(spec), &data::LoadOptions::default())
}

impl ProjectData {
    /// Loads everything the project names.
    pub fn load(project: &Project, project_file: Option<&Path>) -> Result<Self, DataError> {
        let get =
            |s: &Option<DataSource>| s.as_ref().map(|s| load_source(s, project_file)).transpose();
        let mut d = Self {
            train: get(&project.data.train)?,
            validation: get(&project.data.validation)?,
            test: get(&project.data.test)?,
        };
        d.align()?;
        Ok(d)
    }

    /// Re-indexes validation and test labels onto the training classes and checks that the
    /// feature counts agree.
    pub fn align(&mut self) -> Result<(), DataError> {
        let Some(train) = &self.train else {
            return Ok(());
        };
        let classes: Option<Vec<String>> = train.class_names().map(<[String]>::to_vec);
        for other in [&mut self.validation, &mut self.test].into_iter().flatten() {
            other.check_compatible(train)?;
            if let Some(c) = &classes {
                other.align_classes(c)?;
            }
        }
        Ok(())
    }
}
