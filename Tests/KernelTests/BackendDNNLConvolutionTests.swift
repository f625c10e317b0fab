import XCTest
@testable import Kernel

/// The oneDNN convolution backend against a direct seven-loop convolution, forward and both gradients.
final class BackendDNNLConvolutionTests: XCTestCase {
    /// Values and gradients of one problem computed the slow, obvious way, in Double.
    private struct Reference {
        var output: [Float]
        var gradInput: [Float]
        var gradWeight: [Float]
        var gradBias: [Float]

        init(_ s: DNNLConvolutionShape, input x: [Float], weight w: [Float], bias: [Float], gradOutput g: [Float]) {
            var out = [Double](repeating: 0, count: s.outputCount)
            var dx = [Double](repeating: 0, count: s.inputCount)
            var dw = [Double](repeating: 0, count: s.weightCount)
            var db = [Double](repeating: 0, count: s.outChannels)
            for n in 0..<s.batch {
                for o in 0..<s.outChannels {
                    for oh in 0..<s.outHeight {
                        for ow in 0..<s.outWidth {
                            let y = ((n * s.outChannels + o) * s.outHeight + oh) * s.outWidth + ow
                            var sum = Double(bias[o])
                            db[o] += Double(g[y])
                            for c in 0..<s.inChannels {
                                for kh in 0..<s.kernelHeight {
                                    for kw in 0..<s.kernelWidth {
                                        let ih = oh * s.stride.0 - s.padding.0 + kh * s.dilation.0
                                        let iw = ow * s.stride.1 - s.padding.1 + kw * s.dilation.1
                                        guard ih >= 0, ih < s.height, iw >= 0, iw < s.width else { continue }
                                        let xi = ((n * s.inChannels + c) * s.height + ih) * s.width + iw
                                        let wi = ((o * s.inChannels + c) * s.kernelHeight + kh) * s.kernelWidth + kw
                                        sum += Double(x[xi]) * Double(w[wi])
                                        dx[xi] += Double(g[y]) * Double(w[wi])
                                        dw[wi] += Double(g[y]) * Double(x[xi])
                                    }
                                }
                            }
                            out[y] = sum
                        }
                    }
                }
            }
            output = out.map(Float.init)
            gradInput = dx.map(Float.init)
            gradWeight = dw.map(Float.init)
            gradBias = db.map(Float.init)
        }
    }

    private func random(_ count: Int, _ generator: RandomGenerator) -> [Float] {
        (0..<count).map { _ in generator.normal() }
    }

    private func assertClose(_ actual: [Float], _ expected: [Float], _ what: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(actual.count, expected.count, what, file: file, line: line)
        var worst = (index: 0, error: Float(0))
        for (i, (a, e)) in zip(actual, expected).enumerated() {
            let error = abs(a - e) / (1 + abs(e))
            if !(error <= worst.error) { worst = (i, error) }
        }
        XCTAssertLessThan(
            worst.error, 1e-4, "\(what): element \(worst.index) is \(actual[worst.index]), expected \(expected[worst.index])",
            file: file, line: line)
    }

    /// Runs all three passes on `shape` with random data and compares each with the reference.
    private func checkAgainstReference(
        _ shape: DNNLConvolutionShape, bias withBias: Bool, seed: UInt64,
        file: StaticString = #filePath, line: UInt = #line
    ) throws {
        let generator = RandomGenerator(seed: seed)
        let x = random(shape.inputCount, generator), w = random(shape.weightCount, generator)
        let b = withBias ? random(shape.outChannels, generator) : [Float](repeating: 0, count: shape.outChannels)
        let g = random(shape.outputCount, generator)
        let reference = Reference(shape, input: x, weight: w, bias: b, gradOutput: g)

        let y = try DNNLConvolution.forward(input: x, weight: w, bias: withBias ? b : nil, shape: shape)
        assertClose(y, reference.output, "forward of \(shape)", file: file, line: line)
        let dx = try DNNLConvolution.backwardData(gradOutput: g, weight: w, shape: shape)
        assertClose(dx, reference.gradInput, "input gradient of \(shape)", file: file, line: line)
        let (dw, db) = try DNNLConvolution.backwardWeights(input: x, gradOutput: g, shape: shape, bias: withBias)
        assertClose(dw, reference.gradWeight, "weight gradient of \(shape)", file: file, line: line)
        if withBias {
            assertClose(db ?? [], reference.gradBias, "bias gradient of \(shape)", file: file, line: line)
        } else {
            XCTAssertNil(db, file: file, line: line)
        }

        // The combined call shares the reordered output gradient between the two passes.
        let all = try DNNLConvolution.backward(
            input: x, weight: w, gradOutput: g, shape: shape,
            wantInput: true, wantWeight: true, wantBias: withBias)
        assertClose(all.input ?? [], reference.gradInput, "combined input gradient of \(shape)", file: file, line: line)
        assertClose(all.weight ?? [], reference.gradWeight, "combined weight gradient of \(shape)", file: file, line: line)
        if withBias { assertClose(all.bias ?? [], reference.gradBias, "combined bias gradient of \(shape)", file: file, line: line) }
    }

    func testOddSizesWithPaddingAndBias() throws {
        let shape = try DNNLConvolutionShape(
            batch: 2, inChannels: 3, height: 5, width: 7, outChannels: 4,
            kernelHeight: 3, kernelWidth: 3, padding: (1, 1))
        XCTAssertEqual([shape.outHeight, shape.outWidth], [5, 7])
        try checkAgainstReference(shape, bias: true, seed: 1)
    }

