//! The background worker: a named thread that owns all libtorch state (the network being
//! trained, the trained model, stateful prediction), connected to the UI by crossbeam
//! channels. Only plain data crosses the channels, never a tensor. A panic inside the worker's
//! work becomes a `Failed` event; the app survives it.

pub mod protocol;

use std::panic::AssertUnwindSafe;
use std::path::PathBuf;
use std::thread::JoinHandle;

use crossbeam_channel::{Receiver, Sender, TryRecvError};

use crate::engine::{
    self, Control, EngineError, LayerState, Network, TrainingEvent, TrainingObserver,
    TrainingRequest, run_dir,
};
use crate::spec::Project;
pub use protocol::{Command, Event, ModelInfo, StepResult, TrainJob, TrainResult};

/// The UI's handle on the worker thread.
pub struct Worker {
    commands: Sender<Command>,
    events: Receiver<Event>,
    thread: Option<JoinHandle<()>>,
}

impl Worker {
    /// Starts the worker thread; `notify` is called after every event (e.g. to request a
    /// repaint).
    pub fn spawn(notify: impl Fn() + Send + 'static) -> std::io::Result<Self> {
        let (ctx, crx) = crossbeam_channel::unbounded();
        let (etx, erx) = crossbeam_channel::unbounded();
        let thread = std::thread::Builder::new()
            .name("lstm-studio-worker".into())
            .spawn(move || {
                // Leave a core to the window: libtorch's OpenMP threads spin at barriers, and a
                // thread descheduled by the UI's rendering stalls all of them.
                let cores = std::thread::available_parallelism()
                    .map(|n| n.get())
                    .unwrap_or(2);
                tch::set_num_threads(if cores <= 2 { 1 } else { (cores - 1) as i32 });
                let mut state = WorkerState {
                    events: etx,
                    notify: Box::new(notify),
                    model: None,
                    stateful: None,
                };
                while let Ok(cmd) = crx.recv() {
                    if matches!(cmd, Command::Shutdown) {
                        break;
                    }
                    state.handle(cmd, &crx);
                }
            })?;
        Ok(Self {
            commands: ctx,
            events: erx,
            thread: Some(thread),
        })
    }

    /// Sends a command (never blocks).
    pub fn send(&self, cmd: Command) {
        let _ = self.commands.send(cmd);
    }

    /// The next event, if any (never blocks).
    pub fn try_recv(&self) -> Option<Event> {
        self.events.try_recv().ok()
    }

    /// Waits for the next event up to `timeout` (for tests and the CLI).
    pub fn recv_timeout(&self, timeout: std::time::Duration) -> Option<Event> {
        self.events.recv_timeout(timeout).ok()
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        let _ = self.commands.send(Command::Stop);
        let _ = self.commands.send(Command::Shutdown);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

struct Model {
    project: Project,
    network: Network,
    classes: Vec<String>,
    result: Option<TrainResult>,
}

struct WorkerState {
    events: Sender<Event>,
    notify: Box<dyn Fn() + Send>,
    model: Option<Model>,
    /// The state kept by classifyAndUpdateState / predictAndUpdateState.
    stateful: Option<Vec<Option<LayerState>>>,
}

/// Forwards training events and answers pause/stop from the command channel.
struct ChannelObserver<'a> {
    state: &'a WorkerState,
    commands: &'a Receiver<Command>,
    stopped: bool,
}

impl TrainingObserver for ChannelObserver<'_> {
    fn on_event(&mut self, event: TrainingEvent) {
        self.state.emit(Event::Training(event));
    }

    fn control(&mut self) -> Control {
        loop {
            match self.commands.try_recv() {
                Ok(Command::Stop) | Ok(Command::Shutdown) | Err(TryRecvError::Disconnected) => {
                    self.stopped = true;
                    return Control::Stop;
                }
                Ok(Command::Pause) => {
                    self.state.emit(Event::Paused);
                    // Wait for resume or stop.
                    loop {
                        match self.commands.recv() {
                            Ok(Command::Resume) => {
                                self.state.emit(Event::Resumed);
                                break;
                            }
                            Ok(Command::Stop) | Ok(Command::Shutdown) | Err(_) => {
                                self.stopped = true;
                                return Control::Stop;
                            }
                            Ok(other) => self.state.busy(&other),
                        }
                    }
                }
                Ok(Command::Resume) => {}
                Ok(other) => self.state.busy(&other),
                Err(TryRecvError::Empty) => return Control::Continue,
            }
        }
    }
}

fn panic_message(p: Box<dyn std::any::Any + Send>) -> String {
    p.downcast_ref::<String>()
        .cloned()
        .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_else(|| "unknown panic".into())
}

impl WorkerState {
    fn emit(&self, e: Event) {
        let _ = self.events.send(e);
        (self.notify)();
    }

    fn busy(&self, cmd: &Command) {
        self.emit(Event::Failed(format!(
            "{} is not possible while training runs",
            cmd.describe()
        )));
    }

    fn handle(&mut self, cmd: Command, commands: &Receiver<Command>) {
        let result = std::panic::catch_unwind(AssertUnwindSafe(|| self.dispatch(cmd, commands)));
        match result {
            Ok(Ok(())) => {}
            Ok(Err(e)) => self.emit(Event::Failed(e.to_string())),
            Err(p) => self.emit(Event::Failed(format!(
                "the worker recovered from an internal error: {}",
                panic_message(p)
            ))),
        }
    }

