//! All parameters (theta of the decoder and phi of the encoder) live in one flat vector.
//!
//! Why flat: the optimizer, the gradient all-reduce between workers, checksums and
//! persistence each become one operation on one buffer. A `Layout` names the segments,
//! and each forward pass slices its weight matrices out (a copy of ~1 MB, small next to
//! the matmuls), so dfdx's tape routes every gradient back into the one flat gradient.
use dfdx::prelude::*;

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

/// The parameters as seen by one forward pass, carrying tape `T` when gradients are wanted.
pub struct Weights<'a, D: Device<f32>, T> {
    pub layout: &'a Layout,
    pub theta: Tensor<(usize,), f32, D, T>,
}

impl<'a, D: Device<f32>, T: Tape<f32, D>> Weights<'a, D, T> {
    pub fn new(layout: &'a Layout, theta: Tensor<(usize,), f32, D, T>) -> Self {
        Weights { layout, theta }
    }

    /// x W + b for layer `i`. The weights are sliced afresh at each use, each slice on an
    /// empty copy of the tape, so that every use's backward op reaches the loss's tape and
    /// accumulates into the one flat gradient.
    pub fn dense<TX: Tape<f32, D> + Merge<T>>(
        &self,
        i: usize,
        x: Tensor<(usize, usize), f32, D, TX>,
    ) -> Tensor<(usize, usize), f32, D, TX> {
        let s = &self.layout.slots[i];
        let (wr, br) = (s.weight_range(), s.bias_range());
        let w = self.theta.with_empty_tape().slice((wr.start..wr.end,)).reshape_like(&(s.inputs, s.outputs));
        let b = self.theta.with_empty_tape().slice((br.start..br.end,));
        let rows = x.shape().0;
        x.matmul(w) + b.broadcast_like::<_, Axis<0>>(&(rows, s.outputs))
    }
}
