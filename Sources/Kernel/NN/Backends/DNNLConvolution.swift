import CDNNL

// 2-D convolution through oneDNN's C API: the fast path for `conv2d` on CPUs oneDNN has kernels for.

/// Convolution forward, backward-data and backward-weights (+ bias) on plain row-major buffers:
/// input and output NCHW, weight OIHW, bias `[O]`, exactly the layouts `Tensor` stores.
///
/// oneDNN picks blocked layouts for the computation; the caller's buffers are reordered in and out on every call.
/// Primitives and reorders are built on first use of each shape and cached, so steady-state training builds nothing.
/// Calls are serialised process-wide; each runs on `Parallel.threads` OpenMP threads.
///
/// Every function throws a `KernelError` (and leaves the outputs unspecified) when the buffers do not match `shape`
/// or oneDNN has no implementation; callers then fall back to their own implementation.
public enum DNNLConvolution {
    /// Whether `conv2d` should use this backend: oneDNN started, and the environment variable `RNX_CONV` is not `im2col`.
    public static let isEnabled: Bool = {
        if let choice = ProcessInfoLite.environment("RNX_CONV"), choice == "im2col" { return false }
        if case .success = DNNLRuntime.shared { return true }
        return false
    }()

    // MARK: Pointer interface

    /// `output = conv2d(input, weight) + bias`, output `[N, O, Ho, Wo]` (fully overwritten).
    public static func forward(
        input: UnsafePointer<Float>, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
        output: UnsafeMutablePointer<Float>, shape: DNNLConvolutionShape
    ) throws {
        var buffers = [UnsafeMutableRawPointer(mutating: input), UnsafeMutableRawPointer(mutating: weight)]
        if let bias { buffers.append(UnsafeMutableRawPointer(mutating: bias)) }
        buffers.append(UnsafeMutableRawPointer(output))
        try run(.forward(bias: bias != nil), shape, buffers)
    }

    /// `output = conv2d(input, weight) + bias`, then `max(output, 0)` when `relu`, for inference (no gradients follow);
    /// output `[N, O, Ho, Wo]` (fully overwritten).
    public static func inference(
        input: UnsafePointer<Float>, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>, relu: Bool,
        output: UnsafeMutablePointer<Float>, shape: DNNLConvolutionShape
    ) throws {
        try inference(input: input, layer: InferenceLayer(weight: weight, bias: bias, relu: relu, shape: shape), output: output)
    }

    /// `inference` of one layer, its weight read from (or first reordered into) `layer.reordered` when given.
    static func inference(input: UnsafePointer<Float>, layer: InferenceLayer, output: UnsafeMutablePointer<Float>) throws {
        let runtime = try DNNLRuntime.shared.get()
        try runtime.exclusive {
            let plan = try cachedPlan(.inference(relu: layer.relu), layer.shape, runtime)
            try layer.run(plan, input: UnsafeMutableRawPointer(mutating: input), output: UnsafeMutableRawPointer(output), native: [])
        }
    }

    /// One layer of `inferenceChain`: a convolution with its bias (a folded batch norm) and optional ReLU.
    public struct InferenceLayer {
        /// `[O, C, kH, kW]` values.
        public let weight: UnsafePointer<Float>
        /// `[O]` values.
        public let bias: UnsafePointer<Float>
        /// Whether a ReLU follows.
        public let relu: Bool
        /// The sizes.
        public let shape: DNNLConvolutionShape

        /// Copies of `weight` in oneDNN's layouts, kept by the caller as long as the values do not change; nil to
        /// reorder the weight on every call.
        var reordered: DNNLReorderedWeights?

        /// A layer of an inference chain.
        public init(weight: UnsafePointer<Float>, bias: UnsafePointer<Float>, relu: Bool, shape: DNNLConvolutionShape) {
            self.weight = weight
            self.bias = bias
            self.relu = relu
            self.shape = shape
        }

        /// Runs `plan` (this layer's inference plan) from `input` into `output`, the arguments in `native` already in
        /// the layouts the plan computes them in. Call inside `runtime.exclusive`.
        func run(_ plan: DNNLConvolutionPlan, input: UnsafeMutableRawPointer, output: UnsafeMutableRawPointer, native: Set<Int32>) throws {
            let plainWeight = UnsafeMutableRawPointer(mutating: weight), bias = UnsafeMutableRawPointer(mutating: bias)
            guard let reordered else {
                return try plan.run([input, plainWeight, bias, output], native: native)
            }
            try reordered.withArgument(for: plan, plain: plainWeight) { weight, nativeWeight, into in
                try plan.run([input, weight, bias, output], native: native.union(nativeWeight), reorderedInto: into)
            }
        }
    }

