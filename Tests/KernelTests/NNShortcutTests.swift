import XCTest
@testable import Kernel

final class NNShortcutTests: XCTestCase {
    func testPadChannelsAddsZeroChannelsOnAxisOne() throws {
        let x = try Tensor(shape: [2, 1, 1, 2], data: [1, 2, 3, 4])
        let y = try x.padChannels(before: 1, after: 2)
        XCTAssertEqual(y.shape, [2, 4, 1, 2])
        XCTAssertEqual(y.data, [0, 0, 1, 2, 0, 0, 0, 0, 0, 0, 3, 4, 0, 0, 0, 0])
    }

    func testSubsampleTakesEveryStrideThPixelFromZero() throws {
        let x = try Tensor(shape: [1, 1, 3, 5], data: (0..<15).map(Float.init))
        let y = try x.subsample(stride: 2)
        XCTAssertEqual(y.shape, [1, 1, 2, 3])
        XCTAssertEqual(y.data, [0, 2, 4, 10, 12, 14])
    }

    func testGradients() throws {
        let x = try Tensor.randn([2, 2, 3, 4], generator: RandomGenerator(seed: 16))
        try assertGradientsMatch([x]) { t in try t[0].padChannels(before: 2, after: 1) }
        try assertGradientsMatch([x]) { t in try t[0].subsample(stride: 2) }
        try assertGradientsMatch([x]) { t in try t[0].subsample(stride: 2).padChannels(before: 1, after: 1) }
    }

    func testBadArgumentsAreRefused() throws {
        let x = try Tensor.zeros([1, 2, 4, 4])
        XCTAssertThrowsError(try x.padChannels(before: -1, after: 0))
        XCTAssertThrowsError(try x.subsample(stride: 0)) { error in
            XCTAssertEqual("\(error)", "subsample: stride must be positive, found 0")
        }
        XCTAssertThrowsError(try Tensor.zeros([3]).padChannels(before: 1, after: 1))
    }
}
