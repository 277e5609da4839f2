//! The solvers — sgdm, adam, rmsprop — written with tensor ops under no_grad so that MATLAB's
//! per-block factors mean what the reference says: a learn-rate factor multiplies its block's
//! STEP (for adam and rmsprop this is not a gradient scale), and an L2 factor adds
//! `L2Regularization × factor × W` to its block's gradient. Gradient thresholding ('l2norm',
//! 'global-l2norm', 'absolute-value') is applied after the L2 term.

use tch::Tensor;

use super::network::Learnable;
use crate::spec::{GradientThresholdMethod, Solver, TrainingOptions};

struct Slot {
    /// sgdm: velocity; adam: first moment; rmsprop: unused.
    first: Option<Tensor>,
    /// adam, rmsprop: second moment.
    second: Option<Tensor>,
}

/// A solver with its per-learnable state.
pub struct SolverState {
    pub solver: Solver,
    slots: Vec<Slot>,
    /// Updates taken so far (adam's bias correction).
    pub steps: i64,
}

impl SolverState {
    /// A fresh solver for these learnables.
    pub fn new(solver: Solver, learnables: &[Learnable]) -> Self {
        let slots = learnables
            .iter()
            .map(|l| {
                let z = || Some(l.tensor.detach().zeros_like());
                match solver {
                    Solver::Sgdm => Slot {
                        first: z(),
                        second: None,
                    },
                    Solver::Adam => Slot {
                        first: z(),
                        second: z(),
                    },
                    Solver::Rmsprop => Slot {
                        first: None,
                        second: z(),
                    },
                }
            })
            .collect();
        Self {
            solver,
            slots,
            steps: 0,
        }
    }

    /// The solver's state as named tensors (for checkpoints): `solver/<learnable>/first|second`.
    pub fn named_tensors(&self, learnables: &[Learnable]) -> Vec<(String, Tensor)> {
        let mut out = Vec::new();
        for (l, s) in learnables.iter().zip(&self.slots) {
            if let Some(t) = &s.first {
                out.push((format!("solver/{}/first", l.name), t.shallow_clone()));
            }
            if let Some(t) = &s.second {
                out.push((format!("solver/{}/second", l.name), t.shallow_clone()));
            }
        }
        out.push(("solver/steps".into(), Tensor::from_slice(&[self.steps])));
        out
    }

    /// Restores [`SolverState::named_tensors`]; the message names what is missing.
    pub fn load_named(
        &mut self,
        learnables: &[Learnable],
        tensors: &[(String, Tensor)],
    ) -> Result<(), String> {
        let find = |n: &str| tensors.iter().find(|(k, _)| k == n).map(|(_, t)| t);
        for (l, s) in learnables.iter().zip(&mut self.slots) {
            for (part, slot) in [("first", &mut s.first), ("second", &mut s.second)] {
                if let Some(dst) = slot {
                    let name = format!("solver/{}/{part}", l.name);
                    let src = find(&name)
                        .ok_or_else(|| format!("{name}: missing from the checkpoint"))?;
                    if src.size() != dst.size() {
                        return Err(format!(
                            "{name}: shape {:?} expected, the checkpoint has {:?}",
                            dst.size(),
                            src.size()
                        ));
                    }
                    tch::no_grad(|| dst.copy_(src));
                }
            }
        }
        if let Some(t) = find("solver/steps") {
            self.steps = t.int64_value(&[0]);
        }
        Ok(())
    }

    /// One update of every learnable with the gradients now held, at learning rate `lr`.
    /// Gradients are cleared afterwards.
    pub fn step(&mut self, learnables: &[Learnable], lr: f64, o: &TrainingOptions) {
        let _guard = tch::no_grad_guard();
        self.steps += 1;
        let mut grads: Vec<Tensor> = learnables
            .iter()
            .map(|l| {
                let g = l.tensor.grad();
                let g = if g.defined() {
                    g.detach()
                } else {
                    l.tensor.detach().zeros_like()
                };
                if o.l2_regularization > 0.0 && !l2_is_zero(&l.l2_factor) {
                    g + l.l2_factor.scale(&l.tensor.detach()) * o.l2_regularization
                } else {
                    g
                }
            })
            .collect();
        let thr = o.gradient_threshold;
        if thr.is_finite() {
            match o.gradient_threshold_method {
                GradientThresholdMethod::L2norm => {
                    for g in &mut grads {
                        let n = g.norm();
                        let scale = (n + 1e-30).reciprocal().g_mul_scalar(thr).clamp_max(1.0);
                        *g = &*g * scale;
                    }
                }
                GradientThresholdMethod::GlobalL2norm => {
                    let total = grads.iter().map(|g| g.square().sum(g.kind())).fold(
                        None::<Tensor>,
                        |acc, s| {
                            Some(match acc {
                                Some(a) => a + s,
                                None => s,
                            })
                        },
                    );
                    if let Some(total) = total {
                        let scale = (total.sqrt() + 1e-30)
                            .reciprocal()
                            .g_mul_scalar(thr)
                            .clamp_max(1.0);
                        for g in &mut grads {
                            *g = &*g * &scale;
                        }
                    }
                }
                GradientThresholdMethod::AbsoluteValue => {
                    for g in &mut grads {
                        *g = g.clamp(-thr, thr);
                    }
                }
            }
        }
        let t = self.steps as i32;
        for ((l, g), slot) in learnables.iter().zip(&grads).zip(&mut self.slots) {
            let mut p = l.tensor.shallow_clone();
            let step = match (self.solver, &mut slot.first, &mut slot.second) {
                (Solver::Sgdm, Some(v), _) => {
                    // v ← γ·v − α·f·g ; θ ← θ + v
                    let _ = v.g_mul_scalar_(o.momentum);
                    let _ = v.g_sub_(&l.learn_rate_factor.scale(g).g_mul_scalar(lr));
                    v.shallow_clone()
                }
                (Solver::Adam, Some(m), Some(v)) => {
                    let b1 = o.gradient_decay_factor;
                    let b2 = o.squared_gradient_decay();
                    let _ = m.g_mul_scalar_(b1).g_add_(&g.g_mul_scalar(1.0 - b1));
                    let _ = v
                        .g_mul_scalar_(b2)
                        .g_add_(&g.square().g_mul_scalar(1.0 - b2));
                    let c1 = 1.0 - b1.powi(t);
                    let c2 = 1.0 - b2.powi(t);
                    let denom = (v.g_div_scalar(c2)).sqrt().g_add_scalar(o.epsilon);
                    let s = m.g_div_scalar(c1) / denom;
                    l.learn_rate_factor.scale(&s).g_mul_scalar(-lr)
                }
                (Solver::Rmsprop, _, Some(v)) => {
                    let b2 = o.squared_gradient_decay();
                    let _ = v
                        .g_mul_scalar_(b2)
                        .g_add_(&g.square().g_mul_scalar(1.0 - b2));
                    let s = g / v.sqrt().g_add_scalar(o.epsilon);
                    l.learn_rate_factor.scale(&s).g_mul_scalar(-lr)
                }
                _ => continue,
            };
            let _ = p.g_add_(&step);
            let mut grad = l.tensor.grad();
            if grad.defined() {
                let _ = grad.zero_();
            }
        }
    }
}

fn l2_is_zero(f: &super::network::Factor) -> bool {
    matches!(f, super::network::Factor::Scalar(v) if *v == 0.0)
}
