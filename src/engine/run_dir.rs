//! The run directory of a trained model: `project.ron` (as resolved, with the classes),
//! `weights.safetensors` (MATLAB names), `metrics.csv` (per iteration), `confusion.csv`
//! (classification with test data) and `summary.json`. The CLI, the worker and the studio all
//! read and write this one format.

use std::path::{Path, PathBuf};

use tch::{Device, Kind};

use super::network::Network;
use super::train::{IterationRecord, TrainingSummary};
use super::{ConfusionMatrix, EngineError};
use crate::spec::{LayerKind, Project};

fn io(path: &Path, e: impl std::fmt::Display) -> EngineError {
    EngineError::Io {
        path: path.to_path_buf(),
        message: e.to_string(),
    }
}

/// The project with the classification layer's Classes set to the training classes.
pub fn resolved_project(project: &Project, classes: &[String]) -> Project {
    let mut p = project.clone();
    crate::spec::assign_names(&mut p.layers);
    if !classes.is_empty() {
        for l in &mut p.layers {
            if let LayerKind::Classification { classes: c } = &mut l.kind {
                *c = Some(classes.to_vec());
            }
        }
    }
    p
}

/// Writes `metrics.csv`.
pub fn write_metrics(path: &Path, history: &[IterationRecord]) -> Result<(), EngineError> {
    let mut w = csv::Writer::from_path(path).map_err(|e| io(path, e))?;
    w.write_record([
        "iteration",
        "epoch",
        "elapsed_s",
        "learn_rate",
        "train_loss",
        "train_metric",
        "val_loss",
        "val_metric",
    ])
    .map_err(|e| io(path, e))?;
    let opt = |v: Option<f64>| v.map(|v| v.to_string()).unwrap_or_default();
    for r in history {
        w.write_record([
            r.iteration.to_string(),
            r.epoch.to_string(),
            format!("{:.4}", r.elapsed_s),
            r.learn_rate.to_string(),
            r.train_loss.to_string(),
            r.train_metric.to_string(),
            opt(r.val_loss),
            opt(r.val_metric),
        ])
        .map_err(|e| io(path, e))?;
    }
    w.flush().map_err(|e| io(path, e))
}

/// Writes `confusion.csv`: a header of predicted classes, one row per true class.
pub fn write_confusion(path: &Path, cm: &ConfusionMatrix) -> Result<(), EngineError> {
    let mut w = csv::Writer::from_path(path).map_err(|e| io(path, e))?;
    let mut header = vec!["true\\predicted".to_string()];
    header.extend(cm.classes.iter().cloned());
    w.write_record(&header).map_err(|e| io(path, e))?;
    for (c, row) in cm.classes.iter().zip(&cm.counts) {
        let mut rec = vec![c.clone()];
        rec.extend(row.iter().map(u64::to_string));
        w.write_record(&rec).map_err(|e| io(path, e))?;
    }
    w.flush().map_err(|e| io(path, e))
}

/// Everything a run directory holds besides the network.
pub struct RunRecord<'a> {
    pub project: &'a Project,
    pub classes: &'a [String],
    pub history: &'a [IterationRecord],
    pub confusion: Option<&'a ConfusionMatrix>,
    pub summary: serde_json::Value,
}

/// Writes a run directory.
pub fn write_run(dir: &Path, net: &Network, rec: &RunRecord) -> Result<(), EngineError> {
    std::fs::create_dir_all(dir).map_err(|e| io(dir, e))?;
    let project = resolved_project(rec.project, rec.classes);
    project.save(&dir.join("project.ron"))?;
    net.save_weights(&dir.join("weights.safetensors"))?;
    write_metrics(&dir.join("metrics.csv"), rec.history)?;
    if let Some(cm) = rec.confusion {
        write_confusion(&dir.join("confusion.csv"), cm)?;
    }
    let summary = dir.join("summary.json");
    let text = serde_json::to_string_pretty(&rec.summary).map_err(|e| io(&summary, e))?;
    crate::spec::project::write_atomically(&summary, text.as_bytes()).map_err(|e| io(&summary, e))
}

