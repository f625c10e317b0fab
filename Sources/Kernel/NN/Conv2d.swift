// 2-D convolution (PyTorch's F.conv2d with groups=1) through im2col and sgemm.
//
// This file is the single entry point for convolution, so a faster backend (e.g. oneDNN) can replace
// the body of `conv2d` without touching callers.

extension Tensor {
    /// Cross-correlation of an NCHW input `[N, C, H, W]` with `weight` `[O, C, kH, kW]`, plus `bias` `[O]`.
    ///
    /// Output `[N, O, Ho, Wo]` with `Ho = (H + 2·padH − dilationH·(kH − 1) − 1) / strideH + 1` (floor), as in PyTorch.
    /// Zero padding; groups = 1. Gradients flow to the input, the weight and the bias.
    public func conv2d(
        weight: Tensor, bias: Tensor?, stride: (Int, Int) = (1, 1), padding: (Int, Int) = (0, 0),
        dilation: (Int, Int) = (1, 1)
    ) throws -> Tensor {
        try requirePlainLayout(op: "conv2d")
        let g = try convolutionGeometry(weightShape: weight.shape, biasShape: bias?.shape, stride: stride, padding: padding, dilation: dilation)
        let outH = g.outH, outW = g.outW
        guard g.batch > 0 else {
            return NNChecks.emptyResult(shape: [0, g.outChannels, outH, outW], inputs: [self, weight, bias].compactMap { $0 }, op: "conv2d")
        }

        // oneDNN's blocked-layout kernels are 1.5-4x faster at ResNet shapes; im2col + sgemm is the fallback
        // when oneDNN is switched off (RNX_CONV=im2col) or refuses a shape.
        let fast =
            DNNLConvolution.isEnabled
            ? try? DNNLConvolutionShape(
                batch: g.batch, inChannels: g.channels, height: g.height, width: g.width, outChannels: g.outChannels,
                kernelHeight: g.kernelH, kernelWidth: g.kernelW, stride: stride, padding: padding, dilation: dilation)
            : nil
        let values: [Float]
        if let fast, let y = try? DNNLConvolution.forward(input: data, weight: weight.data, bias: bias?.data, shape: fast) {
            values = y
        } else {
            try Conv2dCPU.checkScratch(g)
            values = Conv2dCPU.forward(data, weight.data, bias?.data, g)
        }
        let out = Tensor(unchecked: [g.batch, g.outChannels, outH, outW], data: values)
        let input = self
        var inputs = [input, weight]
        if let bias { inputs.append(bias) }
        return out.record("conv2d", inputs: inputs) { gradOut in
            if let fast,
                let grads = try? DNNLConvolution.backward(
                    input: input.data, weight: weight.data, gradOutput: gradOut, shape: fast,
                    wantInput: input.requiresGrad, wantWeight: weight.requiresGrad,
                    wantBias: bias?.requiresGrad ?? false)
            {
                if let dx = grads.input { input.accumulateGrad(dx) }
                if let dw = grads.weight { weight.accumulateGrad(dw) }
                if let bias, let db = grads.bias { bias.accumulateGrad(db) }
                return
            }
            let grads = Conv2dCPU.backward(
                gradOut, input: input.data, weight: weight.data, g,
                wantInput: input.requiresGrad, wantWeight: weight.requiresGrad)
            if let dx = grads.input { input.accumulateGrad(dx) }
            if let dw = grads.weight { weight.accumulateGrad(dw) }
            if let bias, bias.requiresGrad { bias.accumulateGrad(Conv2dCPU.biasGradient(gradOut, g)) }
        }
    }