    func testResNetDownsamplingStrideTwo() throws {
        let shape = try DNNLConvolutionShape(
            batch: 2, inChannels: 16, height: 8, width: 8, outChannels: 32,
            kernelHeight: 3, kernelWidth: 3, stride: (2, 2), padding: (1, 1))
        XCTAssertEqual([shape.outHeight, shape.outWidth], [4, 4])
        try checkAgainstReference(shape, bias: false, seed: 2)
    }

    func testResNetBlockShapeWithFullChannelBlocks() throws {
        let shape = try DNNLConvolutionShape(
            batch: 3, inChannels: 16, height: 6, width: 6, outChannels: 16,
            kernelHeight: 3, kernelWidth: 3, padding: (1, 1))
        try checkAgainstReference(shape, bias: false, seed: 3)
    }

    func testDilationWithUnequalKernelAndPadding() throws {
        let shape = try DNNLConvolutionShape(
            batch: 2, inChannels: 5, height: 9, width: 6, outChannels: 7,
            kernelHeight: 3, kernelWidth: 2, padding: (2, 1), dilation: (2, 3))
        XCTAssertEqual([shape.outHeight, shape.outWidth], [9, 5])
        try checkAgainstReference(shape, bias: true, seed: 4)
    }

    func testStrideThatLeavesTheLastRowsUnusedNeedsNegativeHighPadding() throws {
        // (6 − 3) / 2 + 1 = 2 windows per axis; the last input row and column are never read, as in PyTorch.
        let shape = try DNNLConvolutionShape(
            batch: 1, inChannels: 2, height: 6, width: 6, outChannels: 3,
            kernelHeight: 3, kernelWidth: 3, stride: (2, 2))
        XCTAssertEqual([shape.outHeight, shape.outWidth], [2, 2])
        XCTAssertEqual(shape.paddingHigh, [-1, -1])
        try checkAgainstReference(shape, bias: true, seed: 5)
    }

    func testPointwiseProjectionWithStride() throws {
        let shape = try DNNLConvolutionShape(
            batch: 2, inChannels: 16, height: 7, width: 7, outChannels: 32,
            kernelHeight: 1, kernelWidth: 1, stride: (2, 2))
        try checkAgainstReference(shape, bias: false, seed: 6)
    }

    func testColourInputStemWithBias() throws {
        let shape = try DNNLConvolutionShape(
            batch: 2, inChannels: 3, height: 8, width: 8, outChannels: 16,
            kernelHeight: 3, kernelWidth: 3, padding: (1, 1))
        try checkAgainstReference(shape, bias: true, seed: 7)
    }

    func testCombinedBackwardComputesOnlyTheWantedGradients() throws {
        let shape = try DNNLConvolutionShape(
            batch: 2, inChannels: 16, height: 5, width: 5, outChannels: 16,
            kernelHeight: 3, kernelWidth: 3, padding: (1, 1))
        let generator = RandomGenerator(seed: 9)
        let x = random(shape.inputCount, generator), w = random(shape.weightCount, generator), g = random(shape.outputCount, generator)
        let reference = Reference(shape, input: x, weight: w, bias: [Float](repeating: 0, count: 16), gradOutput: g)

        let biasOnly = try DNNLConvolution.backward(
            input: x, weight: w, gradOutput: g, shape: shape,
            wantInput: false, wantWeight: false, wantBias: true)
        XCTAssertNil(biasOnly.input)
        XCTAssertNil(biasOnly.weight)
        assertClose(biasOnly.bias ?? [], reference.gradBias, "bias gradient alone")

        let inputOnly = try DNNLConvolution.backward(
            input: x, weight: w, gradOutput: g, shape: shape,
            wantInput: true, wantWeight: false, wantBias: false)
        assertClose(inputOnly.input ?? [], reference.gradInput, "input gradient alone")
        XCTAssertNil(inputOnly.weight)
        XCTAssertNil(inputOnly.bias)
    }

    func testRepeatedCallsReuseTheCachedPlanAndAgree() throws {
        let shape = try DNNLConvolutionShape(
            batch: 1, inChannels: 4, height: 5, width: 5, outChannels: 4,
            kernelHeight: 3, kernelWidth: 3, padding: (1, 1))
        let generator = RandomGenerator(seed: 8)
        let x = random(shape.inputCount, generator), w = random(shape.weightCount, generator)
        let first = try DNNLConvolution.forward(input: x, weight: w, bias: nil, shape: shape)
        let plansAfterFirst = DNNLConvolution.cachedPlanCount
        let second = try DNNLConvolution.forward(input: x, weight: w, bias: nil, shape: shape)
        XCTAssertEqual(DNNLConvolution.cachedPlanCount, plansAfterFirst)
        XCTAssertEqual(first, second)
    }

    func testBuffersOfTheWrongSizeAreRejected() throws {
        let shape = try DNNLConvolutionShape(
            batch: 1, inChannels: 2, height: 4, width: 4, outChannels: 3,
            kernelHeight: 3, kernelWidth: 3)
        XCTAssertThrowsError(
            try DNNLConvolution.forward(
                input: [Float](repeating: 0, count: 31), weight: [Float](repeating: 0, count: 54),
                bias: nil, shape: shape)
        ) { error in
            XCTAssertEqual(error as? KernelError, .shapeMismatch(op: "conv2d (oneDNN)", expected: "32 input values", found: "31"))
        }
    }

    func testAKernelLargerThanThePaddedInputIsRejected() {
        XCTAssertThrowsError(
            try DNNLConvolutionShape(
                batch: 1, inChannels: 1, height: 2, width: 2, outChannels: 1,
                kernelHeight: 3, kernelWidth: 3, padding: (0, 0)))
        XCTAssertThrowsError(
            try DNNLConvolutionShape(
                batch: 1, inChannels: 1, height: 4, width: 4, outChannels: 1,
                kernelHeight: 3, kernelWidth: 3, stride: (0, 1)))
    }
}