    /// `second(first(input))` for two inference convolutions where the first's output feeds only the second: the
    /// feature map between them stays in oneDNN's layout, saving its reorder out and back in. Output `[N, O, Ho, Wo]`
    /// of the second (fully overwritten). Throws when the shapes do not chain or oneDNN picked different layouts for
    /// the two sides (the caller then runs the two convolutions separately).
    public static func inferenceChain(
        input: UnsafePointer<Float>, first: InferenceLayer, second: InferenceLayer,
        output: UnsafeMutablePointer<Float>
    ) throws {
        guard first.shape.outputCount == second.shape.inputCount, first.shape.destinationDims == second.shape.sourceDims else {
            throw DNNLRuntime.failure("the first convolution's output \(first.shape) is not the second's input \(second.shape)")
        }
        let runtime = try DNNLRuntime.shared.get()
        try runtime.exclusive {
            let head = try cachedPlan(.inference(relu: first.relu), first.shape, runtime)
            let tail = try cachedPlan(.inference(relu: second.relu), second.shape, runtime)
            guard var produced = head.layout(of: DNNL_ARG_DST), var consumed = tail.layout(of: DNNL_ARG_SRC),
                dnnl_memory_desc_equal(&produced, &consumed) != 0
            else {
                throw DNNLRuntime.failure("oneDNN chose different layouts for the two sides of \(first.shape) → \(second.shape)")
            }
            let between = try runtime.buffer(DNNLRuntime.chainBuffer, bytes: dnnl_memory_desc_get_size(&produced))
            try first.run(head, input: UnsafeMutableRawPointer(mutating: input), output: between, native: [DNNL_ARG_DST])
            try second.run(tail, input: between, output: UnsafeMutableRawPointer(output), native: [DNNL_ARG_SRC])
        }
    }

    /// `gradInput` `[N, C, H, W]` = d(loss)/d(input) from `gradOutput` `[N, O, Ho, Wo]` (fully overwritten, not accumulated).
    public static func backwardData(
        gradOutput: UnsafePointer<Float>, weight: UnsafePointer<Float>,
        gradInput: UnsafeMutablePointer<Float>, shape: DNNLConvolutionShape
    ) throws {
        try run(
            .backwardData, shape,
            [
                UnsafeMutableRawPointer(mutating: gradOutput), UnsafeMutableRawPointer(mutating: weight),
                UnsafeMutableRawPointer(gradInput),
            ])
    }

    /// `gradWeight` `[O, C, kH, kW]` and, when given, `gradBias` `[O]` from the forward input and `gradOutput`
    /// (fully overwritten, not accumulated).
    public static func backwardWeights(
        input: UnsafePointer<Float>, gradOutput: UnsafePointer<Float>,
        gradWeight: UnsafeMutablePointer<Float>, gradBias: UnsafeMutablePointer<Float>?,
        shape: DNNLConvolutionShape
    ) throws {
        var buffers = [
            UnsafeMutableRawPointer(mutating: input), UnsafeMutableRawPointer(mutating: gradOutput),
            UnsafeMutableRawPointer(gradWeight),
        ]
        if let gradBias { buffers.append(UnsafeMutableRawPointer(gradBias)) }
        try run(.backwardWeights(bias: gradBias != nil), shape, buffers)
    }

    /// The input gradient and the weight (and bias) gradients of one convolution in one call, each only where a
    /// destination is given (all fully overwritten). Cheaper than `backwardData` plus `backwardWeights`: the output
    /// gradient is reordered into oneDNN's layout once for both.
    public static func backward(
        input: UnsafePointer<Float>, weight: UnsafePointer<Float>, gradOutput: UnsafePointer<Float>,
        gradInput: UnsafeMutablePointer<Float>?, gradWeight: UnsafeMutablePointer<Float>?,
        gradBias: UnsafeMutablePointer<Float>?, shape: DNNLConvolutionShape
    ) throws {
        try backward(
            input: input, weight: weight, gradOutput: gradOutput, gradInput: gradInput, gradWeight: gradWeight,
            gradBias: gradBias, shape: shape, nativeInData: [], nativeInWeights: [])
    }

