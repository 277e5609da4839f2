//! MATLAB's initializers for weights and biases (reference §1), drawn from libtorch's seeded
//! generator: glorot, he, orthogonal, narrow-normal, zeros, ones; unit-forget-gate.

use tch::{Device, Kind, Tensor};

use crate::spec::{BiasInitializer, WeightsInitializer};

/// A weight matrix `[rows, cols]` with the given fan-in and fan-out.
pub fn weights(
    init: WeightsInitializer,
    rows: i64,
    cols: i64,
    fan_in: i64,
    fan_out: i64,
    opts: (Kind, Device),
) -> Tensor {
    match init {
        WeightsInitializer::Glorot => {
            // uniform on [-a, a] has variance a²/3 = 2/(fan_in + fan_out)
            let a = (6.0 / (fan_in + fan_out).max(1) as f64).sqrt();
            Tensor::empty([rows, cols], opts).uniform_(-a, a)
        }
        WeightsInitializer::He => {
            Tensor::randn([rows, cols], opts) * (2.0 / fan_in.max(1) as f64).sqrt()
        }
        WeightsInitializer::Orthogonal => orthogonal(rows, cols, opts),
        WeightsInitializer::NarrowNormal => Tensor::randn([rows, cols], opts) * 0.01,
        WeightsInitializer::Zeros => Tensor::zeros([rows, cols], opts),
        WeightsInitializer::Ones => Tensor::ones([rows, cols], opts),
    }
}

/// Q of the QR decomposition of a standard normal matrix (of its transpose when wide).
fn orthogonal(rows: i64, cols: i64, opts: (Kind, Device)) -> Tensor {
    if rows == 0 || cols == 0 {
        return Tensor::zeros([rows, cols], opts);
    }
    // QR runs in double on the CPU so the result does not depend on the device's LAPACK.
    let cpu = (Kind::Double, Device::Cpu);
    let q = if rows >= cols {
        let z = Tensor::randn([rows, cols], cpu);
        Tensor::linalg_qr(&z, "reduced").0
    } else {
        let z = Tensor::randn([cols, rows], cpu);
        Tensor::linalg_qr(&z, "reduced").0.tr()
    };
    q.to_kind(opts.0).to_device(opts.1).contiguous()
}

/// A bias of `gates` blocks of `hidden` values, repeated for `directions`.
pub fn bias(
    init: BiasInitializer,
    gates: i64,
    hidden: i64,
    directions: i64,
    opts: (Kind, Device),
) -> Tensor {
    let n = gates * hidden * directions;
    match init {
        BiasInitializer::Zeros => Tensor::zeros([n], opts),
        BiasInitializer::Ones => Tensor::ones([n], opts),
        BiasInitializer::NarrowNormal => Tensor::randn([n], opts) * 0.01,
        BiasInitializer::UnitForgetGate => {
            let b = Tensor::zeros([directions, gates, hidden], opts);
            if gates == 4 {
                let _ = b.narrow(1, 1, 1).fill_(1.0);
            }
            b.reshape([n])
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn orthogonal_columns_are_orthonormal() {
        tch::manual_seed(1);
        let q = weights(
            WeightsInitializer::Orthogonal,
            40,
            10,
            10,
            40,
            (Kind::Double, Device::Cpu),
        );
        let eye = q.tr().matmul(&q);
        let err = (eye - Tensor::eye(10, (Kind::Double, Device::Cpu)))
            .abs()
            .max()
            .double_value(&[]);
        assert!(err < 1e-10, "{err}");
    }

    #[test]
    fn glorot_has_the_documented_variance() {
        tch::manual_seed(2);
        let w = weights(
            WeightsInitializer::Glorot,
            400,
            100,
            100,
            400,
            (Kind::Double, Device::Cpu),
        );
        let var = w.var(true).double_value(&[]);
        let want = 2.0 / 500.0;
        assert!((var - want).abs() / want < 0.05, "{var} vs {want}");
    }

    #[test]
    fn unit_forget_gate_sets_only_the_forget_block() {
        let b = bias(
            BiasInitializer::UnitForgetGate,
            4,
            3,
            2,
            (Kind::Float, Device::Cpu),
        );
        let v: Vec<f32> = Vec::try_from(b).unwrap();
        let want: Vec<f32> = (0..24)
            .map(|r| if (r / 3) % 4 == 1 { 1.0 } else { 0.0 })
            .collect();
        assert_eq!(v, want);
    }
}
