// What a layer can do beyond `forward`, declared by the layer in its own file. `ExecutionPlan` and its fusion rules ask
// these protocols, never for concrete layer types, so a new layer joins a fast path by conforming to one.

/// A layer that can read and write feature maps in oneDNN's channel-blocked layout (`TensorLayout.channelBlocked`)
/// in training, so the model keeps a feature map blocked between such layers instead of reordering it around each one.
protocol ChannelBlockedCapable: Layer {
    /// Whether this instance reads blocked inputs at all (an `Activation` does only as a ReLU); whether a given call
    /// does also depends on sizes, see `forwardChannelBlocked`.
    var readsChannelBlocks: Bool { get }

    /// `forward(inputs)` in training on inputs in any layouts (`Tensor.layout`), then max(·, 0) when `thenReLU` (only
    /// asked of layers that are `FusesFollowingReLU`), the output blocked when the layer computes it so and
    /// `preferBlockedOutput` (every reader of the output takes blocked values) or it cannot be had plain. Nil when this
    /// call has no blocked form: the model then reorders blocked inputs to plain and calls `forward`.
    func forwardChannelBlocked(_ inputs: [Tensor], context: ForwardContext, thenReLU: Bool, preferBlockedOutput: Bool) throws -> Tensor?
}

extension ChannelBlockedCapable {
    var readsChannelBlocks: Bool { true }
}

/// A layer that can apply the ReLU reading its output itself, in the same pass (batch norm, a residual add).
protocol FusesFollowingReLU: Layer {
    /// Whether a call with `inputCount` inputs has a fused form (the plan fuses only then).
    func fusesReLU(inputCount: Int) -> Bool

    /// `relu(forward(inputs))` as one op with the same values and gradients; nil when these inputs have no fused form
    /// (the model then runs the two layers apart).
    func forwardThenReLU(_ inputs: [Tensor], context: ForwardContext) throws -> Tensor?
}

/// A layer that may compute max(x, 0) and nothing else, so that a preceding `FusesFollowingReLU` layer can absorb it.
protocol ReLUEquivalent: Layer {
    /// Whether this instance is exactly a ReLU.
    var computesReLU: Bool { get }
}

/// A layer into which an evaluation-mode batch norm after it (and that batch norm's ReLU) can be folded for inference
/// without gradients: one op instead of three, and two such folded layers in a row may pass their feature map in
/// oneDNN's own layout.
protocol FoldsFollowingBatchNorm: Layer {
    /// `batchNorm(forward(input))` in evaluation mode, then ReLU when `relu`, as one op off the tape.
    func forwardFolded(_ input: Tensor, batchNorm: BatchNormalization, relu: Bool) throws -> Tensor

    /// `forwardFolded` of this layer, then `next.forwardFolded` on its result, with the feature map between the two in
    /// whatever layout suits the pair.
    func forwardFoldedChain(
        _ input: Tensor, batchNorm: BatchNormalization, relu: Bool,
        next: any FoldsFollowingBatchNorm, nextBatchNorm: BatchNormalization, nextReLU: Bool
    ) throws -> Tensor
}

/// Which values a layer's backward pass reads, so the model can drop the storage of a feature map no backward step
/// needs (it keeps its shape for the tape) as soon as its last reader has run.
protocol BackwardValueUse: Layer {
    /// Whether the backward pass reads the values of this layer's inputs.
    var backwardReadsInputValues: Bool { get }
    /// Whether the backward pass keeps this layer's output values alive (reads the tensor or captured its array), so
    /// dropping the output tensor's storage would free nothing.
    var backwardKeepsOutputValues: Bool { get }
}

/// A gate that in some training passes replaces its whole input by zeros (stochastic depth). The model draws the
/// decision before the steps that feed only the gate and, when the input is dropped, skips them forward and backward,
/// provided every reader of the gate `OmitsZeroInputs`.
protocol DropsWholeInput: Layer {
    /// Whether this pass keeps the input, drawn from `context.generator`; nil when the pass does not decide for the
    /// whole batch at once (evaluation, per-sample draws), and `forward` then runs as usual. After a draw of true the
    /// layer's output for the pass is its input unchanged, after false all zeros.
    func drawKeep(context: ForwardContext) -> Bool?
}

/// A layer whose output does not change when an all-zero input is left out, and is that input itself when a single one
/// remains (a sum), so a dropped `DropsWholeInput` branch can be left out of it instead of computed as zeros.
protocol OmitsZeroInputs: Layer {}
