import Kernel

/// One convolution layer of a benchmarked network (no bias, zero padding `kernel / 2`).
struct ConvolutionCase {
    let batch: Int, inChannels: Int, size: Int, outChannels: Int, kernel: Int, stride: Int

    /// `16->32 @32 s2`-style name (with `k7` for kernels other than 3 and `b32` for batches other than 128),
    /// shared with bench/torch_bench.py.
    var name: String {
        "\(inChannels)->\(outChannels) @\(size) s\(stride)" + (kernel == 3 ? "" : " k\(kernel)") + (batch == 128 ? "" : " b\(batch)")
    }

    /// Every distinct convolution of CIFAR ResNet-20 at batch 128: the stem, the three stages, the two downsampling layers.
    static let resnet20: [ConvolutionCase] = [(3, 32, 16, 1), (16, 32, 16, 1), (16, 32, 32, 2), (32, 16, 32, 1), (32, 16, 64, 2), (64, 8, 64, 1)]
        .map { ConvolutionCase(batch: 128, inChannels: $0.0, size: $0.1, outChannels: $0.2, kernel: 3, stride: $0.3) }

    /// Every distinct convolution of ResNet-18 on 64×64 images at batch 32: the 7×7 stem, the 3×3 layers and the
    /// 1×1 stride-2 projections.
    static let resnet18: [ConvolutionCase] = [
        (3, 64, 64, 7, 2), (64, 16, 64, 3, 1), (64, 16, 128, 3, 2), (64, 16, 128, 1, 2), (128, 8, 128, 3, 1), (128, 8, 256, 3, 2),
        (128, 8, 256, 1, 2), (256, 4, 256, 3, 1), (256, 4, 512, 3, 2), (256, 4, 512, 1, 2), (512, 2, 512, 3, 1),
    ].map { ConvolutionCase(batch: 32, inChannels: $0.0, size: $0.1, outChannels: $0.2, kernel: $0.3, stride: $0.4) }

    var padding: Int { kernel / 2 }

    func shape() throws -> DNNLConvolutionShape {
        try DNNLConvolutionShape(
            batch: batch, inChannels: inChannels, height: size, width: size, outChannels: outChannels,
            kernelHeight: kernel, kernelWidth: kernel, stride: (stride, stride), padding: (padding, padding))
    }
}

/// Forward and backward (input and weight gradients) of each case, through the public `conv2d` (whatever backend
/// it dispatches to; its label comes from `RNX_CONV`), straight through `DNNLConvolution` into preallocated buffers,
/// and with the sides training keeps in oneDNN's blocked layout passed as they are (`dnnl-blocked`).
func benchmarkConvolutions(
    _ recorder: Recorder, cases: [ConvolutionCase], warmup: Int, repeats: Int, backendLabel: String,
    direct: Bool
) throws {
    for c in cases {
        let shape = try c.shape()
        let x = try Tensor.randn([c.batch, c.inChannels, c.size, c.size])
        let w = try Tensor.randn([c.outChannels, c.inChannels, c.kernel, c.kernel])
        let g = try Tensor.randn([c.batch, c.outChannels, shape.outHeight, shape.outWidth])
        let stride = (c.stride, c.stride), padding = (c.padding, c.padding)

        let forward = try measure(warmup: warmup, repeats: repeats) {
            _ = try noGrad { try x.conv2d(weight: w, bias: nil, stride: stride, padding: padding) }
        }
        recorder.add("conv fwd \(c.name)", "conv2d[\(backendLabel)]", forward, flops: shape.forwardFlops)

        var y: Tensor?
        let backward = try measure(
            warmup: warmup, repeats: repeats,
            prepare: {
                x.requiresGrad = true
                w.requiresGrad = true
                x.zeroGrad()
                w.zeroGrad()
                y = try x.conv2d(weight: w, bias: nil, stride: stride, padding: padding)
            }
        ) {
            try y?.backward(g)
        }
        x.requiresGrad = false
        w.requiresGrad = false
        recorder.add("conv bwd \(c.name)", "conv2d[\(backendLabel)]", backward, flops: 2 * shape.forwardFlops)

        guard direct, DNNLConvolution.isEnabled else { continue }
        var out = [Float](repeating: 0, count: shape.outputCount)
        var dx = [Float](repeating: 0, count: shape.inputCount)
        var dw = [Float](repeating: 0, count: shape.weightCount)
        let rawForward = try measure(warmup: warmup, repeats: repeats) {
            try out.withUnsafeMutableBufferPointer { o in
                guard let op = o.baseAddress else { return }
                try DNNLConvolution.forward(input: x.data, weight: w.data, bias: nil, output: op, shape: shape)
            }
        }
        recorder.add("conv fwd \(c.name)", "dnnl-raw", rawForward, flops: shape.forwardFlops)
        let rawBackward = try measure(warmup: warmup, repeats: repeats) {
            try dx.withUnsafeMutableBufferPointer { d in
                try dw.withUnsafeMutableBufferPointer { e in
                    try DNNLConvolution.backward(
                        input: x.data, weight: w.data, gradOutput: g.data, gradInput: d.baseAddress,
                        gradWeight: e.baseAddress, gradBias: nil, shape: shape)
                }
            }
        }
        recorder.add("conv bwd \(c.name)", "dnnl-raw", rawBackward, flops: 2 * shape.forwardFlops)

        // As model training runs the layer: feature maps of whole channel blocks stay in oneDNN's blocked layout
        // between layers, so those sides are not reordered (the values are the NCHW ones, read as blocked: same work).
        var sides = Set<DNNLConvolution.BlockedSide>()
        for side in [DNNLConvolution.BlockedSide.input, .output] where DNNLConvolution.usesChannelBlocks(shape, side: side, bias: false) {
            sides.insert(side)
        }
        guard !sides.isEmpty else { continue }
        let blockedForward = try measure(warmup: warmup, repeats: repeats) {
            try out.withUnsafeMutableBufferPointer { o in
                guard let op = o.baseAddress else { return }
                try DNNLConvolution.forward(input: x.data, weight: w.data, bias: nil, output: op, shape: shape, blocked: sides)
            }
        }
        recorder.add("conv fwd \(c.name)", "dnnl-blocked", blockedForward, flops: shape.forwardFlops)
        let blockedBackward = try measure(warmup: warmup, repeats: repeats) {
            try dx.withUnsafeMutableBufferPointer { d in
                try dw.withUnsafeMutableBufferPointer { e in
                    try DNNLConvolution.backward(
                        input: x.data, weight: w.data, gradOutput: g.data, gradInput: d.baseAddress,
                        gradWeight: e.baseAddress, gradBias: nil, shape: shape, blocked: sides)
                }
            }
        }
        recorder.add("conv bwd \(c.name)", "dnnl-blocked", blockedBackward, flops: 2 * shape.forwardFlops)
    }
}
