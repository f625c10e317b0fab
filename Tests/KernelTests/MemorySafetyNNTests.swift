import XCTest
@testable import Kernel

/// NN ops with output sizes computed from user arguments: sizes that cannot be computed or held are refused before
/// anything is allocated, and empty inputs never drive a loop over their other (possibly huge) dimensions.
final class MemorySafetyNNTests: XCTestCase {
    private let huge = 1 << 62

    func testWindowCountReportsOverflowInsteadOfTrapping() throws {
        XCTAssertEqual(
            try NNChecks.windowCount(length: 1, window: Int.max, stride: Int.max, padding: huge - 1, op: "t", input: [1], axis: "width"), 1)
        assertError(
            try NNChecks.windowCount(length: 8, window: 3, stride: 1, padding: Int.max, op: "t", input: [8], axis: "height"),
            containing: "padding \(Int.max) is too large")
        assertError(
            try NNChecks.windowCount(length: 8, window: 3, stride: 1, padding: 0, dilation: Int.max, op: "t", input: [8], axis: "height"),
            containing: "too large to compute")
        XCTAssertEqual(try NNChecks.subsampledSize([1, 1, 5, 0], stride: Int.max, op: "t").height, 1)
        XCTAssertEqual(try NNChecks.subsampledSize([1, 1, 5, 0], stride: Int.max, op: "t").width, 0)
    }

    func testMaxPoolWithAHugeKernelAndPaddingFinishesAtOnce() throws {
        // `max_pool(zeros(1,1,1,1), 2**63-1, padding=2**62-1)`: one window, almost all of it padding.
        let x = try Tensor(shape: [1, 1, 1, 1], data: [3])
        let pooled = try x.maxPool2d(kernel: (Int.max, Int.max), padding: (huge - 1, huge - 1))
        XCTAssertEqual(pooled.shape, [1, 1, 1, 1])
        XCTAssertEqual(pooled.data, [3])
        let averaged = try x.avgPool2d(kernel: (Int.max, Int.max), padding: (huge - 1, huge - 1))
        XCTAssertEqual(averaged.shape, [1, 1, 1, 1])
        XCTAssertEqual(averaged.data[0], 0, accuracy: 1e-30)
    }

    func testPoolingWithAHugeKernelWidthLoopsOnlyOverPixels() throws {
        let x = try Tensor(shape: [1, 1, 2, 3], data: [1, 5, 2, 7, 0, 4], requiresGrad: true)
        let pooled = try x.maxPool2d(kernel: (1, huge), padding: (0, huge / 2))
        XCTAssertEqual(pooled.shape, [1, 1, 2, 1])
        XCTAssertEqual(pooled.data, [5, 7])
        try pooled.sum().backward()
        XCTAssertEqual(x.grad?.data, [0, 1, 0, 1, 0, 0])
        XCTAssertEqual(try Tensor.zeros([0, 1, 4, 4]).maxPool2d(kernel: (1, huge), padding: (0, huge / 2)).shape, [0, 1, 4, 1])
        XCTAssertEqual(try Tensor.zeros([1, 0, 4, 4]).avgPool2d(kernel: (1, huge), padding: (0, huge / 2)).shape, [1, 0, 4, 1])
        XCTAssertEqual(try Tensor.zeros([0, 2, 1 << 30, 1 << 30]).maxPool2d(kernel: (2, 2)).shape, [0, 2, 1 << 29, 1 << 29])
        XCTAssertEqual(try Tensor.zeros([0, 2, 1 << 30, 1 << 30]).globalAvgPool2d().shape, [0, 2])
    }

    func testConvolutionWithPaddingTooLargeToComputeIsAnError() throws {
        // `Conv2D(4, 3, padding=2**63-1)` on an 8×8 input returned zeros when the size arithmetic wrapped around.
        let x = try Tensor.ones([1, 3, 8, 8]), w = try Tensor.ones([4, 3, 3, 3])
        assertError(try x.conv2d(weight: w, bias: nil, padding: (Int.max, Int.max)), containing: "is too large")
        assertError(try x.conv2d(weight: w, bias: nil, padding: (huge, 0)), containing: "is too large")
        // Computable sizes whose output cannot be held.
        assertRefusedForSize(try x.conv2d(weight: w, bias: nil, padding: (1 << 40, 1 << 40)))
        assertRefusedForSize(try x.conv2d(weight: w, bias: nil, padding: (1 << 20, 1 << 20)))
        XCTAssertEqual(try x.conv2d(weight: w, bias: nil, stride: (Int.max, Int.max), padding: (1, 1)).shape, [1, 4, 1, 1])
        XCTAssertThrowsError(
            try DNNLConvolutionShape(
                batch: 1, inChannels: 3, height: 8, width: 8, outChannels: 4, kernelHeight: 3,
                kernelWidth: 3, padding: (Int.max, 0)))
    }

