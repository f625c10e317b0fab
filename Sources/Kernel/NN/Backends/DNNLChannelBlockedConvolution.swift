import CDNNL

// Training convolutions that read their input, write their output, or both, in oneDNN's channel-blocked layout
// (nChw16c with AVX-512, nChw8c with AVX2): in training the model keeps its feature maps in that layout from the first
// convolution to the last, so they are not reordered to NCHW and back around every convolution.

extension DNNLConvolution {
    /// The channels per block of the layout oneDNN's convolutions compute in on this CPU: 16 with AVX-512, 8 with AVX2,
    /// nil below (no blocked training path). Asked once, of the instruction set oneDNN actually dispatches to, which
    /// honours `ONEDNN_MAX_CPU_ISA`.
    public static let channelBlockWidth: ChannelBlockWidth? = blockWidth(for: dnnl_get_effective_cpu_isa())

    /// The block width of oneDNN's f32 kernels for `isa`: one vector register of floats.
    static func blockWidth(for isa: dnnl_cpu_isa_t) -> ChannelBlockWidth? {
        switch isa {
        case dnnl_cpu_isa_avx2, dnnl_cpu_isa_avx2_vnni: .eight
        case dnnl_cpu_isa_avx512_mic, dnnl_cpu_isa_avx512_mic_4ops, dnnl_cpu_isa_avx512_core, dnnl_cpu_isa_avx512_core_vnni,
            dnnl_cpu_isa_avx512_core_bf16, dnnl_cpu_isa_avx512_core_amx:
            .sixteen
        default: nil
        }
    }

    /// A side of a convolution that can be kept in the blocked layout.
    public enum BlockedSide: Hashable, Sendable {
        /// The output (forward) and the output gradient (both backward passes).
        case output
        /// The input (forward and backward weights) and the input gradient (backward data).
        case input
    }

    /// Whether oneDNN computes `side` of `shape` in the blocked layout `nChw{w}c` of this CPU's `channelBlockWidth` w in
    /// all three passes: value (n, c, h, w) at `((n·C/w + c/w)·H·W + h·W + w)·w + c%w` — or, with exactly w channels,
    /// in NHWC, which is then the same bytes. False (never throws) when oneDNN is off, the CPU has no block width, there
    /// is no plan, the channels are not a multiple of w, or oneDNN chose another layout.
    public static func usesChannelBlocks(_ shape: DNNLConvolutionShape, side: BlockedSide, bias: Bool) -> Bool {
        let channels = side == .output ? shape.outChannels : shape.inChannels
        let dims = side == .output ? shape.destinationDims : shape.sourceDims
        guard isEnabled, let width = channelBlockWidth, channels % width.rawValue == 0, case let .success(runtime) = DNNLRuntime.shared,
            var blocked = try? DNNLObjects.descriptor(dims, width == .sixteen ? dnnl_nChw16c : dnnl_nChw8c),
            var channelsLast = try? DNNLObjects.descriptor(dims, dnnl_nhwc)
        else { return false }
        return runtime.exclusive {
            guard let forward = try? cachedPlan(.forward(bias: bias), shape, runtime),
                let data = try? cachedPlan(.backwardData, shape, runtime),
                let weights = try? cachedPlan(.backwardWeights(bias: bias), shape, runtime)
            else { return false }
            let checks =
                side == .output
                ? [(forward, DNNL_ARG_DST), (data, DNNL_ARG_DIFF_DST), (weights, DNNL_ARG_DIFF_DST)]
                : [(forward, DNNL_ARG_SRC), (data, DNNL_ARG_DIFF_SRC), (weights, DNNL_ARG_SRC)]
            for (plan, argument) in checks {
                guard var chosen = plan.layout(of: argument),
                    dnnl_memory_desc_equal(&chosen, &blocked) != 0
                        || (channels == width.rawValue && dnnl_memory_desc_equal(&chosen, &channelsLast) != 0)
                else { return false }
            }
            return true
        }
    }

