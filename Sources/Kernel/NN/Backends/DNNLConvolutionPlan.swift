import CDNNL

// One ready-to-run oneDNN convolution primitive together with the reorders between the caller's plain layouts
// (NCHW, OIHW) and the blocked layouts oneDNN chose for these sizes.

/// A convolution primitive for one `DNNLConvolutionShape` and pass, built once and executed many times.
///
/// Building picks oneDNN's fastest implementation with free (`any`) layouts; executing only points memory objects
/// at the caller's buffers and the runtime's blocked buffers, reorders inputs in, runs, and reorders outputs out.
final class DNNLConvolutionPlan {
    /// Which of the three convolution passes the plan computes.
    enum Pass: Hashable {
        /// `dst = conv(src, weights) + bias`; arguments: src, weights, [bias], dst.
        case forward(bias: Bool)
        /// `diff_src = conv_transpose(diff_dst, weights)`; arguments: diff_dst, weights, diff_src.
        case backwardData
        /// `diff_weights` (and `diff_bias`) from src and diff_dst; arguments: src, diff_dst, diff_weights, [diff_bias].
        case backwardWeights(bias: Bool)
        /// `dst = conv(src, weights) + bias`, then `max(dst, 0)` when `relu`, for inference only (no backward pass
        /// follows, so oneDNN may pick inference kernels); arguments: src, weights, bias, dst.
        case inference(relu: Bool)
    }

    /// One argument: the memory bound to the caller's buffer and, when oneDNN wants another layout, a blocked twin.
    private struct Operand {
        let argument: Int32
        /// The runtime buffer the blocked twin lives in (see `DNNLRuntime.role(of:)`).
        let role: Int
        let user: dnnl_memory_t
        /// The layout oneDNN chose for this argument.
        let layout: dnnl_memory_desc_t
        let blocked: dnnl_memory_t?
        let reorder: dnnl_primitive_t?
        let blockedBytes: Int
        let isOutput: Bool
        /// The reorder's arguments, from the user memory into the blocked one (inputs) or back (outputs).
        let reorderArguments: [dnnl_exec_arg_t]
    }

    private let runtime: DNNLRuntime
    private let owned = DNNLObjects()
    private let primitive: dnnl_primitive_t
    private let operands: [Operand]
    private let scratchpad: dnnl_memory_t?
    private let scratchpadBytes: Int
    private let arguments: [dnnl_exec_arg_t]