    /// Checks the operands of a convolution of this tensor and returns its geometry (the output size included).
    func convolutionGeometry(
        weightShape: [Int], biasShape: [Int]?, stride: (Int, Int), padding: (Int, Int),
        dilation: (Int, Int)
    ) throws -> ConvGeometry {
        let op = "conv2d"
        try NNChecks.requireRank(self, [4], op: op, layout: "[N, C, H, W]")
        guard weightShape.count == 4 else {
            throw KernelError.shapeMismatch(op: op, expected: "weight of shape [O, C, kH, kW]", found: "weight \(shapeString(weightShape))")
        }
        try NNChecks.requirePair(stride, atLeast: 1, op: op, name: "stride")
        try NNChecks.requirePair(padding, atLeast: 0, op: op, name: "padding")
        try NNChecks.requirePair(dilation, atLeast: 1, op: op, name: "dilation")
        guard weightShape[1] == shape[1] else {
            throw KernelError.shapeMismatch(
                op: op, expected: "input with \(weightShape[1]) channels to match weight \(shapeString(weightShape))",
                found: "input \(shapeString(shape)) with \(shape[1]) channels")
        }
        guard weightShape[2] > 0, weightShape[3] > 0, weightShape[0] > 0 else {
            throw KernelError.invalidArgument(op: op, message: "weight \(shapeString(weightShape)) has an empty dimension")
        }
        if let biasShape, biasShape != [weightShape[0]] {
            throw KernelError.shapeMismatch(
                op: op, expected: "bias [\(weightShape[0])] for weight \(shapeString(weightShape))", found: "bias \(shapeString(biasShape))")
        }
        let outH = try NNChecks.windowCount(
            length: shape[2], window: weightShape[2], stride: stride.0, padding: padding.0,
            dilation: dilation.0, op: op, input: shape, axis: "height")
        let outW = try NNChecks.windowCount(
            length: shape[3], window: weightShape[3], stride: stride.1, padding: padding.1,
            dilation: dilation.1, op: op, input: shape, axis: "width")
        let g = ConvGeometry(
            batch: shape[0], channels: shape[1], height: shape[2], width: shape[3],
            outChannels: weightShape[0], kernelH: weightShape[2], kernelW: weightShape[3],
            strideH: stride.0, strideW: stride.1, padH: padding.0, padW: padding.1,
            dilationH: dilation.0, dilationW: dilation.1, outH: outH, outW: outW)
        try Shape.validate([g.batch, g.outChannels, outH, outW], op: op)
        // The loops index with these products: one sample of the input, and the im2col matrix of one sample (an empty
        // batch or image allows sizes whose products overflow although the tensors have no elements).
        _ = try NNChecks.product([g.channels, g.height, g.width])
        _ = try NNChecks.product([g.patchSize, g.outPlane])

        return g
    }

    /// `relu?(conv2d(self, weight) + bias)` off the tape, for inference through a convolution whose batch norm is folded
    /// into `weight` (shaped `weightShape`) and `bias`: one oneDNN call with the ReLU fused, or im2col and a ReLU pass.
    func conv2dInference(
        weight: [Float], weightShape: [Int], bias: [Float], stride: (Int, Int), padding: (Int, Int),
        dilation: (Int, Int), relu: Bool, reordered: DNNLReorderedWeights? = nil
    ) throws -> Tensor {
        let g = try convolutionGeometry(weightShape: weightShape, biasShape: [bias.count], stride: stride, padding: padding, dilation: dilation)
        let outShape = [g.batch, g.outChannels, g.outH, g.outW]
        guard g.batch > 0 else { return Tensor(unchecked: outShape, data: []) }
        if DNNLConvolution.isEnabled,
            let fast = try? DNNLConvolutionShape(
                batch: g.batch, inChannels: g.channels, height: g.height, width: g.width, outChannels: g.outChannels,
                kernelHeight: g.kernelH, kernelWidth: g.kernelW, stride: stride, padding: padding, dilation: dilation)
        {
            var failed = false
            let values = data.withUnsafeBufferPointer { x in
                weight.withUnsafeBufferPointer { w in
                    bias.withUnsafeBufferPointer { b in
                        Tensor.storage(count: fast.outputCount) { out in
                            guard let xp = x.baseAddress, let wp = w.baseAddress, let bp = b.baseAddress else {
                                failed = true
                                return
                            }
                            do {
                                var layer = DNNLConvolution.InferenceLayer(weight: wp, bias: bp, relu: relu, shape: fast)
                                layer.reordered = reordered
                                try DNNLConvolution.inference(input: xp, layer: layer, output: out)
                            } catch {
                                failed = true
                            }
                        }
                    }
                }
            }
            if !failed { return Tensor(unchecked: outShape, data: values) }
        }
        try Conv2dCPU.checkScratch(g)
        let out = Tensor(unchecked: outShape, data: Conv2dCPU.forward(data, weight, bias, g))
        return relu ? noGrad { out.relu() } : out
    }
}

