import XCTest
@testable import Kernel

/// Data-parallel training sends a parameter's gradient as soon as backward reports it final, so the report must come
/// once per leaf, after the last op that adds to it, and never for a leaf that needs no gradient.
final class GradientReadyHookTests: XCTestCase {
    func testEachLeafIsReportedOnceWithItsFinalGradient() throws {
        let generator = RandomGenerator(seed: 4)
        let x = try Tensor.randn([3, 4], generator: generator)
        let w1 = try Tensor.randn([4, 5], generator: generator, requiresGrad: true)
        let w2 = try Tensor.randn([5, 2], generator: generator, requiresGrad: true)
        // w1 is read twice, once early and once late in the graph: it is final only after both.
        let hidden = try x.matmul(w1).relu()
        let loss = try (try hidden.matmul(w2)).sum() + (try x.matmul(w1)).sum()

        var reported: [(name: String, gradient: [Float])] = []
        GradientReadyHook.current = { leaf in
            reported.append((leaf === w1 ? "w1" : leaf === w2 ? "w2" : "other", leaf.grad?.data ?? []))
        }
        defer { GradientReadyHook.current = nil }
        try loss.backward()

        XCTAssertEqual(reported.map(\.name).sorted(), ["w1", "w2"])
        for (name, gradient) in reported {
            XCTAssertEqual(gradient, (name == "w1" ? w1 : w2).grad?.data, "\(name) was reported before its gradient was final")
        }
    }
}