    init(_ pass: Pass, _ shape: DNNLConvolutionShape, runtime: DNNLRuntime) throws {
        self.runtime = runtime
        let engine = runtime.engine
        let plainSource = try DNNLObjects.descriptor(shape.sourceDims, dnnl_nchw)
        let plainWeight = try DNNLObjects.descriptor(shape.weightDims, dnnl_oihw)
        let plainBias = try DNNLObjects.descriptor(shape.biasDims, dnnl_x)
        let plainDestination = try DNNLObjects.descriptor(shape.destinationDims, dnnl_nchw)
        // Feature maps of exactly 16 channels go in channels-last (NHWC), for which oneDNN 2.6 has brgemm kernels that
        // measured 15–20% faster than its nChw16c ones in training here; with one block of 16 channels the two layouts
        // are the same bytes, so the blocked training path reads and writes them unchanged (`usesChannelBlocks`).
        let featureTag = DNNLConvolutionPlan.prefersChannelsLast(pass, shape) ? dnnl_nhwc : dnnl_format_tag_any
        var anySource = try DNNLObjects.descriptor(shape.sourceDims, featureTag)
        var anyWeight = try DNNLObjects.descriptor(shape.weightDims, dnnl_format_tag_any)
        var anyDestination = try DNNLObjects.descriptor(shape.destinationDims, featureTag)
        // A stable address for the optional bias argument of the descriptor initialisers.
        let bias = UnsafeMutablePointer<dnnl_memory_desc_t>.allocate(capacity: 1)
        bias.initialize(to: plainBias)
        defer { bias.deallocate() }
        let strides = shape.strideDims, dilates = shape.dilationDims, low = shape.paddingLow, high = shape.paddingHigh
        // Direct, not Winograd: results then agree with im2col and PyTorch to float rounding, and `auto` measured no faster
        // on ResNet shapes.
        let algorithm = dnnl_convolution_direct

        var attributes: dnnl_primitive_attr_t?
        try DNNLRuntime.check(dnnl_primitive_attr_create(&attributes), "dnnl_primitive_attr_create")
        defer { dnnl_primitive_attr_destroy(attributes) }
        try DNNLRuntime.check(
            dnnl_primitive_attr_set_scratchpad_mode(attributes, dnnl_scratchpad_mode_user),
            "dnnl_primitive_attr_set_scratchpad_mode")

        if case .inference(relu: true) = pass {
            // The ReLU runs on each output block while it is still in cache, instead of as another pass over memory.
            var postOps: dnnl_post_ops_t?
            try DNNLRuntime.check(dnnl_post_ops_create(&postOps), "dnnl_post_ops_create")
            defer { dnnl_post_ops_destroy(postOps) }
            try DNNLRuntime.check(dnnl_post_ops_append_eltwise(postOps, 1, dnnl_eltwise_relu, 0, 0), "dnnl_post_ops_append_eltwise")
            try DNNLRuntime.check(dnnl_primitive_attr_set_post_ops(attributes, postOps), "dnnl_primitive_attr_set_post_ops")
        }

        /// The forward primitive descriptor: the primitive itself, or the hint every backward descriptor needs.
        func forwardDescriptor(bias hasBias: Bool, kind: dnnl_prop_kind_t = dnnl_forward_training) throws -> dnnl_primitive_desc_t {
            var desc = dnnl_convolution_desc_t()
            try DNNLRuntime.check(
                dnnl_dilated_convolution_forward_desc_init(
                    &desc, kind, algorithm, &anySource, &anyWeight, hasBias ? bias : nil, &anyDestination,
                    strides, dilates, low, high), "convolution forward descriptor for \(shape)")
            var pd: dnnl_primitive_desc_t?
            try DNNLRuntime.check(dnnl_primitive_desc_create(&pd, &desc, attributes, engine, nil), "convolution forward for \(shape)")
            guard let pd else { throw DNNLRuntime.failure("no forward primitive for \(shape)") }
            return pd
        }

        var desc = dnnl_convolution_desc_t()
        let pd: dnnl_primitive_desc_t
        // (argument, query for the layout oneDNN chose, the caller's layout, direction)
        let bindings: [(Int32, dnnl_query_t, dnnl_memory_desc_t, Bool)]
        switch pass {
        case let .forward(hasBias):
            pd = try forwardDescriptor(bias: hasBias)
            bindings =
                [(DNNL_ARG_SRC, dnnl_query_src_md, plainSource, false), (DNNL_ARG_WEIGHTS, dnnl_query_weights_md, plainWeight, false)]
                + (hasBias ? [(DNNL_ARG_BIAS, dnnl_query_weights_md, plainBias, false)] : [])
                + [(DNNL_ARG_DST, dnnl_query_dst_md, plainDestination, true)]
        case .inference:
            pd = try forwardDescriptor(bias: true, kind: dnnl_forward_inference)
            bindings = [
                (DNNL_ARG_SRC, dnnl_query_src_md, plainSource, false), (DNNL_ARG_WEIGHTS, dnnl_query_weights_md, plainWeight, false),
                (DNNL_ARG_BIAS, dnnl_query_weights_md, plainBias, false), (DNNL_ARG_DST, dnnl_query_dst_md, plainDestination, true),
            ]
        case .backwardData:
            let hint = try forwardDescriptor(bias: false)
            defer { dnnl_primitive_desc_destroy(hint) }
            try DNNLRuntime.check(
                dnnl_dilated_convolution_backward_data_desc_init(
                    &desc, algorithm, &anySource, &anyWeight, &anyDestination, strides, dilates, low, high),
                "convolution backward-data descriptor for \(shape)")
            var created: dnnl_primitive_desc_t?
            try DNNLRuntime.check(dnnl_primitive_desc_create(&created, &desc, attributes, engine, hint), "convolution backward data for \(shape)")
            guard let created else { throw DNNLRuntime.failure("no backward-data primitive for \(shape)") }
            pd = created
            bindings = [
                (DNNL_ARG_DIFF_DST, dnnl_query_diff_dst_md, plainDestination, false),
                (DNNL_ARG_WEIGHTS, dnnl_query_weights_md, plainWeight, false),
                (DNNL_ARG_DIFF_SRC, dnnl_query_diff_src_md, plainSource, true),
            ]
        case let .backwardWeights(hasBias):
            let hint = try forwardDescriptor(bias: hasBias)
            defer { dnnl_primitive_desc_destroy(hint) }
            try DNNLRuntime.check(
                dnnl_dilated_convolution_backward_weights_desc_init(
                    &desc, algorithm, &anySource, &anyWeight, hasBias ? bias : nil, &anyDestination, strides, dilates, low, high),
                "convolution backward-weights descriptor for \(shape)")
            var created: dnnl_primitive_desc_t?
            try DNNLRuntime.check(dnnl_primitive_desc_create(&created, &desc, attributes, engine, hint), "convolution backward weights for \(shape)")
            guard let created else { throw DNNLRuntime.failure("no backward-weights primitive for \(shape)") }
            pd = created
            bindings =
                [
                    (DNNL_ARG_SRC, dnnl_query_src_md, plainSource, false),
                    (DNNL_ARG_DIFF_DST, dnnl_query_diff_dst_md, plainDestination, false),
                    (DNNL_ARG_DIFF_WEIGHTS, dnnl_query_diff_weights_md, plainWeight, true),
                ]
                + (hasBias ? [(DNNL_ARG_DIFF_BIAS, dnnl_query_diff_weights_md, plainBias, true)] : [])
        }
        defer { dnnl_primitive_desc_destroy(pd) }

        var operands: [Operand] = []
        var arguments: [dnnl_exec_arg_t] = []
        for (argument, query, plain, isOutput) in bindings {
            // Bias and its gradient are the second weights-like argument (index 1) and always plain.
            let index: Int32 = argument == DNNL_ARG_BIAS || argument == DNNL_ARG_DIFF_BIAS ? 1 : 0
            guard let chosenPointer = dnnl_primitive_desc_query_md(pd, query, index) else {
                throw DNNLRuntime.failure("oneDNN reported no layout for argument \(argument) of \(shape)")
            }
            var chosen = chosenPointer.pointee
            var plainCopy = plain
            let user = try owned.memory(&plainCopy, engine: engine)
            if dnnl_memory_desc_equal(&chosen, &plainCopy) != 0 {
                operands.append(
                    Operand(
                        argument: argument, role: DNNLRuntime.role(of: argument), user: user, layout: chosen, blocked: nil,
                        reorder: nil, blockedBytes: 0, isOutput: isOutput, reorderArguments: []))
                arguments.append(dnnl_exec_arg_t(arg: argument, memory: user))
                continue
            }
            let blocked = try owned.memory(&chosen, engine: engine)
            let reorder =
                isOutput
                ? try owned.reorder(from: &chosen, to: &plainCopy, engine: engine)
                : try owned.reorder(from: &plainCopy, to: &chosen, engine: engine)
            let reorderArguments =
                isOutput
                ? [dnnl_exec_arg_t(arg: DNNL_ARG_FROM, memory: blocked), dnnl_exec_arg_t(arg: DNNL_ARG_TO, memory: user)]
                : [dnnl_exec_arg_t(arg: DNNL_ARG_FROM, memory: user), dnnl_exec_arg_t(arg: DNNL_ARG_TO, memory: blocked)]
            operands.append(
                Operand(
                    argument: argument, role: DNNLRuntime.role(of: argument), user: user, layout: chosen, blocked: blocked,
                    reorder: reorder, blockedBytes: dnnl_memory_desc_get_size(&chosen),
                    isOutput: isOutput, reorderArguments: reorderArguments))
            arguments.append(dnnl_exec_arg_t(arg: argument, memory: blocked))
        }
        if var scratch = dnnl_primitive_desc_query_md(pd, dnnl_query_scratchpad_md, 0)?.pointee,
            dnnl_memory_desc_get_size(&scratch) > 0
        {
            let memory = try owned.memory(&scratch, engine: engine)
            scratchpad = memory
            scratchpadBytes = dnnl_memory_desc_get_size(&scratch)
            arguments.append(dnnl_exec_arg_t(arg: DNNL_ARG_SCRATCHPAD, memory: memory))
        } else {
            scratchpad = nil
            scratchpadBytes = 0
        }
        primitive = try owned.primitive(pd)
        self.operands = operands
        self.arguments = arguments
    }