    /// `backward` where the operands named in `nativeInData` (backward-data pass) and `nativeInWeights` (backward-weights
    /// pass) are already in the layout oneDNN computes them in, and `keptInput`, when given, is the input in the layout
    /// backward-weights reads (`DNNL_ARG_SRC` must then be in `nativeInWeights`).
    static func backward(
        input: UnsafePointer<Float>, weight: UnsafePointer<Float>, gradOutput: UnsafePointer<Float>,
        gradInput: UnsafeMutablePointer<Float>?, gradWeight: UnsafeMutablePointer<Float>?,
        gradBias: UnsafeMutablePointer<Float>?, shape: DNNLConvolutionShape,
        nativeInData: Set<Int32>, nativeInWeights: Set<Int32>, keptInput: UnsafePointer<Float>? = nil
    ) throws {
        let runtime = try DNNLRuntime.shared.get()
        let x = UnsafeMutableRawPointer(mutating: keptInput ?? input), w = UnsafeMutableRawPointer(mutating: weight)
        let g = UnsafeMutableRawPointer(mutating: gradOutput)
        // A bias gradient without a weight gradient still needs somewhere for oneDNN to put the weight gradient.
        var discardedWeight = [Float](repeating: 0, count: gradWeight == nil && gradBias != nil ? shape.weightCount : 0)
        try discardedWeight.withUnsafeMutableBufferPointer { discarded in
            try runtime.exclusive {
                var dataPlan: DNNLConvolutionPlan?
                if let gradInput {
                    let plan = try cachedPlan(.backwardData, shape, runtime)
                    try plan.run([g, w, UnsafeMutableRawPointer(gradInput)], native: nativeInData)
                    dataPlan = plan
                }
                guard gradWeight != nil || gradBias != nil, let dw = gradWeight ?? discarded.baseAddress else { return }
                let plan = try cachedPlan(.backwardWeights(bias: gradBias != nil), shape, runtime)
                // The blocked output gradient the backward-data pass left in the runtime's buffer is reused when it has
                // the same layout (and was reordered at all).
                var reuse: Int32?
                if !nativeInWeights.contains(DNNL_ARG_DIFF_DST), let dataPlan,
                    var previous = dataPlan.blockedLayout(of: DNNL_ARG_DIFF_DST),
                    var next = plan.blockedLayout(of: DNNL_ARG_DIFF_DST), dnnl_memory_desc_equal(&previous, &next) != 0
                {
                    reuse = DNNL_ARG_DIFF_DST
                }
                var buffers = [x, g, UnsafeMutableRawPointer(dw)]
                if let gradBias { buffers.append(UnsafeMutableRawPointer(gradBias)) }
                try plan.run(buffers, reuse: reuse, native: nativeInWeights)
            }
        }
    }

    // MARK: Array interface

    /// The convolution of `input` `[N, C, H, W]` with `weight` `[O, C, kH, kW]` plus `bias` `[O]`, as `[N, O, Ho, Wo]` values.
    public static func forward(input: [Float], weight: [Float], bias: [Float]?, shape: DNNLConvolutionShape) throws -> [Float] {
        try requireCount(input, shape.inputCount, "input")
        try requireCount(weight, shape.weightCount, "weight")
        if let bias { try requireCount(bias, shape.outChannels, "bias") }
        return try [Float](unsafeUninitializedCapacity: shape.outputCount) { out, initialized in
            try input.withUnsafeBufferPointer { x in
                try weight.withUnsafeBufferPointer { w in
                    try Tensor.withOptionalBuffer(bias) { b in
                        guard let xp = x.baseAddress, let wp = w.baseAddress, let op = out.baseAddress else { return }
                        try forward(input: xp, weight: wp, bias: b, output: op, shape: shape)
                    }
                }
            }
            initialized = shape.outputCount
        }
    }

    /// The gradient with respect to the input, `[N, C, H, W]` values, from `gradOutput` `[N, O, Ho, Wo]`.
    public static func backwardData(gradOutput: [Float], weight: [Float], shape: DNNLConvolutionShape) throws -> [Float] {
        try requireCount(gradOutput, shape.outputCount, "output gradient")
        try requireCount(weight, shape.weightCount, "weight")
        return try [Float](unsafeUninitializedCapacity: shape.inputCount) { dx, initialized in
            try gradOutput.withUnsafeBufferPointer { g in
                try weight.withUnsafeBufferPointer { w in
                    guard let gp = g.baseAddress, let wp = w.baseAddress, let dxp = dx.baseAddress else { return }
                    try backwardData(gradOutput: gp, weight: wp, gradInput: dxp, shape: shape)
                }
            }
            initialized = shape.inputCount
        }
    }

