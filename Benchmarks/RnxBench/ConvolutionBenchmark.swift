import Kernel

/// One 3×3 convolution layer of CIFAR ResNet-20 at batch 128 (padding 1, no bias).
struct ConvolutionCase {
    let inChannels: Int, size: Int, outChannels: Int, stride: Int

    /// `16->32 @32 s2`-style name, shared with bench/torch_bench.py.
    var name: String { "\(inChannels)->\(outChannels) @\(size) s\(stride)" }

    /// Every distinct convolution of ResNet-20: the stem, the three stages and the two downsampling layers.
    static let resnet20: [ConvolutionCase] = [
        ConvolutionCase(inChannels: 3, size: 32, outChannels: 16, stride: 1),
        ConvolutionCase(inChannels: 16, size: 32, outChannels: 16, stride: 1),
        ConvolutionCase(inChannels: 16, size: 32, outChannels: 32, stride: 2),
        ConvolutionCase(inChannels: 32, size: 16, outChannels: 32, stride: 1),
        ConvolutionCase(inChannels: 32, size: 16, outChannels: 64, stride: 2),
        ConvolutionCase(inChannels: 64, size: 8, outChannels: 64, stride: 1),
    ]

    func shape(batch: Int) throws -> DNNLConvolutionShape {
        try DNNLConvolutionShape(batch: batch, inChannels: inChannels, height: size, width: size, outChannels: outChannels,
                                 kernelHeight: 3, kernelWidth: 3, stride: (stride, stride), padding: (1, 1))
    }
}

/// Forward and backward (input and weight gradients) of each case, through the public `conv2d` (whatever backend
/// it dispatches to; its label comes from `RNX_CONV`) and straight through `DNNLConvolution` into preallocated buffers.
func benchmarkConvolutions(_ recorder: Recorder, batch: Int, warmup: Int, repeats: Int, backendLabel: String, direct: Bool) throws {
    for c in ConvolutionCase.resnet20 {
        let shape = try c.shape(batch: batch)
        let x = try Tensor.randn([batch, c.inChannels, c.size, c.size])
        let w = try Tensor.randn([c.outChannels, c.inChannels, 3, 3])
        let g = try Tensor.randn([batch, c.outChannels, shape.outHeight, shape.outWidth])
        let stride = (c.stride, c.stride)

        let forward = try measure(warmup: warmup, repeats: repeats) {
            _ = try noGrad { try x.conv2d(weight: w, bias: nil, stride: stride, padding: (1, 1)) }
        }
        recorder.add("conv fwd \(c.name)", "conv2d[\(backendLabel)]", forward, flops: shape.forwardFlops)

        var y: Tensor?
        let backward = try measure(warmup: warmup, repeats: repeats, prepare: {
            x.requiresGrad = true
            w.requiresGrad = true
            x.zeroGrad()
            w.zeroGrad()
            y = try x.conv2d(weight: w, bias: nil, stride: stride, padding: (1, 1))
        }) {
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
                    try DNNLConvolution.backward(input: x.data, weight: w.data, gradOutput: g.data, gradInput: d.baseAddress,
                                                 gradWeight: e.baseAddress, gradBias: nil, shape: shape)
                }
            }
        }
        recorder.add("conv bwd \(c.name)", "dnnl-raw", rawBackward, flops: 2 * shape.forwardFlops)
    }
}
