//! All parameters (theta of the decoder and phi of the encoder) as one flat vector on the
//! host, and as one weight and bias tensor per layer on the device.
//!
//! Why flat on the host: the optimizer, the gradient all-reduce between workers, checksums
//! and persistence each become one operation on one buffer. A `Layout` names its segments.
//! Why per layer on the device: the forward pass uses the tensors as they are. (Slicing
//! them out of one flat tensor at every pass, and scattering the gradients back, cost a
//! quarter of a small training step in dfdx's element-wise slice kernels.)
use dfdx::prelude::*;

/// A tensor's values on the host by one block copy. dfdx's `as_vec` walks a strided index
/// per element, which made copying the 650k-parameter vector a fifth of a small step.
/// For tensors made by ops here, which are contiguous; `copy_into` panics on a length
/// mismatch, so a broadcast view cannot slip through silently.
pub fn to_host<S: Shape, D: Device<f32>, T>(t: &Tensor<S, f32, D, T>) -> Vec<f32> {
    let mut v = vec![0.0; t.shape().num_elements()];
    t.copy_into(&mut v);
    v
}

/// One dense layer's place in the flat vector: a row-major `inputs x outputs` weight
/// matrix followed by `outputs` biases.
#[derive(Clone, Debug, PartialEq)]
pub struct DenseSlot {
    pub name: String,
    pub inputs: usize,
    pub outputs: usize,
    pub offset: usize,
}

impl DenseSlot {
    pub fn weight_range(&self) -> std::ops::Range<usize> {
        self.offset..self.offset + self.inputs * self.outputs
    }
    pub fn bias_range(&self) -> std::ops::Range<usize> {
        let start = self.offset + self.inputs * self.outputs;
        start..start + self.outputs
    }
}

/// The named segments of the flat parameter vector, in order.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Layout {
    pub slots: Vec<DenseSlot>,
    pub len: usize,
}

impl Layout {
    /// Appends a dense layer and returns its index.
    pub fn dense(&mut self, name: &str, inputs: usize, outputs: usize) -> usize {
        self.slots.push(DenseSlot { name: name.to_string(), inputs, outputs, offset: self.len });
        self.len += inputs * outputs + outputs;
        self.slots.len() - 1
    }

    /// (tensor name, shape, range) for every weight and bias: the checkpoint's entries.
    pub fn named_tensors(&self) -> Vec<(String, Vec<usize>, std::ops::Range<usize>)> {
        let mut out = Vec::with_capacity(self.slots.len() * 2);
        for s in &self.slots {
            out.push((format!("{}.weight", s.name), vec![s.inputs, s.outputs], s.weight_range()));
            out.push((format!("{}.bias", s.name), vec![s.outputs], s.bias_range()));
        }
        out
    }
}

/// One dense layer's parameters on the device: a row-major `inputs x outputs` weight matrix
/// and its biases.
pub struct Dense<D: Device<f32>, T = NoneTape> {
    pub w: Tensor<(usize, usize), f32, D, T>,
    pub b: Tensor<(usize,), f32, D, T>,
}

/// The parameters as seen by one forward pass, carrying tape `T` when gradients are wanted.
pub struct Weights<D: Device<f32>, T> {
    pub layers: Vec<Dense<D, T>>,
}

impl<D: Device<f32>, T: Tape<f32, D>> Weights<D, T> {
    /// x W + b for layer `i`. Each use starts from an empty copy of the layer's tape, so
    /// every use's backward op reaches the loss's tape and the uses' gradients add up under
    /// the layer's id.
    pub fn dense<TX: Tape<f32, D> + Merge<T>>(
        &self,
        i: usize,
        x: Tensor<(usize, usize), f32, D, TX>,
    ) -> Tensor<(usize, usize), f32, D, TX> {
        let l = &self.layers[i];
        let rows = x.shape().0;
        let outputs = l.b.shape().0;
        x.matmul(l.w.with_empty_tape()) + l.b.with_empty_tape().broadcast_like::<_, Axis<0>>(&(rows, outputs))
    }
}