    /// Whether `pass` on `shape` asks for channels-last feature maps: the training passes of a 16 → 16 channel
    /// convolution (inference keeps oneDNN's choice, which its convolution chains rely on).
    static func prefersChannelsLast(_ pass: Pass, _ shape: DNNLConvolutionShape) -> Bool {
        if case .inference = pass { return false }
        // Only with 16-channel blocks (AVX-512): brgemm needs it, and with 8-channel blocks NHWC is not one block.
        return shape.inChannels == 16 && shape.outChannels == 16 && DNNLConvolution.channelBlockWidth == .sixteen
    }

    /// The blocked layout oneDNN computes `argument` in, or nil when it uses the caller's plain layout.
    func blockedLayout(of argument: Int32) -> dnnl_memory_desc_t? {
        operands.first { $0.argument == argument && $0.blocked != nil }?.layout
    }

    /// The bytes of `argument` in the blocked layout oneDNN computes it in, or nil when it uses the caller's plain layout.
    func blockedBytes(of argument: Int32) -> Int? {
        operands.first { $0.argument == argument && $0.blocked != nil }?.blockedBytes
    }

    /// The layout oneDNN computes `argument` in (blocked or plain), or nil when the pass has no such argument.
    func layout(of argument: Int32) -> dnnl_memory_desc_t? {
        operands.first { $0.argument == argument }?.layout
    }

