import XCTest
@testable import Kernel

final class TensorTests: XCTestCase {
    func testCreationAndShapeChecks() throws {
        let t = try Tensor(shape: [2, 3], data: [1, 2, 3, 4, 5, 6])
        XCTAssertEqual(t.shape, [2, 3])
        XCTAssertThrowsError(try Tensor(shape: [2, 2], data: [1, 2, 3])) { error in
            XCTAssertEqual("\(error)", "tensor: shape mismatch: expected 4 values for shape [2, 2], found 3 values")
        }
        XCTAssertEqual(try Tensor.arange(0, 5).data, [0, 1, 2, 3, 4])
        XCTAssertEqual(try Tensor.full([2], 7).data, [7, 7])
    }

    func testHugeAllocationIsRefused() {
        XCTAssertThrowsError(try Tensor.zeros([100_000, 100_000, 100])) { error in
            guard case KernelError.allocationTooLarge = error else { return XCTFail("\(error)") }
        }
        XCTAssertThrowsError(try Tensor.arange(0, 1e30, step: 1e-30)) { error in
            guard case KernelError.allocationTooLarge = error else { return XCTFail("\(error)") }
        }
    }

    func testSeededGeneratorIsReproducible() throws {
        seed(42)
        let a = try Tensor.randn([5])
        seed(42)
        let b = try Tensor.randn([5])
        XCTAssertEqual(a.data, b.data)
        let c = try Tensor.randn([5])
        XCTAssertNotEqual(a.data, c.data)
    }

    func testRandnHasUnitVariance() throws {
        let t = try Tensor.randn([20_000], generator: RandomGenerator(seed: 1))
        let mean = t.data.reduce(0, +) / Float(t.count)
        let variance = t.data.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Float(t.count)
        XCTAssertEqual(mean, 0, accuracy: 0.03)
        XCTAssertEqual(variance, 1, accuracy: 0.05)
    }

    func testBroadcastingArithmetic() throws {
        let a = try Tensor(shape: [2, 3], data: [1, 2, 3, 4, 5, 6])
        let row = try Tensor(shape: [3], data: [10, 20, 30])
        let column = try Tensor(shape: [2, 1], data: [100, 200])
        XCTAssertEqual(try (a + row).data, [11, 22, 33, 14, 25, 36])
        XCTAssertEqual(try (a * column).data, [100, 200, 300, 800, 1000, 1200])
        XCTAssertThrowsError(try a + Tensor(shape: [2], data: [1, 2])) { error in
            XCTAssertTrue("\(error)".contains("add: shape mismatch"), "\(error)")
        }
    }

    func testReductions() throws {
        let a = try Tensor(shape: [2, 3], data: [1, 5, 3, 4, 2, 6])
        XCTAssertEqual(try a.sum(axes: [0]).data, [5, 7, 9])
        XCTAssertEqual(try a.sum(axes: [1], keepDims: true).shape, [2, 1])
        XCTAssertEqual(try a.mean(axes: [-1]).data, [3, 4])
        XCTAssertEqual(try a.max(axis: 1).data, [5, 6])
        XCTAssertEqual(try a.argmax(axis: 1).data, [1, 2])
        XCTAssertEqual(try a.argmax(), 5)
        XCTAssertEqual(a.sum().data, [21])
    }

    func testShapeOps() throws {
        let a = try Tensor.arange(0, 6).reshape([2, 3])
        XCTAssertEqual(try a.transpose().data, [0, 3, 1, 4, 2, 5])
        XCTAssertEqual(try a.reshape([-1, 2]).shape, [3, 2])
        XCTAssertEqual(try a.slice(axis: 1, start: 1).data, [1, 2, 4, 5])
        XCTAssertEqual(try a.slice(axis: 1, step: -1).data, [2, 1, 0, 5, 4, 3])
        XCTAssertEqual(try a.select(index: -1).data, [3, 4, 5])
        XCTAssertEqual(try Tensor.concat([a, a], axis: 1).shape, [2, 6])
        XCTAssertEqual(try Tensor.stack([a, a], axis: 0).shape, [2, 2, 3])
        XCTAssertThrowsError(try a.reshape([4, 2]))
        XCTAssertThrowsError(try a.select(index: 2))
    }

    func testMatmulMatchesHandComputation() throws {
        let a = try Tensor(shape: [2, 3], data: [1, 2, 3, 4, 5, 6])
        let b = try Tensor(shape: [3, 2], data: [7, 8, 9, 10, 11, 12])
        XCTAssertEqual(try a.matmul(b).data, [58, 64, 139, 154])
        XCTAssertThrowsError(try a.matmul(a))
    }