/// A summary as JSON.
pub fn summary_json(
    s: &TrainingSummary,
    test_accuracy: Option<f64>,
    test_rmse: Option<f64>,
) -> serde_json::Value {
    let mut v = serde_json::json!({
        "final_train_loss": s.final_train_loss,
        "epochs": s.epochs,
        "iterations": s.iterations,
        "train_seconds": s.train_seconds,
        "device": s.device,
        "stop_reason": format!("{:?}", s.stop_reason),
    });
    if let Some(a) = test_accuracy {
        v["test_accuracy"] = serde_json::json!(a);
    }
    if let Some(r) = test_rmse {
        v["test_rmse"] = serde_json::json!(r);
    }
    if let Some(m) = &s.message {
        v["message"] = serde_json::json!(m);
    }
    v
}

/// A loaded run: the resolved project, its network, and its training curves when the run
/// directory has them.
pub struct LoadedRun {
    pub dir: PathBuf,
    pub project: Project,
    pub network: Network,
    pub classes: Vec<String>,
    /// From `metrics.csv` (empty when absent).
    pub history: Vec<IterationRecord>,
}

/// Reads `metrics.csv` back (the columns [`write_metrics`] writes; empty cells are `None`).
pub fn read_metrics(path: &Path) -> Result<Vec<IterationRecord>, EngineError> {
    let mut r = csv::Reader::from_path(path).map_err(|e| io(path, e))?;
    let mut out = Vec::new();
    for (i, rec) in r.records().enumerate() {
        let rec = rec.map_err(|e| io(path, e))?;
        let line = i + 2;
        let num = |k: usize| -> Result<Option<f64>, EngineError> {
            match rec.get(k).map(str::trim) {
                None | Some("") => Ok(None),
                Some(v) => v.parse::<f64>().map(Some).map_err(|_| {
                    io(
                        path,
                        format!("line {line}, column {}: '{v}' is not a number", k + 1),
                    )
                }),
            }
        };
        let need = |k: usize| {
            num(k)?.ok_or_else(|| {
                io(
                    path,
                    format!("line {line}, column {}: a value is missing", k + 1),
                )
            })
        };
        out.push(IterationRecord {
            iteration: need(0)? as usize,
            epoch: need(1)? as usize,
            elapsed_s: need(2)?,
            learn_rate: need(3)?,
            train_loss: need(4)?,
            train_metric: need(5)?,
            val_loss: num(6)?,
            val_metric: num(7)?,
        });
    }
    Ok(out)
}

/// Opens a run directory (or a project file plus a weights file) on a device.
pub fn load_run(dir: &Path, device: Device) -> Result<LoadedRun, EngineError> {
    if !dir.is_dir() {
        return Err(EngineError::Io {
            path: dir.to_path_buf(),
            message: "no such run directory".into(),
        });
    }
    let project = Project::load(&dir.join("project.ron"))?;
    let mut network = Network::build(&project.layers, device, Kind::Float)?;
    network.load_weights(&dir.join("weights.safetensors"))?;
    let classes = project
        .layers
        .iter()
        .find_map(|l| match &l.kind {
            LayerKind::Classification { classes: Some(c) } => Some(c.clone()),
            _ => None,
        })
        .unwrap_or_default();
    let metrics = dir.join("metrics.csv");
    let history = if metrics.exists() {
        read_metrics(&metrics)?
    } else {
        Vec::new()
    };
    Ok(LoadedRun {
        dir: dir.to_path_buf(),
        project,
        network,
        classes,
        history,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metrics_csv_reads_back_what_was_written() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("metrics.csv");
        let history = vec![
            IterationRecord {
                iteration: 1,
                epoch: 1,
                elapsed_s: 0.5,
                learn_rate: 0.001,
                train_loss: 2.25,
                train_metric: 0.125,
                val_loss: Some(2.5),
                val_metric: Some(0.25),
            },
            IterationRecord {
                iteration: 2,
                epoch: 1,
                elapsed_s: 0.75,
                learn_rate: 0.001,
                train_loss: 2.0,
                train_metric: 0.25,
                val_loss: None,
                val_metric: None,
            },
        ];
        write_metrics(&path, &history).unwrap();
        assert_eq!(read_metrics(&path).unwrap(), history);
        std::fs::write(&path, "iteration,epoch\n1,x\n").unwrap();
        let e = read_metrics(&path).unwrap_err().to_string();
        assert!(e.contains("line 2, column 2: 'x' is not a number"), "{e}");
    }
}
