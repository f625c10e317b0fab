import XCTest
@testable import Kernel

/// Every differentiable NN op (plain and channel-blocked) leaves no retain cycle on the tape: its result and the graph
/// behind it are freed when dropped without `backward()` (`assertReleased`, GraphLifetimeOpsTests.swift).
final class GraphLifetimeNNTests: XCTestCase {
    private func leaf(_ shape: [Int]) throws -> Tensor {
        try Tensor.randn(shape, requiresGrad: true)
    }

    /// A leaf whose values count as blocked in blocks of `width` (`TensorLayout.channelBlocked`), by default the
    /// width oneDNN's convolutions use here.
    private func blockedLeaf(_ shape: [Int], width: ChannelBlockWidth? = DNNLConvolution.channelBlockWidth) throws -> Tensor {
        let t = try leaf(shape)
        t.layout = .channelBlocked(width ?? .sixteen)
        return t
    }

    private func buffers(_ channels: Int) throws -> (mean: Tensor, variance: Tensor) {
        (try Tensor.zeros([channels]), try Tensor.ones([channels]))
    }

    func testConvolutionAndLinearFreeTheirResults() throws {
        assertReleased("linear") { try self.leaf([2, 3]).linear(weight: try self.leaf([4, 3]), bias: try self.leaf([4])) }
        assertReleased("linear without bias") { try self.leaf([2, 3]).linear(weight: try self.leaf([4, 3]), bias: nil) }
        assertReleased("conv2d") {
            try self.leaf([2, 3, 6, 6]).conv2d(weight: try self.leaf([4, 3, 3, 3]), bias: try self.leaf([4]), padding: (1, 1))
        }
        assertReleased("conv2d of an empty batch") {
            try self.leaf([0, 3, 6, 6]).conv2d(weight: try self.leaf([4, 3, 3, 3]), bias: nil)
        }
    }

    func testChannelBlockedOpsFreeTheirResults() throws {
        for width in ChannelBlockWidth.allCases {
            for relu in [false, true] {
                assertReleased("batch_norm, \(width), relu \(relu)") {
                    let (mean, variance) = try self.buffers(16)
                    return try XCTUnwrap(
                        try self.blockedLeaf([2, 16, 3, 3], width: width).channelBlockedBatchNorm(
                            weight: try self.leaf([16]), bias: try self.leaf([16]), runningMean: mean, runningVar: variance,
                            momentum: 0.1, eps: 1e-5, thenReLU: relu))
                }
            }
            assertReleased("to \(width)") { try self.leaf([2, 16, 3, 3]).reordered(to: .channelBlocked(width)) }
            assertReleased("from \(width)") { try self.blockedLeaf([2, 16, 3, 3], width: width).reordered(to: .plain) }
            assertReleased("zero_pad_shortcut, \(width)") {
                try XCTUnwrap(try self.blockedLeaf([2, 16, 4, 4], width: width).channelBlockedZeroPadShortcut(stride: 2, outChannels: 32))
            }
        }

        // Last: the blocked convolution needs oneDNN to take this shape.
        let blocked = try blockedLeaf([2, 16, 4, 4])
        let weight = try leaf([16, 16, 3, 3])
        guard
            try blocked.channelBlockedConv2d(
                weight: weight, bias: nil, stride: (1, 1), padding: (1, 1), dilation: (1, 1),
                preferBlockedOutput: true) != nil
        else {
            throw XCTSkip("oneDNN does not run this convolution in the blocked layout here")
        }
        assertReleased("blocked conv2d") {
            try XCTUnwrap(
                try self.blockedLeaf([2, 16, 4, 4]).channelBlockedConv2d(
                    weight: try self.leaf([16, 16, 3, 3]), bias: try self.leaf([16]),
                    stride: (1, 1), padding: (1, 1), dilation: (1, 1),
                    preferBlockedOutput: true))
        }
    }

    func testBatchNormFreesItsResultInEveryMode() {
        for (training, relu) in [(true, false), (true, true), (false, false), (false, true)] {
            assertReleased("batch_norm, training \(training), relu \(relu)") {
                let (mean, variance) = try self.buffers(3)
                return try self.leaf([2, 3, 2, 2]).batchNorm(
                    weight: try self.leaf([3]), bias: try self.leaf([3]), runningMean: mean,
                    runningVar: variance, training: training, thenReLU: relu)
            }
        }
        assertReleased("batch_norm of an empty batch") {
            let (mean, variance) = try self.buffers(3)
            return try self.leaf([0, 3, 2, 2]).batchNorm(weight: nil, bias: nil, runningMean: mean, runningVar: variance, training: false)
        }
    }

    func testPoolingSoftmaxLossesAndTheRestFreeTheirResults() {
        let ops: [(String, () throws -> Tensor)] = [
            ("max_pool2d", { try self.leaf([1, 2, 4, 4]).maxPool2d(kernel: (2, 2)) }),
            ("max_pool2d of an empty batch", { try self.leaf([0, 2, 4, 4]).maxPool2d(kernel: (2, 2)) }),
            ("avg_pool2d", { try self.leaf([1, 2, 4, 4]).avgPool2d(kernel: (3, 3), stride: (1, 1), padding: (1, 1)) }),
            ("global_avg_pool2d", { try self.leaf([1, 2, 4, 4]).globalAvgPool2d() }),
            ("softmax", { try self.leaf([2, 5]).softmax() }),
            ("softmax of an empty tensor", { try self.leaf([0, 5]).softmax() }),
            ("log_softmax", { try self.leaf([2, 5]).logSoftmax(axis: 0) }),
            ("cross_entropy", { try Loss.crossEntropy(logits: try self.leaf([3, 4]), targets: [0, 3, 1], labelSmoothing: 0.1) }),
            ("mse_loss", { try Loss.mse(try self.leaf([2, 3]), try self.leaf([2, 3])) }),
            ("dropout", { try self.leaf([4, 4]).dropout(p: 0.5, training: true, generator: RandomGenerator(seed: 1)) }),
            ("pad_channels", { try self.leaf([2, 3, 2, 2]).padChannels(before: 1, after: 2) }),
            ("subsample", { try self.leaf([2, 3, 5, 5]).subsample(stride: 2) }),
            ("resize", { try self.leaf([1, 2, 3, 3]).resize(height: 5, width: 4) }),
        ]
        for (name, op) in ops { assertReleased(name, op) }
    }
}