    /// The gradients with respect to the weight (`[O, C, kH, kW]` values) and, when `bias` is true, the bias (`[O]`).
    public static func backwardWeights(
        input: [Float], gradOutput: [Float], shape: DNNLConvolutionShape,
        bias: Bool
    ) throws -> (weight: [Float], bias: [Float]?) {
        try requireCount(input, shape.inputCount, "input")
        try requireCount(gradOutput, shape.outputCount, "output gradient")
        var gradBias = bias ? [Float](repeating: 0, count: shape.outChannels) : nil
        let gradWeight = try [Float](unsafeUninitializedCapacity: shape.weightCount) { dw, initialized in
            try input.withUnsafeBufferPointer { x in
                try gradOutput.withUnsafeBufferPointer { g in
                    try Tensor.withOptionalMutable(&gradBias) { db in
                        guard let xp = x.baseAddress, let gp = g.baseAddress, let dwp = dw.baseAddress else { return }
                        try backwardWeights(input: xp, gradOutput: gp, gradWeight: dwp, gradBias: db, shape: shape)
                    }
                }
            }
            initialized = shape.weightCount
        }
        return (gradWeight, gradBias)
    }

    /// The gradients with respect to the input (`[N, C, H, W]` values), the weight (`[O, C, kH, kW]`) and the bias (`[O]`),
    /// each computed only when wanted; the output gradient is reordered once for all of them.
    public static func backward(
        input: [Float], weight: [Float], gradOutput: [Float], shape: DNNLConvolutionShape,
        wantInput: Bool, wantWeight: Bool, wantBias: Bool
    ) throws -> (input: [Float]?, weight: [Float]?, bias: [Float]?) {
        try requireCount(input, shape.inputCount, "input")
        try requireCount(weight, shape.weightCount, "weight")
        try requireCount(gradOutput, shape.outputCount, "output gradient")
        // oneDNN overwrites every element, so the arrays need no zeroing first.
        var dx = wantInput ? Tensor.uninitialized(count: shape.inputCount) : nil
        var dw = wantWeight ? Tensor.uninitialized(count: shape.weightCount) : nil
        var db = wantBias ? Tensor.uninitialized(count: shape.outChannels) : nil
        try input.withUnsafeBufferPointer { x in
            try weight.withUnsafeBufferPointer { w in
                try gradOutput.withUnsafeBufferPointer { g in
                    try Tensor.withOptionalMutable(&dx) { dxp in
                        try Tensor.withOptionalMutable(&dw) { dwp in
                            try Tensor.withOptionalMutable(&db) { dbp in
                                guard let xp = x.baseAddress, let wp = w.baseAddress, let gp = g.baseAddress else { return }
                                try backward(input: xp, weight: wp, gradOutput: gp, gradInput: dxp, gradWeight: dwp, gradBias: dbp, shape: shape)
                            }
                        }
                    }
                }
            }
        }
        return (dx, dw, db)
    }

    // MARK: Plan cache

    /// How many built plans the cache holds (tests check that repeated calls build nothing new).
    static var cachedPlanCount: Int {
        guard case let .success(runtime) = DNNLRuntime.shared else { return 0 }
        return runtime.exclusive { plans.count }
    }

    private struct PlanKey: Hashable {
        let pass: DNNLConvolutionPlan.Pass
        let shape: DNNLConvolutionShape
    }

    /// Built plans; read and written only inside `runtime.exclusive`.
    nonisolated(unsafe) private static var plans: [PlanKey: DNNLConvolutionPlan] = [:]
    /// Shapes oneDNN could not build, with the error, so a fallback caller does not pay for the attempt every step.
    nonisolated(unsafe) private static var unimplemented: [PlanKey: KernelError] = [:]
    /// More distinct shapes than any network uses; past it, the cache starts over rather than grow without bound.
    private static let planLimit = 256

    private static func run(_ pass: DNNLConvolutionPlan.Pass, _ shape: DNNLConvolutionShape, _ buffers: [UnsafeMutableRawPointer]) throws {
        let runtime = try DNNLRuntime.shared.get()
        try runtime.exclusive {
            try cachedPlan(pass, shape, runtime).run(buffers)
        }
    }

    /// The plan for `pass` on `shape`, built on first use. Call inside `runtime.exclusive`.
    static func cachedPlan(
        _ pass: DNNLConvolutionPlan.Pass, _ shape: DNNLConvolutionShape,
        _ runtime: DNNLRuntime
    ) throws -> DNNLConvolutionPlan {
        let key = PlanKey(pass: pass, shape: shape)
        if let error = unimplemented[key] { throw error }
        if let cached = plans[key] { return cached }
        let plan: DNNLConvolutionPlan
        do {
            plan = try DNNLConvolutionPlan(pass, shape, runtime: runtime)
        } catch let error as KernelError {
            unimplemented[key] = error
            throw error
        }
        if plans.count >= planLimit { plans.removeAll() }
        plans[key] = plan
        return plan
    }

    private static func requireCount(_ values: [Float], _ expected: Int, _ name: String) throws {
        guard values.count == expected else {
            throw KernelError.shapeMismatch(op: "conv2d (oneDNN)", expected: "\(expected) \(name) values", found: "\(values.count)")
        }
    }
}
