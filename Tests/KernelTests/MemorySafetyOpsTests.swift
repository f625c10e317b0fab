import XCTest
@testable import Kernel

/// Shapes computed from user input in Core, Ops, Layers and Models: refused before allocating when they cannot be held,
/// and never walked element by element through a huge empty dimension.
final class MemorySafetyOpsTests: XCTestCase {
    private let huge = 1 << 62

    func testValidateChecksTheNonZeroDimensionsWhateverTheirOrder() throws {
        XCTAssertEqual(try Shape.validate([0, huge], op: "t"), 0)
        XCTAssertEqual(try Shape.validate([huge, 0], op: "t"), 0)
        // Partial products of these would overflow (outer × inner), so they are not valid shapes even though empty.
        assertRefusedForSize(try Shape.validate([0, huge, 4], op: "t"))
        assertRefusedForSize(try Shape.validate([huge, 4, 0], op: "t"))
        assertError(try Shape.validate([2, -1], op: "t"), containing: "negative dimension -1")
    }

    func testReducingTheEmptyAxisOfAHugeTensorIsRefused() throws {
        // `zeros(0, 2**62).sum(0)` would be 2^62 zeros.
        let empty = try Tensor.zeros([0, huge])
        assertRefusedForSize(try empty.sum(axes: [0]))
        assertRefusedForSize(try empty.mean(axes: [0]))
        assertRefusedForSize(try Tensor.zeros([0, 1 << 31, 1 << 31]).mean(axes: [0]))
        XCTAssertEqual(empty.sum().data, [0])
        XCTAssertEqual(try empty.sum(axes: [0, 1]).data, [0])
    }

    func testEmptyTensorsWithAHugeDimensionReduceAtOnce() throws {
        let empty = try Tensor.zeros([huge, 0], requiresGrad: true)
        assertRefusedForSize(try empty.sum(axes: [1]))
        XCTAssertEqual(try empty.sum(axes: [0]).shape, [0])
        XCTAssertEqual(try empty.sum(axes: [0], keepDims: true).shape, [1, 0])
        // Summing both axes would pass through a [2^62] partial sum.
        XCTAssertEqual(try empty.sum(axes: [0, 1]).data, [0])
        XCTAssertEqual(try empty.mean(axes: [0]).shape, [0])
        XCTAssertEqual(try empty.max(axis: 0).shape, [0])
        XCTAssertEqual(try empty.min(axis: 0, keepDims: true).shape, [1, 0])
        XCTAssertEqual(try empty.argmax(axis: 0).shape, [0])
        XCTAssertThrowsError(try empty.max(axis: 1))
        let total = try empty.sum(axes: [0]).sum()
        try total.backward()
        XCTAssertEqual(empty.grad?.shape, [huge, 0])
    }

    func testShapeOpsOnEmptyTensorsWithAHugeDimensionFinishAtOnce() throws {
        let empty = try Tensor.zeros([huge, 0])
        XCTAssertEqual(try empty.slice(axis: 0, start: 1, step: 2).shape, [huge / 2, 0])
        XCTAssertEqual(try empty.slice(axis: 0, start: -1, step: -3).shape, [huge / 3 + 1, 0])
        XCTAssertEqual(try empty.select(axis: 0, index: huge - 1).shape, [0])
        XCTAssertEqual(try empty.permute([1, 0]).shape, [0, huge])
        XCTAssertEqual(try Tensor.concat([empty, empty], axis: 1).shape, [huge, 0])
        // 2^62 × 2 non-zero sizes overflow; half as many rows fit.
        assertRefusedForSize(try Tensor.stack([empty, empty], axis: 2))
        let half = try Tensor.zeros([huge / 2, 0])
        XCTAssertEqual(try Tensor.stack([half, half], axis: 2).shape, [huge / 2, 0, 2])
        XCTAssertEqual(try (empty + empty).shape, [huge, 0])
        XCTAssertEqual(try (empty * (try Tensor.zeros([1, 0]))).shape, [huge, 0])
        let batch = try Tensor.zeros([1 << 40, 0, 4]).matmul(try Tensor.zeros([1 << 40, 4, 0]))
        XCTAssertEqual(batch.shape, [1 << 40, 0, 0])
    }

    func testConcatenatedAxisThatOverflowsIsRefused() throws {
        // `cat([zeros(2**62, 0)] * 2, dim=0)`: 2^63 rows do not fit an Int.
        let empty = try Tensor.zeros([huge, 0])
        assertError(try Tensor.concat([empty, empty], axis: 0), containing: "overflows")
        let wide = try Tensor.zeros([0, huge])
        assertError(try Tensor.concat([wide, wide], axis: 1), containing: "overflows")
    }

    func testMatrixProductOfEmptyOperandsWithAHugeResultIsRefused() throws {
        // `zeros(2**32, 0) @ zeros(0, 2**32)` has 2^64 outputs.
        assertRefusedForSize(try Tensor.zeros([1 << 32, 0]).matmul(try Tensor.zeros([0, 1 << 32])))
        let product = try Tensor.zeros([3, 0]).matmul(try Tensor.zeros([0, 2]))
        XCTAssertEqual(product.shape, [3, 2])
        XCTAssertEqual(product.data, [0, 0, 0, 0, 0, 0])
    }