/// One convolution of an inference chain: folded weight and bias, geometry arguments and the ReLU flag.
struct FoldedConvolution {
    let weight: [Float]
    let weightShape: [Int]
    let bias: [Float]
    let stride: (Int, Int)
    let padding: (Int, Int)
    let dilation: (Int, Int)
    let relu: Bool
    /// `weight` in oneDNN's layouts, kept with the fold; nil to reorder it on every call.
    var reordered: DNNLReorderedWeights? = nil
}

extension Tensor {
    /// `second(first(self))` for two folded inference convolutions, with the feature map between them kept in
    /// oneDNN's layout when oneDNN takes both; otherwise the two run one after the other through `conv2dInference`.
    func conv2dInferenceChain(_ first: FoldedConvolution, _ second: FoldedConvolution) throws -> Tensor {
        let g1 = try convolutionGeometry(
            weightShape: first.weightShape, biasShape: [first.bias.count], stride: first.stride,
            padding: first.padding, dilation: first.dilation)
        if DNNLConvolution.isEnabled,
            let s1 = try? DNNLConvolutionShape(
                batch: g1.batch, inChannels: g1.channels, height: g1.height, width: g1.width,
                outChannels: g1.outChannels, kernelHeight: g1.kernelH, kernelWidth: g1.kernelW,
                stride: first.stride, padding: first.padding, dilation: first.dilation),
            second.weightShape.count == 4, second.weightShape[1] == g1.outChannels,
            let s2 = try? DNNLConvolutionShape(
                batch: g1.batch, inChannels: g1.outChannels, height: g1.outH, width: g1.outW,
                outChannels: second.weightShape[0], kernelHeight: second.weightShape[2],
                kernelWidth: second.weightShape[3], stride: second.stride, padding: second.padding,
                dilation: second.dilation),
            second.bias.count == second.weightShape[0]
        {
            var failed = false
            let values = data.withUnsafeBufferPointer { x in
                first.weight.withUnsafeBufferPointer { w1 in
                    first.bias.withUnsafeBufferPointer { b1 in
                        second.weight.withUnsafeBufferPointer { w2 in
                            second.bias.withUnsafeBufferPointer { b2 in
                                Tensor.storage(count: s2.outputCount) { out in
                                    guard let xp = x.baseAddress, let w1p = w1.baseAddress, let b1p = b1.baseAddress,
                                        let w2p = w2.baseAddress, let b2p = b2.baseAddress
                                    else {
                                        failed = true
                                        return
                                    }
                                    do {
                                        var head = DNNLConvolution.InferenceLayer(weight: w1p, bias: b1p, relu: first.relu, shape: s1)
                                        head.reordered = first.reordered
                                        var tail = DNNLConvolution.InferenceLayer(weight: w2p, bias: b2p, relu: second.relu, shape: s2)
                                        tail.reordered = second.reordered
                                        try DNNLConvolution.inferenceChain(input: xp, first: head, second: tail, output: out)
                                    } catch {
                                        failed = true
                                    }
                                }
                            }
                        }
                    }
                }
            }
            if !failed { return Tensor(unchecked: [s2.batch, s2.outChannels, s2.outHeight, s2.outWidth], data: values) }
        }
        let middle = try conv2dInference(
            weight: first.weight, weightShape: first.weightShape, bias: first.bias, stride: first.stride,
            padding: first.padding, dilation: first.dilation, relu: first.relu, reordered: first.reordered)
        return try middle.conv2dInference(
            weight: second.weight, weightShape: second.weightShape, bias: second.bias, stride: second.stride,
            padding: second.padding, dilation: second.dilation, relu: second.relu, reordered: second.reordered)
    }
}

