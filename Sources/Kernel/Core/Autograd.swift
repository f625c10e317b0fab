#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Reverse-mode automatic differentiation on a tape of closures.
///
/// An op that produces `out` from `inputs` calls `Tensor.record(...)` with a closure that, given
/// the gradient of the loss with respect to `out`, adds the gradients with respect to each input.
/// `backward()` visits the graph in reverse topological order and runs those closures.

/// The recorded origin of a non-leaf tensor.
struct GradFn {
    /// The op's name, e.g. `conv2d`, shown when printing a tensor.
    let name: String
    /// The tensors the op read.
    let inputs: [Tensor]
    /// Accumulates input gradients from the output gradient.
    let backward: ([Float]) -> Void
}

/// Whether ops record themselves on the tape, per thread as in PyTorch: `noGrad { }` on one thread (an optimizer step,
/// an evaluation) leaves recording on for every other thread (a second interpreter, say).
public enum GradMode {
    /// The thread-specific slot holding how many `noGrad` blocks the thread is inside, stored as the pointer's bit
    /// pattern (nil for 0), so reading it costs one `pthread_getspecific` and no allocation. Nil only if the process
    /// ran out of thread-specific keys; `sharedDepth` then stands in for every thread.
    private static let depthKey: pthread_key_t? = {
        var key = pthread_key_t()
        return pthread_key_create(&key, nil) == 0 ? key : nil
    }()
    nonisolated(unsafe) private static var sharedDepth = 0

    /// True unless this thread is inside `noGrad { }`.
    public static var isEnabled: Bool { depth == 0 }

    /// This thread's `noGrad` nesting depth.
    static var depth: Int {
        get {
            guard let depthKey else { return sharedDepth }
            return Int(bitPattern: pthread_getspecific(depthKey))
        }
        set {
            guard let depthKey else {
                sharedDepth = newValue
                return
            }
            pthread_setspecific(depthKey, UnsafeRawPointer(bitPattern: newValue))
        }
    }
}

/// Runs `body` without recording operations on this thread (inference, optimizer updates), like `torch.no_grad()`.
@discardableResult
public func noGrad<T>(_ body: () throws -> T) rethrows -> T {
    GradMode.depth += 1
    defer { GradMode.depth -= 1 }
    return try body()
}

/// Told during `backward()` of each leaf whose gradient is complete (no op left to add to it), so data-parallel training
/// can send gradients while backward goes on. Set by the training loop around its own backward pass, on its thread.
enum GradientReadyHook {
    nonisolated(unsafe) static var current: ((Tensor) -> Void)?
}

extension Tensor {
    /// Makes `output` a node of the graph when any input requires a gradient; returns `output`.
    ///
    /// `backward` receives d(loss)/d(output) as a flat array in `output`'s layout.
    @discardableResult
    func record(_ name: String, inputs: [Tensor], backward: @escaping ([Float]) -> Void) -> Tensor {
        if GradMode.isEnabled && inputs.contains(where: { $0.requiresGrad }) {
            requiresGrad = true
            gradFn = GradFn(name: name, inputs: inputs, backward: backward)
        }
        return self
    }

    /// Adds `gradient` (in this tensor's layout) into `grad`; ignored when no gradient is wanted.
    func accumulateGrad(_ gradient: [Float]) {
        guard requiresGrad else { return }
        if let existing = grad {
            existing.data.withUnsafeMutableBufferPointer { dst in
                gradient.withUnsafeBufferPointer { src in
                    guard let d = dst.baseAddress, let s = src.baseAddress else { return }
                    Parallel.forEachRange(dst.count) { r in
                        VectorKernels.sum(UnsafePointer(d + r.lowerBound), s + r.lowerBound, d + r.lowerBound, r.count)
                    }
                }
            }
        } else {
            grad = Tensor(unchecked: shape, data: gradient, layout: layout)
        }
    }

    /// Whether this tensor was created by the user rather than by an op.
    public var isLeaf: Bool { gradFn == nil }

    /// Name of the op that produced this tensor, if it is on the tape.
    public var gradFnName: String? { gradFn?.name }

    /// Computes gradients of this tensor with respect to every leaf that requires one.
    ///
    /// A scalar needs no `gradient`; otherwise pass d(loss)/d(self). Gradients accumulate into `grad`
    /// (call `zeroGrad()` between steps, as in PyTorch). The graph is freed afterwards.
    public func backward(_ gradient: Tensor? = nil) throws {
        guard requiresGrad else {
            throw KernelError.autograd("backward() on a tensor that does not require grad and has no grad_fn")
        }
        let seed: [Float]
        if let gradient {
            guard gradient.shape == shape else {
                throw KernelError.shapeMismatch(
                    op: "backward", expected: "gradient of shape \(shapeString(shape))", found: shapeString(gradient.shape))
            }
            try Tensor.requireSameLayout(self, gradient, op: "backward")
            seed = gradient.data
        } else {
            guard count == 1 else {
                throw KernelError.autograd("backward() without a gradient needs a one-element tensor; this one has shape \(shapeString(shape))")
            }
            seed = [1]
        }
        let order = topologicalOrder()
        let hook = GradientReadyHook.current
        // For the hook: how many ops of the graph still have to add to each leaf's gradient.
        var pending: [ObjectIdentifier: Int] = [:]
        if hook != nil {
            for node in order {
                for input in node.gradFn?.inputs ?? [] where input.isLeaf && input.requiresGrad { pending[ObjectIdentifier(input), default: 0] += 1 }
            }
        }
        accumulateGrad(seed)
        for node in order.reversed() {
            guard let fn = node.gradFn else { continue }
            if let g = node.grad {
                fn.backward(g.data)
            }
            // Non-leaf gradients are not kept (as in PyTorch), and the graph is released.
            node.grad = nil
            node.gradFn = nil
            guard let hook else { continue }
            for input in fn.inputs where input.isLeaf && input.requiresGrad {
                guard let count = pending[ObjectIdentifier(input)] else { continue }
                pending[ObjectIdentifier(input)] = count - 1
                if count == 1 { hook(input) }
            }
        }
    }

    /// Graph nodes reachable from `self`, each after all of its inputs.
    private func topologicalOrder() -> [Tensor] {
        var order: [Tensor] = []
        var visited = Set<ObjectIdentifier>()
        // Iterative DFS: deep networks must not overflow the stack.
        var stack: [(Tensor, Bool)] = [(self, false)]
        while let (node, expanded) = stack.popLast() {
            if expanded {
                order.append(node)
                continue
            }
            guard visited.insert(ObjectIdentifier(node)).inserted else { continue }
            stack.append((node, true))
            for input in node.gradFn?.inputs ?? [] where input.requiresGrad && !visited.contains(ObjectIdentifier(input)) {
                stack.append((input, false))
            }
        }
        return order
    }

    /// Clears the accumulated gradient.
    public func zeroGrad() {
        grad = nil
    }
}
