/// What the training loop needs from a model. Any network can be trained by conforming to it,
/// so the loop does not depend on how layers and graphs are built.
public protocol TrainableModel: AnyObject {
    /// The tensors the optimizer should update (frozen weights left out), under unique names.
    var trainableParameters: [NamedTensor] { get }
    /// Every tensor that makes up the model's state — all weights, frozen or not, and buffers such as
    /// batch-norm running statistics — under unique names. Checkpoints and `lrFind` save and restore these.
    var stateTensors: [NamedTensor] { get }
    /// The output for a batch. `training` turns on batch statistics, dropout and stochastic depth;
    /// evaluation passes `false` (PyTorch's `model.train()` / `model.eval()`).
    func forward(_ input: Tensor, training: Bool) throws -> Tensor
    /// The generator dropout and stochastic depth draw from; checkpoints save and restore it so a resumed run
    /// continues identically. Defaults to the global generator.
    var randomGenerator: RandomGenerator { get }
    /// State kept as counts rather than tensors, by name: batch norm's `num_batches_tracked` as
    /// `<layer>.num_batches_tracked`. Checkpoints save and restore these with the tensors.
    var stateCounters: [String: Int] { get set }
}

extension TrainableModel {
    /// The global generator, for models that do not keep their own.
    public var randomGenerator: RandomGenerator { .global }

    /// No counters, for models whose whole state is tensors.
    public var stateCounters: [String: Int] {
        get { [:] }
        set {}
    }
}

/// A source of labelled batches, such as the data loader: images `[B, C, H, W]` (or any `[B, …]`) and one
/// class label per sample.
public protocol BatchSource {
    /// Batches in one pass over the data.
    var batchCount: Int { get }
    /// Samples in one pass over the data.
    var sampleCount: Int { get }
    /// Calls `body` with each batch of pass number `epoch`, in order, until `body` returns `false`.
    /// A shuffling source should derive its order from `epoch` (and its seed), so that resuming at an
    /// epoch reproduces the batches an uninterrupted run would have seen.
    func forEachBatch(epoch: Int, _ body: (_ inputs: Tensor, _ labels: [Int]) throws -> Bool) throws
}

/// Maps the model's output and the labels of a batch to a scalar loss, e.g.
/// `{ try Loss.crossEntropy(logits: $0, targets: $1) }`.
public typealias LossFunction = (_ output: Tensor, _ labels: [Int]) throws -> Tensor

/// The value of a loss tensor, which must hold a single number.
func scalarLoss(_ loss: Tensor, op: String) throws -> Float {
    guard loss.count == 1 else {
        throw KernelError.invalidArgument(
            op: op, message: "the loss function must return a single number, found a tensor of shape \(shapeString(loss.shape))")
    }
    return loss.data[0]
}

/// Returns true when the user asked to stop (checked between batches).
public typealias InterruptCheck = () -> Bool

/// The default loss: cross-entropy over logits.
public let crossEntropyLoss: LossFunction = { output, labels in
    try Loss.crossEntropy(logits: output, targets: labels)
}

/// Where a training run stands: how many epochs are complete and how many optimizer steps were taken.
/// The schedule is a pure function of `step`, so this is all it needs to continue.
public struct TrainingPosition: Codable, Equatable {
    /// Epochs completed.
    public var epoch: Int
    /// Optimizer steps taken (the next schedule step).
    public var step: Int

    /// A position after `epoch` epochs and `step` steps.
    public init(epoch: Int, step: Int) {
        self.epoch = epoch
        self.step = step
    }

    /// The start of training.
    public static let start = TrainingPosition(epoch: 0, step: 0)
}
