import XCTest
@testable import Kernel

final class NNLinearTests: XCTestCase {
    func testKnownValuesInPyTorchWeightLayout() throws {
        let x = try Tensor(shape: [2, 3], data: [1, 2, 3, 4, 5, 6])
        // weight [out=2, in=3]: row o holds the weights of output o.
        let w = try Tensor(shape: [2, 3], data: [1, 0, -1, 0.5, 0.5, 0.5])
        let b = try Tensor(shape: [2], data: [10, -10])
        let y = try x.linear(weight: w, bias: b)
        XCTAssertEqual(y.shape, [2, 2])
        XCTAssertEqual(y.data, [8, -7, 8, -2.5])
        XCTAssertEqual(try x.linear(weight: w, bias: nil).data, [-2, 3, -2, 7.5])
    }

    func testLeadingDimensionsAreTheBatch() throws {
        let x = try Tensor.ones([2, 2, 3])
        let w = try Tensor.ones([4, 3])
        let y = try x.linear(weight: w, bias: nil)
        XCTAssertEqual(y.shape, [2, 2, 4])
        XCTAssertEqual(y.data, [Float](repeating: 3, count: 16))
    }

    func testGradients() throws {
        let g = RandomGenerator(seed: 10)
        let x = try Tensor.randn([3, 4], generator: g)
        let w = try Tensor.randn([5, 4], generator: g), b = try Tensor.randn([5], generator: g)
        try assertGradientsMatch([x, w, b]) { t in try t[0].linear(weight: t[1], bias: t[2]) }
    }

    func testFeatureMismatchNamesBothShapes() throws {
        XCTAssertThrowsError(try Tensor.zeros([2, 3]).linear(weight: try Tensor.zeros([5, 4]), bias: nil)) { error in
            XCTAssertEqual(
                "\(error)", "linear: shape mismatch: expected input with 4 features (last axis) to match weight [5, 4], found input [2, 3]")
        }
        XCTAssertThrowsError(try Tensor.zeros([2, 4]).linear(weight: try Tensor.zeros([5, 4]), bias: try Tensor.zeros([4])))
    }
}
