import XCTest
@testable import Kernel

/// SGD updates parameters and momentum buffers in place, with exactly the values of the formula computed step by step
/// on copies (the implementation before the in-place update), for every combination of its options.
final class SGDInPlaceTests: XCTestCase {
    /// The formula of `SGD`'s documentation on plain arrays, operation for operation.
    private struct ReferenceSGD {
        let lr: Float, momentum: Float, dampening: Float, decay: Float, nesterov: Bool
        var buffer: [Float]?

        mutating func step(_ values: inout [Float], _ grad: [Float]) {
            var d = grad
            if decay != 0 { for i in d.indices { d[i] += decay * values[i] } }
            if momentum != 0 {
                var b: [Float]
                if let previous = buffer {
                    b = previous
                    for i in b.indices { b[i] = momentum * b[i] + (1 - dampening) * d[i] }
                } else {
                    b = d
                }
                buffer = b
                if nesterov { for i in d.indices { d[i] += momentum * b[i] } } else { d = b }
            }
            for i in values.indices { values[i] -= lr * d[i] }
        }
    }

    func testEveryOptionCombinationGivesTheFormulasValuesOverSeveralSteps() throws {
        // 37 values: a tail after any vector loop.
        let start = try Tensor.randn([37], generator: RandomGenerator(seed: 41)).data
        let options: [(momentum: Float, dampening: Float, decay: Float, nesterov: Bool)] = [
            (0, 0, 0, false), (0, 0, 0.01, false), (0.9, 0, 0, false), (0.9, 0, 0.01, false),
            (0.9, 0, 0, true), (0.9, 0, 0.01, true), (0.8, 0.5, 0, false), (0.8, 0.5, 0.02, false),
        ]
        for option in options {
            let p = try Tensor(shape: [37], data: start, requiresGrad: true)
            let sgd = try SGD(
                [NamedTensor(name: "w", tensor: p)], learningRate: 0.1, momentum: Double(option.momentum),
                dampening: Double(option.dampening), weightDecay: Double(option.decay), nesterov: option.nesterov)
            var reference = ReferenceSGD(
                lr: 0.1, momentum: option.momentum, dampening: option.dampening, decay: option.decay,
                nesterov: option.nesterov, buffer: nil)
            var expected = start
            for step in 0..<4 {
                let slope = try Tensor.randn([37], generator: RandomGenerator(seed: UInt64(50 + step)))
                p.zeroGrad()
                try (p * slope).sum().backward()
                let grad = try XCTUnwrap(p.grad).data
                try sgd.step()
                reference.step(&expected, grad)
                XCTAssertEqual(p.data, expected, "step \(step) with \(option)")
                XCTAssertEqual(p.grad?.data, grad, "the gradient is left as it was")
            }
        }
    }
}