    func testBroadcastOverTheMemoryLimitIsRefusedBeforeAllocating() throws {
        // `zeros(60000, 1) - zeros(60000)` broadcasts to 3.6 billion elements; inputs fit the limit, the output does not.
        try withSmallMemoryLimit {
            let column = try Tensor.zeros([60000, 1])
            let row = try Tensor.zeros([60000])
            assertRefusedForSize(try column - row)
            assertRefusedForSize(try column + row)
            assertRefusedForSize(try column * row)
            assertRefusedForSize(try column / row)
            assertRefusedForSize(try Tensor.maximum(column, row))
            assertRefusedForSize(try column.lt(row))
            XCTAssertEqual(try (column - column).shape, [60000, 1])
        }
    }

    func testUnsqueezeAndStackAcceptOnlyPyTorchsAxisRange() throws {
        let t = try Tensor.zeros([2, 3])
        XCTAssertEqual(try t.unsqueeze(-1).shape, [2, 3, 1])
        XCTAssertEqual(try t.unsqueeze(-3).shape, [1, 2, 3])
        XCTAssertEqual(try t.unsqueeze(2).shape, [2, 3, 1])
        assertError(try t.unsqueeze(-4), containing: "out of range")
        assertError(try t.unsqueeze(3), containing: "out of range")
        XCTAssertEqual(try Tensor.stack([t, t], axis: -1).shape, [2, 3, 2])
        XCTAssertEqual(try Tensor.stack([t, t], axis: -3).shape, [2, 2, 3])
        assertError(try Tensor.stack([t, t], axis: -4), containing: "out of range")
    }

    func testRepeatedReductionAxesAreAnError() throws {
        let t = try Tensor.ones([2, 3])
        assertError(try t.sum(axes: [0, 0]), containing: "dim 0 appears multiple times")
        assertError(try t.sum(axes: [1, -1]), containing: "dim 1 appears multiple times")
        assertError(try t.mean(axes: [0, -2]), containing: "mean: dim 0 appears multiple times")
        XCTAssertEqual(try t.mean(axes: [1, 0]).data, [1])
    }

    func testReshapeToAnOverflowingShapeIsAnErrorNotATrap() throws {
        let t = try Tensor.zeros([4])
        XCTAssertThrowsError(try t.reshape([huge, huge]))
        XCTAssertThrowsError(try t.reshape([-1, huge, huge]))
        XCTAssertThrowsError(try Tensor.zeros([0]).reshape([huge, 4, 0]))
        XCTAssertEqual(try Tensor.zeros([0]).reshape([huge, 0]).shape, [huge, 0])
    }

    func testConvolutionLayerWithAnOverflowingPaddingIsAnError() throws {
        let input = try Input(shape: [1, 8, 8])
        let overflowing = try Conv2D(filters: 1, kernelSize: 3, padding: .explicit(rows: Int.max, columns: Int.max))
        assertError(try overflowing(input), containing: "overflows")
        assertError(try overflowing(try Tensor.zeros([1, 1, 8, 8])), containing: "overflows")
        // Large enough to compute, far too large to hold: refused when the model is defined, not when first run.
        let wide = try Conv2D(filters: 1, kernelSize: 3, padding: .explicit(rows: 1 << 40, columns: 1 << 40))
        assertError(try wide(input), containing: "exceeds the memory limit")
        let dilated = try Conv2D(filters: 1, kernelSize: 3, dilation: Int.max)
        assertError(try dilated(input), containing: "overflows")
    }

    func testWindowLayersWithHugeStridesDoNotOverflow() throws {
        let input = try Input(shape: [2, 5, 5])
        XCTAssertEqual(try MaxPooling2D(poolSize: 2, strides: Int.max, padding: .same)(input).shape, [2, 1, 1])
        XCTAssertEqual(try ZeroPadShortcut(filters: 4, stride: Int.max)(input).shape, [4, 1, 1])
        XCTAssertThrowsError(try MaxPooling2D(poolSize: (2, 2), strides: nil, padding: .explicit(rows: Int.max, columns: 0)))
    }

    func testResNetConfigurationsThatOverflowAreRejected() throws {
        var config = try ResNetConfig.imagenet(depth: 50)
        config.widths = [Int.max / 2, 2, 2, 2]
        assertError(try config.validate(), containing: "overflows")
        config = try ResNetConfig.cifar(depth: 20)
        config.blocksPerStage = [Int.max, 1, 1]
        assertError(try config.validate(), containing: "overflows")
    }

    func testResNetWithMoreBlocksThanAnyRealNetworkIsRejectedBeforeBuilding() throws {
        var config = try ResNetConfig.cifar(depth: 20)
        config.blocksPerStage = [1_000_000_000, 1, 1]
        assertError(try config.validate(), containing: "at most 10000 blocks")
        config.blocksPerStage = [200, 200, 200]
        XCTAssertNoThrow(try config.validate(), "ResNet-1202's 600 blocks stay possible")
    }

    func testMultiplyAccumulateCountsSaturateInsteadOfTrapping() throws {
        XCTAssertEqual(Shape.saturatingProduct([1 << 40, 1 << 40]), Int.max)
        XCTAssertEqual(Shape.saturatingProduct([3, 4]), 12)
        XCTAssertEqual(Shape.saturatingSum(Int.max, 1), Int.max)
        let conv = try Conv2D(filters: 2, kernelSize: 3)
        XCTAssertEqual(conv.macs(inputShapes: [[1 << 40, 8, 8]], outputShape: [1 << 20, 1 << 20, 1 << 20]), Int.max)
    }
}