    func testGradientsAccumulateAndNoGradRecordsNothing() throws {
        let x = try Tensor(shape: [2], data: [1, 2], requiresGrad: true)
        try (x * x).sum().backward()
        try (x * x).sum().backward()
        XCTAssertEqual(x.grad?.data, [4, 8])
        x.zeroGrad()
        XCTAssertNil(x.grad)
        let y = noGrad { x * 3 }
        XCTAssertFalse(y.requiresGrad)
        XCTAssertThrowsError(try y.sum().backward())
    }

    func testElementwiseGradients() throws {
        let g = RandomGenerator(seed: 3)
        let a = try Tensor.rand([2, 3], low: 0.5, high: 2, generator: g)
        let b = try Tensor.rand([3], low: 0.5, high: 2, generator: g)
        let c = try Tensor.rand([2, 1], low: 0.5, high: 2, generator: g)
        try assertGradientsMatch([a, b]) { try $0[0] + $0[1] }
        try assertGradientsMatch([a, b]) { try $0[0] - $0[1] }
        try assertGradientsMatch([a, c]) { try $0[0] * $0[1] }
        try assertGradientsMatch([a, b]) { try $0[0] / $0[1] }
        try assertGradientsMatch([a, c]) { try Tensor.maximum($0[0], $0[1] + 0.05) }
        try assertGradientsMatch([a]) { -$0[0] * 2 + 1 }
        try assertGradientsMatch([a]) { 3 / $0[0] - 1 }
        try assertGradientsMatch([a]) { $0[0].pow(2.5) }
        try assertGradientsMatch([a]) { $0[0].exp() }
        try assertGradientsMatch([a]) { $0[0].log() }
        try assertGradientsMatch([a]) { $0[0].sqrt() }
        try assertGradientsMatch([a]) { $0[0].tanh() }
        try assertGradientsMatch([a]) { $0[0].sigmoid() }
        try assertGradientsMatch([a]) { ($0[0] - 1.2).relu() }
        try assertGradientsMatch([a]) { ($0[0] - 1.2).leakyRelu(slope: 0.1) }
        try assertGradientsMatch([a]) { ($0[0] - 1.2).abs() }
        try assertGradientsMatch([a]) { $0[0].clamp(min: 0.8, max: 1.5) }
    }

    func testReductionAndShapeGradients() throws {
        let a = try Tensor.randn([2, 3, 4], generator: RandomGenerator(seed: 5))
        try assertGradientsMatch([a]) { $0[0].sum() }
        try assertGradientsMatch([a]) { $0[0].mean() }
        try assertGradientsMatch([a]) { try $0[0].sum(axes: [0, 2]) }
        try assertGradientsMatch([a]) { try $0[0].mean(axes: [1], keepDims: true) }
        try assertGradientsMatch([a]) { try $0[0].max(axis: 2) }
        try assertGradientsMatch([a]) { try $0[0].min(axis: 0) }
        try assertGradientsMatch([a]) { try $0[0].reshape([4, -1]) }
        try assertGradientsMatch([a]) { try $0[0].permute([2, 0, 1]) }
        try assertGradientsMatch([a]) { try $0[0].transpose(0, 2) }
        try assertGradientsMatch([a]) { try $0[0].slice(axis: 2, start: 1, end: 4, step: 2) }
        try assertGradientsMatch([a]) { try $0[0].select(axis: 1, index: 1) }
        try assertGradientsMatch([a]) { try $0[0].indexSelect(axis: 0, indices: [1, 1, 0]) }
        try assertGradientsMatch([a, a.detach()]) { try Tensor.concat([$0[0], $0[1]], axis: 1) }
        try assertGradientsMatch([a, a.detach()]) { try Tensor.stack([$0[0], $0[1]], axis: 3) }
    }

    func testMatmulGradients() throws {
        let g = RandomGenerator(seed: 7)
        try assertGradientsMatch([try Tensor.randn([3, 4], generator: g), try Tensor.randn([4, 5], generator: g)]) { try $0[0].matmul($0[1]) }
        try assertGradientsMatch([try Tensor.randn([2, 3, 4], generator: g), try Tensor.randn([4, 2], generator: g)]) { try $0[0].matmul($0[1]) }
        try assertGradientsMatch([try Tensor.randn([2, 3, 4], generator: g), try Tensor.randn([2, 4, 2], generator: g)]) { try $0[0].matmul($0[1]) }
    }

    func testPrintingAbbreviatesLargeTensors() throws {
        let small = try Tensor(shape: [2, 2], data: [1, 2, 3, 4.5])
        XCTAssertEqual(small.description, "tensor([[1.0000, 2.0000],\n        [3.0000, 4.5000]], shape=[2, 2])")
        XCTAssertEqual(Tensor.vector([1, 2, 3]).description, "tensor([1., 2., 3.])")
        let big = try Tensor.arange(0, 2000)
        XCTAssertTrue(big.description.contains("..."))
        XCTAssertLessThan(big.description.count, 200)
        XCTAssertTrue(big.summary.hasPrefix("Tensor [2000] float32  min 0.0000  max 1999.0000"), big.summary)
    }
}