/// The CPU implementation: per-sample im2col and sgemm, the batch split across `Parallel.threads` workers.
enum Conv2dCPU {
    /// Runs `body(samples, scratch)` on each worker with its own contiguous share of the batch and a
    /// column-matrix scratch buffer, keeping each worker's sgemm single-threaded meanwhile.
    static func forEachWorker(_ g: ConvGeometry, _ body: (_ worker: Int, _ samples: Range<Int>, _ col: UnsafeMutablePointer<Float>) -> Void) -> Int {
        let workers = Swift.max(1, Swift.min(Parallel.threads, g.batch))
        Parallel.forEach(workers) { worker in
            BLASThreads.serialized(workers: workers) {
                let col = UnsafeMutablePointer<Float>.allocate(capacity: g.isPointwise ? 1 : g.patchSize * g.outPlane)
                defer { col.deallocate() }
                body(worker, (g.batch * worker / workers)..<(g.batch * (worker + 1) / workers), col)
            }
        }
        return workers
    }

    /// The `[patchSize, outPlane]` column matrix of sample `s`: the input itself for pointwise convolutions, else unfolded into `col`.
    @inline(__always)
    static func columns(_ x: UnsafePointer<Float>, sample s: Int, _ g: ConvGeometry, scratch col: UnsafeMutablePointer<Float>) -> UnsafePointer<Float>
    {
        let xs = x + s * g.inSample
        if g.isPointwise { return xs }
        Im2col.unfold(xs, g, into: col)
        return UnsafePointer(col)
    }

    /// Throws when a worker's column matrix for `g` would exceed the memory limit (oneDNN needs none, so only this path checks).
    static func checkScratch(_ g: ConvGeometry) throws {
        if !g.isPointwise { try Shape.validate([g.patchSize, g.outPlane], op: "conv2d (im2col)") }
    }

    /// Output values `[N, O, Ho, Wo]`.
    static func forward(_ x: [Float], _ w: [Float], _ bias: [Float]?, _ g: ConvGeometry) -> [Float] {
        let m = g.outChannels, n = g.outPlane, k = g.patchSize
        guard k > 0 else {
            // No input channels: the output is the bias alone.
            return (0..<(g.batch * g.outSample)).map { i in bias?[(i / n) % m] ?? 0 }
        }
        // Every element is written below (sgemm with beta 0, or bias then beta 1), so skip zero-filling.
        var out = [Float](unsafeUninitializedCapacity: g.batch * g.outSample) { _, initialized in
            initialized = g.batch * g.outSample
        }
        x.withUnsafeBufferPointer { xb in
            w.withUnsafeBufferPointer { wb in
                out.withUnsafeMutableBufferPointer { ob in
                    guard let xp = xb.baseAddress, let wp = wb.baseAddress, let op = ob.baseAddress else { return }
                    _ = forEachWorker(g) { _, samples, col in
                        for s in samples {
                            let matrix = columns(xp, sample: s, g, scratch: col)
                            let os = op + s * g.outSample
                            if let bias {
                                for o in 0..<m { (os + o * n).update(repeating: bias[o], count: n) }
                            }
                            // out_s [O, P] = W [O, K] · col_s [K, P] (+ bias already in place)
                            sgemm(
                                transA: false, transB: false, m: m, n: n, k: k, a: wp, lda: k, b: matrix, ldb: n,
                                beta: bias == nil ? 0 : 1, c: os, ldc: n)
                        }
                    }
                }
            }
        }
        return out
    }

