import XCTest
@testable import Kernel

final class NNDropoutTests: XCTestCase {
    func testTrainingMatchesTheGeneratorsMaskAndScales() throws {
        let x = try Tensor.randn([4, 5], generator: RandomGenerator(seed: 11))
        let y = try x.dropout(p: 0.4, training: true, generator: RandomGenerator(seed: 12))
        // The same seed replays the mask: one uniform draw per element, kept when ≥ p.
        let replay = RandomGenerator(seed: 12)
        let kept = (0..<x.count).map { _ in replay.uniform() >= 0.4 }
        XCTAssertTrue(kept.contains(true) && kept.contains(false), "a 20-element mask at p=0.4 should drop some and keep some")
        for i in 0..<x.count {
            XCTAssertEqual(y.data[i], kept[i] ? x.data[i] / 0.6 : 0, accuracy: 1e-6)
        }
    }

    func testEvaluationIsIdentity() throws {
        let x = try Tensor.randn([3, 3], generator: RandomGenerator(seed: 13))
        XCTAssertEqual(try x.dropout(p: 0.5, training: false).data, x.data)
    }

    func testGradientsUseTheSameMask() throws {
        let x = try Tensor.randn([3, 4], generator: RandomGenerator(seed: 14))
        // A fresh generator with the same seed per call, so every finite-difference evaluation sees the same mask.
        try assertGradientsMatch([x]) { t in try t[0].dropout(p: 0.3, training: true, generator: RandomGenerator(seed: 15)) }
    }

    func testProbabilityOutOfRangeIsRefused() throws {
        let x = try Tensor.zeros([2])
        XCTAssertThrowsError(try x.dropout(p: 1, training: true)) { error in
            XCTAssertEqual("\(error)", "dropout: p must be in [0, 1), found 1.0")
        }
        XCTAssertThrowsError(try x.dropout(p: -0.1, training: false))
    }
}