    /// Runs the pass on the caller's buffers, one per argument in the order `Pass` lists them.
    ///
    /// `reuse` names an input whose blocked copy the previous plan left in the runtime's buffer (same layout, same
    /// values), so its reorder is skipped. Arguments in `native` come in (or go out) already in the layout oneDNN
    /// computes them in (`layout(of:)`), so they are neither reordered nor copied. Inputs in `reorderedInto` are reordered
    /// into the given caller buffer (`blockedBytes(of:)` bytes) instead of the runtime's shared one, so a later pass can
    /// take that copy as `native`. Call inside `runtime.exclusive`: the blocked buffers are shared by every plan.
    func run(
        _ buffers: [UnsafeMutableRawPointer], reuse: Int32? = nil, native: Set<Int32> = [],
        reorderedInto: [Int32: UnsafeMutableRawPointer] = [:]
    ) throws {
        let stream = runtime.stream
        for (operand, buffer) in zip(operands, buffers) {
            try DNNLRuntime.check(dnnl_memory_set_data_handle(operand.user, buffer), "dnnl_memory_set_data_handle")
            guard let blocked = operand.blocked else { continue }
            if native.contains(operand.argument) {
                try DNNLRuntime.check(dnnl_memory_set_data_handle(blocked, buffer), "dnnl_memory_set_data_handle")
                continue
            }
            // Setting the handle also zeroes the padding of channel blocks that are not full.
            let target = try reorderedInto[operand.argument] ?? runtime.buffer(operand.role, bytes: operand.blockedBytes)
            try DNNLRuntime.check(dnnl_memory_set_data_handle(blocked, target), "dnnl_memory_set_data_handle")
            if !operand.isOutput, operand.argument != reuse, let reorder = operand.reorder {
                try execute(reorder, operand.reorderArguments, stream)
            }
        }
        if let scratchpad {
            try DNNLRuntime.check(
                dnnl_memory_set_data_handle(
                    scratchpad, try runtime.buffer(DNNLRuntime.scratchpadBuffer, bytes: scratchpadBytes)), "dnnl_memory_set_data_handle")
        }
        try execute(primitive, arguments, stream)
        for operand in operands where operand.isOutput && !native.contains(operand.argument) {
            if let reorder = operand.reorder { try execute(reorder, operand.reorderArguments, stream) }
        }
        try runtime.wait()
    }

