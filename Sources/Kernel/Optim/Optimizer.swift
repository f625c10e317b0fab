/// Updates parameters from their accumulated gradients, like `torch.optim.Optimizer`.
///
/// Typical loop: `optimizer.zeroGrad()`, forward, `loss.backward()`, `optimizer.step()`.
/// Schedules drive the optimizer through `setLearningRate(_:)` and `setMomentum(_:)`.
public protocol Optimizer: AnyObject {
    /// Short name stored in checkpoints (`sgd`, `adam`, `adamw`), so state is never loaded into the wrong kind.
    var kind: String { get }
    /// The parameter groups with their current hyper-parameters.
    var groups: [OptimizerGroup] { get set }
    /// Applies one update to every parameter that has a gradient (parameters without one are skipped).
    func step() throws
    /// The full state (buffers, step counts, hyper-parameters) for a checkpoint.
    func exportState() -> OptimizerState
    /// Restores a state produced by `exportState()` of an optimizer of the same kind over the same parameters.
    func importState(_ state: OptimizerState) throws
}

extension Optimizer {
    /// Every parameter of every group, in order.
    public var parameters: [NamedTensor] { groups.flatMap(\.parameters) }

    /// Clears the gradients of every parameter (PyTorch's `zero_grad(set_to_none=True)`).
    public func zeroGrad() {
        for p in parameters { p.tensor.zeroGrad() }
    }

    /// Sets each group's learning rate to `learningRate` times the group's `lrScale`.
    public func setLearningRate(_ learningRate: Double) {
        for i in groups.indices { groups[i].learningRate = learningRate * groups[i].lrScale }
    }

    /// Sets SGD's momentum or Adam's β₁ in every group (what one-cycle's `cycle_momentum` does).
    public func setMomentum(_ momentum: Double) {
        for i in groups.indices { groups[i].momentum = momentum }
    }

    /// The learning rate of the first group (the schedule's value when its scale is 1).
    public var learningRate: Double { groups.first?.learningRate ?? 0 }

    /// Hyper-parameters of every group, as stored in `OptimizerState`.
    var groupHyperParameters: [OptimizerState.GroupHyperParameters] {
        groups.map { .init(name: $0.name, learningRate: $0.learningRate, momentum: $0.momentum, weightDecay: $0.weightDecay) }
    }

    /// Checks `state` against this optimizer (kind, groups, and that every buffer is one of `bufferNames`
    /// for a trained parameter of the same shape), then restores the group hyper-parameters.
    /// Nothing changes when it throws.
    func importCommon(_ state: OptimizerState, bufferNames: Set<String>) throws {
        guard state.kind == kind else {
            throw KernelError.invalidArgument(
                op: "load optimizer state", message: "the state was saved by a '\(state.kind)' optimizer, this one is '\(kind)'")
        }
        guard state.groups.count == groups.count else {
            throw KernelError.invalidArgument(
                op: "load optimizer state", message: "the state has \(state.groups.count) parameter groups, this optimizer has \(groups.count)")
        }
        var byName: [String: Tensor] = [:]
        for p in parameters { byName[p.name] = p.tensor }
        for (key, buffer) in state.buffers {
            guard let (bufferName, parameterName) = OptimizerState.split(key), bufferNames.contains(bufferName) else {
                throw KernelError.invalidArgument(op: "load optimizer state", message: "a '\(kind)' optimizer has no buffer '\(key)'")
            }
            guard let parameter = byName[parameterName] else {
                throw KernelError.invalidArgument(
                    op: "load optimizer state", message: "the state has a buffer for '\(parameterName)', which this optimizer does not train")
            }
            guard parameter.shape == buffer.shape else {
                throw KernelError.shapeMismatch(
                    op: "load optimizer state", expected: "\(key) of shape \(shapeString(parameter.shape))", found: shapeString(buffer.shape))
            }
        }
        for name in state.steps.keys where byName[name] == nil {
            throw KernelError.invalidArgument(
                op: "load optimizer state", message: "the state has a step count for '\(name)', which this optimizer does not train")
        }
        for (i, saved) in state.groups.enumerated() {
            groups[i].learningRate = saved.learningRate
            groups[i].momentum = saved.momentum
            groups[i].weightDecay = saved.weightDecay
        }
    }
}

/// Everything an optimizer remembers between steps, in a form a checkpoint can store:
/// tensors for the per-parameter buffers, plain values for the rest.
public struct OptimizerState: Equatable {
    /// The hyper-parameters of one group at the time of saving.
    public struct GroupHyperParameters: Codable, Equatable {
        /// The group's label.
        public var name: String
        /// Its learning rate.
        public var learningRate: Double
        /// Its momentum (SGD) or β₁ (Adam).
        public var momentum: Double
        /// Its weight decay.
        public var weightDecay: Double
    }

    /// The optimizer's `kind`.
    public var kind: String
    /// Hyper-parameters per group, in group order.
    public var groups: [GroupHyperParameters]
    /// Per-parameter buffers keyed `"<buffer>/<parameter name>"`, e.g. `exp_avg/fc.weight`.
    public var buffers: [String: Tensor]
    /// Per-parameter update counts (Adam's bias correction), keyed by parameter name.
    public var steps: [String: Int]

    /// The key of buffer `buffer` of parameter `parameter`.
    static func key(_ buffer: String, _ parameter: String) -> String { buffer + "/" + parameter }

    /// Splits a buffer key into (buffer, parameter name); buffer names never contain `/`.
    static func split(_ key: String) -> (String, String)? {
        guard let slash = key.firstIndex(of: "/") else { return nil }
        return (String(key[..<slash]), String(key[key.index(after: slash)...]))
    }

    /// Same kind, hyper-parameters, step counts and buffer values.
    public static func == (a: OptimizerState, b: OptimizerState) -> Bool {
        a.kind == b.kind && a.groups == b.groups && a.steps == b.steps
            && a.buffers.count == b.buffers.count
            && a.buffers.allSatisfy { key, t in b.buffers[key].map { $0.shape == t.shape && $0.data == t.data } ?? false }
    }
}