    func testConvolutionOutputOverTheMemoryLimitIsRefusedBeforeAllocating() throws {
        try withSmallMemoryLimit {
            // [1, 4, 606, 606] is 5.9 MB.
            assertRefusedForSize(try Tensor.ones([1, 3, 8, 8]).conv2d(weight: try Tensor.ones([4, 3, 3, 3]), bias: nil, padding: (300, 300)))
        }
    }

    func testConvolutionOfAnEmptyBatchIsEmpty() throws {
        let w = try Tensor.ones([4, 3, 3, 3], requiresGrad: true)
        let y = try Tensor.zeros([0, 3, 8, 8]).conv2d(weight: w, bias: nil, padding: (1, 1))
        XCTAssertEqual(y.shape, [0, 4, 8, 8])
        try y.sum().backward()
        XCTAssertEqual(w.grad?.data, [Float](repeating: 0, count: w.count))
    }

    func testShortcutPiecesWithHugeArgumentsDoNotOverflow() throws {
        let x = try Tensor.ones([1, 2, 3, 3])
        XCTAssertEqual(try x.subsample(stride: Int.max).shape, [1, 2, 1, 1])
        assertError(try x.padChannels(before: Int.max, after: 1), containing: "too large")
        assertRefusedForSize(try x.padChannels(before: huge, after: 0))
        XCTAssertEqual(try Tensor.zeros([0, 2, 1 << 30, 1 << 30]).padChannels(before: 1, after: 1).shape, [0, 4, 1 << 30, 1 << 30])
        for width in ChannelBlockWidth.allCases {
            let blocked = try Tensor.ones([1, 16, 3, 3])
            blocked.layout = .channelBlocked(width)
            XCTAssertEqual(blocked.channelBlockedZeroPadShortcut(stride: Int.max, outChannels: 32)?.shape, [1, 32, 1, 1], "\(width)")
        }
    }

    func testResizeOfAnEmptyBatchToAHugeSizeFinishesAtOnce() throws {
        XCTAssertEqual(try Tensor.zeros([0, 3, 4, 4]).resize(height: 1 << 30, width: 1 << 30).shape, [0, 3, 1 << 30, 1 << 30])
        assertRefusedForSize(try Tensor.zeros([1, 3, 4, 4]).resize(height: 1 << 30, width: 1 << 30))
    }

    func testSoftmaxAndLossesOverEmptyAxesFinishAtOnce() throws {
        for shape in [[huge, 0], [0, huge]] {
            let x = try Tensor.zeros(shape, requiresGrad: true)
            for axis in [0, 1] {
                XCTAssertEqual(try x.softmax(axis: axis).shape, shape)
                XCTAssertEqual(try x.logSoftmax(axis: axis).shape, shape)
            }
        }
        XCTAssertEqual(try Loss.crossEntropyPerSample(logits: try Tensor.zeros([0, huge]), targets: []), [])
        assertError(try Loss.crossEntropy(logits: try Tensor.zeros([0, huge]), targets: []), containing: "the batch is empty")
        assertError(try Loss.crossEntropy(logits: try Tensor.zeros([huge, 0]), targets: []), containing: "targets")
        assertError(try Loss.mse(try Tensor.zeros([huge, 0]), try Tensor.zeros([huge, 0])), containing: "empty")
    }

    func testLinearAndBatchNormOnEmptyInputsFinishAtOnce() throws {
        let rows = try Tensor.zeros([huge, 0])
        XCTAssertEqual(try rows.linear(weight: try Tensor.zeros([0, 0]), bias: nil).shape, [huge, 0])
        assertRefusedForSize(try rows.linear(weight: try Tensor.zeros([3, 0]), bias: nil))
        XCTAssertEqual(try Tensor.zeros([2, 0]).linear(weight: try Tensor.zeros([3, 0]), bias: try Tensor.ones([3])).data, [1, 1, 1, 1, 1, 1])

        let images = try Tensor.zeros([0, 2, 1 << 30, 1 << 30])
        let (mean, variance) = (try Tensor.zeros([2]), try Tensor.ones([2]))
        XCTAssertEqual(try images.batchNorm(weight: nil, bias: nil, runningMean: mean, runningVar: variance, training: false).shape, images.shape)
        assertError(
            try images.batchNorm(weight: nil, bias: nil, runningMean: mean, runningVar: variance, training: true),
            containing: "more than 1 value per channel")
    }
}