    /// Gradients with respect to the input (`[N, C, H, W]`) and the weight (`[O, C, kH, kW]`), each only when wanted.
    static func backward(
        _ gradOut: [Float], input x: [Float], weight w: [Float], _ g: ConvGeometry,
        wantInput: Bool, wantWeight: Bool
    ) -> (input: [Float]?, weight: [Float]?) {
        guard wantInput || wantWeight, g.patchSize > 0 else {
            return (wantInput ? [Float](repeating: 0, count: x.count) : nil, wantWeight ? [Float](repeating: 0, count: w.count) : nil)
        }
        let m = g.outChannels, n = g.outPlane, k = g.patchSize
        let maxWorkers = Swift.max(1, Swift.min(Parallel.threads, g.batch))
        var dx = [Float](repeating: 0, count: wantInput ? x.count : 0)
        // One weight-gradient partial per worker, summed at the end, so workers never write to shared memory.
        var dwPartials = [Float](repeating: 0, count: wantWeight ? maxWorkers * w.count : 0)
        var workers = 1
        gradOut.withUnsafeBufferPointer { gb in
            x.withUnsafeBufferPointer { xb in
                w.withUnsafeBufferPointer { wb in
                    dx.withUnsafeMutableBufferPointer { dxb in
                        dwPartials.withUnsafeMutableBufferPointer { dwb in
                            guard let gp = gb.baseAddress, let xp = xb.baseAddress, let wp = wb.baseAddress else { return }
                            workers = forEachWorker(g) { worker, samples, col in
                                for s in samples {
                                    let gs = gp + s * g.outSample
                                    // Flags, not base addresses: an empty array still has a (shared) base address.
                                    if wantWeight, let dwp = dwb.baseAddress {
                                        // dW += dOut_s [O, P] · col_sᵀ [P, K]
                                        let matrix = columns(xp, sample: s, g, scratch: col)
                                        sgemm(
                                            transA: false, transB: true, m: m, n: k, k: n, a: gs, lda: n, b: matrix, ldb: n,
                                            beta: 1, c: dwp + worker * w.count, ldc: k)
                                    }
                                    if wantInput, let dxp = dxb.baseAddress {
                                        // dCol = Wᵀ [K, O] · dOut_s [O, P], folded back onto the image.
                                        let dxs = dxp + s * g.inSample
                                        sgemm(
                                            transA: true, transB: false, m: k, n: n, k: m, a: wp, lda: k, b: gs, ldb: n,
                                            beta: 0, c: g.isPointwise ? dxs : col, ldc: n)
                                        if !g.isPointwise { Im2col.fold(col, g, into: dxs) }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        guard wantWeight else { return (dx, nil) }
        var dw = [Float](repeating: 0, count: w.count)
        dw.withUnsafeMutableBufferPointer { t in
            dwPartials.withUnsafeBufferPointer { p in
                for worker in 0..<workers {
                    let base = worker * t.count
                    for i in 0..<t.count { t[i] += p[base + i] }
                }
            }
        }
        return (wantInput ? dx : nil, dw)
    }

    /// Bias gradient: the output gradient summed over batch and pixels, per output channel.
    static func biasGradient(_ gradOut: [Float], _ g: ConvGeometry) -> [Float] {
        var db = [Float](repeating: 0, count: g.outChannels)
        let plane = g.outPlane
        gradOut.withUnsafeBufferPointer { gb in
            guard let gp = gb.baseAddress else { return }
            for s in 0..<g.batch {
                for o in 0..<g.outChannels { db[o] += VectorKernels.sum(gp + (s * g.outChannels + o) * plane, plane) }
            }
        }
        return db
    }
}