    /// The bytes of `shape`'s input in the blocked layout oneDNN's forward pass reorders it into, when backward-weights
    /// reads the input in that same layout: a copy kept from forward (`forward(…, keepingInputIn:)`) then spares
    /// backward-weights its own reorder (`backward(…, keptInput:)`). Nil (never throws) when oneDNN is off, has no plan,
    /// reads the plain input, or the two passes want different layouts.
    static func keptInputBytes(_ shape: DNNLConvolutionShape, bias: Bool) -> Int? {
        guard isEnabled, case let .success(runtime) = DNNLRuntime.shared else { return nil }
        return runtime.exclusive {
            guard let forward = try? cachedPlan(.forward(bias: bias), shape, runtime),
                let weights = try? cachedPlan(.backwardWeights(bias: bias), shape, runtime),
                var read = forward.blockedLayout(of: DNNL_ARG_SRC), var reread = weights.blockedLayout(of: DNNL_ARG_SRC),
                dnnl_memory_desc_equal(&read, &reread) != 0
            else { return nil }
            return forward.blockedBytes(of: DNNL_ARG_SRC)
        }
    }

    /// `output = conv2d(input, weight) + bias` (fully overwritten), the `blocked` sides in the blocked layout and the
    /// others plain. Only for shapes where `usesChannelBlocks(shape, side:, bias:)` is true for each blocked side. With
    /// a plain input, a `keepingInputIn` buffer of `keptInputBytes(shape, bias:)` bytes receives the input as oneDNN
    /// reorders it, for `backward(…, keptInput:)`.
    public static func forward(
        input: UnsafePointer<Float>, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
        output: UnsafeMutablePointer<Float>, shape: DNNLConvolutionShape, blocked: Set<BlockedSide>,
        keepingInputIn kept: UnsafeMutablePointer<Float>? = nil
    ) throws {
        var buffers = [UnsafeMutableRawPointer(mutating: input), UnsafeMutableRawPointer(mutating: weight)]
        if let bias { buffers.append(UnsafeMutableRawPointer(mutating: bias)) }
        buffers.append(UnsafeMutableRawPointer(output))
        var native = Set<Int32>()
        if blocked.contains(.input) { native.insert(DNNL_ARG_SRC) }
        if blocked.contains(.output) { native.insert(DNNL_ARG_DST) }
        let into = blocked.contains(.input) ? [:] : kept.map { [DNNL_ARG_SRC: UnsafeMutableRawPointer($0)] } ?? [:]
        let runtime = try DNNLRuntime.shared.get()
        try runtime.exclusive {
            try cachedPlan(.forward(bias: bias != nil), shape, runtime).run(buffers, native: native, reorderedInto: into)
        }
    }

    /// `backward` with the `blocked` sides in the blocked layout (the input and input gradient, the output gradient)
    /// and the rest plain; each gradient only where a destination is given (fully overwritten). With a plain input,
    /// `keptInput` is the copy `forward(…, keepingInputIn:)` made, read by backward-weights in place of `input`.
    /// Only for shapes where `usesChannelBlocks(shape, side:, bias:)` is true for each blocked side.
    public static func backward(
        input: UnsafePointer<Float>, weight: UnsafePointer<Float>, gradOutput: UnsafePointer<Float>,
        gradInput: UnsafeMutablePointer<Float>?, gradWeight: UnsafeMutablePointer<Float>?,
        gradBias: UnsafeMutablePointer<Float>?, shape: DNNLConvolutionShape, blocked: Set<BlockedSide>,
        keptInput: UnsafePointer<Float>? = nil
    ) throws {
        let kept = blocked.contains(.input) ? nil : keptInput
        var inData = Set<Int32>(), inWeights = Set<Int32>()
        if blocked.contains(.output) {
            inData.insert(DNNL_ARG_DIFF_DST)
            inWeights.insert(DNNL_ARG_DIFF_DST)
        }
        if blocked.contains(.input) { inData.insert(DNNL_ARG_DIFF_SRC) }
        if blocked.contains(.input) || kept != nil { inWeights.insert(DNNL_ARG_SRC) }
        try backward(
            input: input, weight: weight, gradOutput: gradOutput, gradInput: gradInput, gradWeight: gradWeight,
            gradBias: gradBias, shape: shape, nativeInData: inData, nativeInWeights: inWeights, keptInput: kept)
    }
}