    private func execute(_ primitive: dnnl_primitive_t, _ arguments: [dnnl_exec_arg_t], _ stream: dnnl_stream_t) throws {
        try arguments.withUnsafeBufferPointer { args in
            try DNNLRuntime.check(dnnl_primitive_execute(primitive, stream, Int32(args.count), args.baseAddress), "dnnl_primitive_execute")
        }
    }
}

/// The oneDNN objects a plan owns, destroyed together when the plan goes (or when building it fails half-way).
final class DNNLObjects {
    private var memories: [dnnl_memory_t] = []
    private var primitives: [dnnl_primitive_t] = []

    deinit {
        for primitive in primitives { dnnl_primitive_destroy(primitive) }
        for memory in memories { dnnl_memory_destroy(memory) }
    }

    /// A memory descriptor of f32 values with `dims` in layout `tag`.
    static func descriptor(_ dims: [Int64], _ tag: dnnl_format_tag_t) throws -> dnnl_memory_desc_t {
        var md = dnnl_memory_desc_t()
        try DNNLRuntime.check(dnnl_memory_desc_init_by_tag(&md, Int32(dims.count), dims, dnnl_f32, tag), "dnnl_memory_desc_init_by_tag")
        return md
    }

    /// A memory object for `md` with no buffer yet (`run` attaches one per call).
    func memory(_ md: inout dnnl_memory_desc_t, engine: dnnl_engine_t) throws -> dnnl_memory_t {
        var memory: dnnl_memory_t?
        try DNNLRuntime.check(dnnl_memory_create(&memory, &md, engine, nil), "dnnl_memory_create")
        guard let memory else { throw DNNLRuntime.failure("dnnl_memory_create returned no memory") }
        memories.append(memory)
        return memory
    }

    /// The primitive described by `pd`.
    func primitive(_ pd: dnnl_primitive_desc_t) throws -> dnnl_primitive_t {
        var primitive: dnnl_primitive_t?
        try DNNLRuntime.check(dnnl_primitive_create(&primitive, pd), "dnnl_primitive_create")
        guard let primitive else { throw DNNLRuntime.failure("dnnl_primitive_create returned no primitive") }
        primitives.append(primitive)
        return primitive
    }

    /// A reorder primitive copying layout `source` into layout `destination`.
    func reorder(
        from source: inout dnnl_memory_desc_t, to destination: inout dnnl_memory_desc_t,
        engine: dnnl_engine_t
    ) throws -> dnnl_primitive_t {
        var pd: dnnl_primitive_desc_t?
        try DNNLRuntime.check(dnnl_reorder_primitive_desc_create(&pd, &source, engine, &destination, engine, nil), "reorder descriptor")
        guard let pd else { throw DNNLRuntime.failure("no reorder between the plain and blocked layouts") }
        defer { dnnl_primitive_desc_destroy(pd) }
        return try primitive(pd)
    }
}