    fn dispatch(&mut self, cmd: Command, commands: &Receiver<Command>) -> Result<(), EngineError> {
        match cmd {
            Command::Train(job) => self.train(*job, commands),
            Command::Pause | Command::Resume | Command::Stop | Command::Shutdown => Ok(()),
            Command::Evaluate { request, data } => {
                let m = self.model()?;
                let ev = engine::evaluate(&m.network, &data, 128)?;
                self.emit(Event::Evaluation {
                    request,
                    evaluation: Box::new(ev),
                });
                Ok(())
            }
            Command::SaveRun { dir } => {
                let m = self.model()?;
                let (history, confusion, summary) = match &m.result {
                    Some(r) => (
                        r.history.clone(),
                        r.test.as_ref().and_then(|t| t.confusion.clone()),
                        r.summary_json.clone(),
                    ),
                    None => (Vec::new(), None, serde_json::json!({})),
                };
                run_dir::write_run(
                    &dir,
                    &m.network,
                    &run_dir::RunRecord {
                        project: &m.project,
                        classes: &m.classes,
                        history: &history,
                        confusion: confusion.as_ref(),
                        summary,
                    },
                )?;
                self.emit(Event::Saved { dir });
                Ok(())
            }
            Command::OpenRun { dir } => {
                let run = run_dir::load_run(&dir, tch::Device::Cpu)?;
                let info = ModelInfo::of(&run.network, &run.classes);
                self.model = Some(Model {
                    project: run.project.clone(),
                    network: run.network,
                    classes: run.classes,
                    result: None,
                });
                self.stateful = None;
                self.emit(Event::Opened {
                    dir,
                    project: Box::new(run.project),
                    info,
                    history: run.history,
                });
                Ok(())
            }
            Command::ExportPytorch {
                project,
                project_file,
                dir,
            } => {
                let report = crate::pytorch_export::export_pytorch_with(
                    &project,
                    project_file.as_deref(),
                    &dir,
                )
                .map_err(|e| EngineError::Io {
                    path: dir.clone(),
                    message: e.to_string(),
                })?;
                self.emit(Event::Exported {
                    dir,
                    notes: report.notes,
                });
                Ok(())
            }
            Command::ResetState => {
                self.stateful = None;
                self.emit(Event::StateReset);
                Ok(())
            }
            Command::StepState { values, steps } => self.step_state(values, steps),
            Command::Inspect {
                request,
                data,
                index,
            } => {
                let m = self.model()?;
                let ins = protocol::inspect(&m.network, &data, index)?;
                self.emit(Event::Inspection {
                    request,
                    inspection: Box::new(ins),
                });
                Ok(())
            }
        }
    }

    fn model(&self) -> Result<&Model, EngineError> {
        self.model.as_ref().ok_or_else(|| {
            EngineError::Data("no trained model yet: train one or open a run".into())
        })
    }

    fn step_state(&mut self, values: Vec<f32>, steps: usize) -> Result<(), EngineError> {
        let m = self
            .model
            .as_ref()
            .ok_or_else(|| EngineError::Data("no trained model yet".into()))?;
        let c = m.network.input_size;
        if steps == 0 || values.len() != steps * c {
            return Err(EngineError::Data(format!(
                "a step needs {c} values per time step, got {}",
                values.len()
            )));
        }
        let _guard = tch::no_grad_guard();
        let x = tch::Tensor::from_slice(&values)
            .view([1, steps as i64, c as i64])
            .to_device(m.network.device());
        let out = m
            .network
            .forward(&x, &[steps as i64], false, self.stateful.as_deref(), None)?;
        let scores = if m.network.task.is_classification() {
            out.scores.softmax(-1, tch::Kind::Float)
        } else {
            out.scores.to_kind(tch::Kind::Float)
        };
        let flat: Vec<f32> = Vec::try_from(scores.to_device(tch::Device::Cpu).flatten(0, -1))
            .map_err(EngineError::from)?;
        self.stateful = Some(
            out.states
                .into_iter()
                .map(|s| s.map(|s| s.detach()))
                .collect(),
        );
        let k = m.network.output_size;
        let last = flat[flat.len().saturating_sub(k)..].to_vec();
        self.emit(Event::Stepped(StepResult {
            scores: last,
            all_scores: flat,
            outputs: k,
        }));
        Ok(())
    }

    fn train(&mut self, job: TrainJob, commands: &Receiver<Command>) -> Result<(), EngineError> {
        let req = TrainingRequest {
            layers: job.project.layers.clone(),
            options: job.project.training.clone(),
            train: job.train,
            validation: job.validation,
            test: job.test,
            init_from: job.init_from,
            resume_from: job.resume_from,
        };
        let mut obs = ChannelObserver {
            state: self,
            commands,
            stopped: false,
        };
        let outcome = engine::train(&req, &mut obs)?;
        let test_acc = outcome.test.as_ref().and_then(|t| t.accuracy);
        let test_rmse = outcome.test.as_ref().and_then(|t| t.rmse);
        let info = ModelInfo::of(&outcome.network, &outcome.classes);
        let result = TrainResult {
            summary: outcome.summary.clone(),
            summary_json: run_dir::summary_json(&outcome.summary, test_acc, test_rmse),
            history: outcome.history.clone(),
            classes: outcome.classes.clone(),
            test: outcome.test.clone(),
            info,
        };
        self.model = Some(Model {
            project: job.project,
            network: outcome.network,
            classes: outcome.classes,
            result: Some(result.clone()),
        });
        self.stateful = None;
        self.emit(Event::Finished(Box::new(result)));
        Ok(())
    }
}

/// Where a run would be saved by default.
pub fn default_run_dir() -> PathBuf {
    let stamp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    PathBuf::from("runs").join(format!("run-{stamp}"))
}
