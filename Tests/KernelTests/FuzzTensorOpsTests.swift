import Foundation
import XCTest
@testable import Kernel

/// Random tensor operations on small random shapes — 0-d tensors, empty dimensions, mismatched ranks,
/// axes and indices out of range, zero and negative steps — followed by a backward pass through whatever
/// was built. Every call must return a tensor whose data matches its shape or throw a `KernelError`;
/// a trap (index out of range, overflow) would end the test process.
///
/// Replay or lengthen a run with `RNX_FUZZ_SEED=<n>` and `RNX_FUZZ_SCALE=<factor>`; with
/// `RNX_FUZZ_TRACE=<file>` each operation is written there before it runs.
final class FuzzTensorOpsTests: XCTestCase {
    func testRandomOperationsOnOddShapesThrowOrSucceed() throws {
        var random = FuzzRandom(seed: FuzzCorruptFilesTests.seed(0x7E45))
        let trace = ProcessInfo.processInfo.environment["RNX_FUZZ_TRACE"]
        var calls: [String: Int] = [:]
        var failures: [String: Int] = [:]
        for _ in 0..<FuzzCorruptFilesTests.count(20_000) {
            let operands = (0..<2).map { _ in Self.randomTensor(using: &random) }
            let (name, operation) = Self.randomOperation(using: &random)
            let description = "\(name) on \(operands.map { shapeString($0.shape) }.joined(separator: ", "))"
            if let trace { try? description.write(toFile: trace, atomically: false, encoding: .utf8) }
            calls[name, default: 0] += 1
            do {
                let result = try operation(operands[0], operands[1])
                XCTAssertEqual(
                    result.data.count, Shape.count(result.shape),
                    "\(description) gave \(result.data.count) values for shape \(shapeString(result.shape))")
                if result.requiresGrad {
                    if let trace { try? (description + " (backward)").write(toFile: trace, atomically: false, encoding: .utf8) }
                    try result.sum().backward()
                    for operand in operands where operand.requiresGrad {
                        XCTAssertEqual(operand.grad?.count ?? operand.count, operand.count, "\(description): gradient of the wrong size")
                    }
                }
            } catch let error as KernelError {
                XCTAssertFalse(error.description.isEmpty)
                failures[name, default: 0] += 1
            } catch {
                XCTFail("\(description): not a KernelError: \(error)")
            }
        }
        let total = calls.values.reduce(0, +)
        let summary = calls.keys.sorted().map { "\($0) \(calls[$0] ?? 0)/\(failures[$0] ?? 0)" }.joined(separator: ", ")
        print("fuzz: tensor ops: \(total) calls, 0 crashes, \(failures.values.reduce(0, +)) rejected (calls/rejected per op: \(summary))")
    }

    func testRandomNetworkOperationsWithOddArgumentsThrowOrSucceed() throws {
        var random = FuzzRandom(seed: FuzzCorruptFilesTests.seed(0x44E7))
        let trace = ProcessInfo.processInfo.environment["RNX_FUZZ_TRACE"]
        var calls = 0
        var rejected = 0
        for _ in 0..<FuzzCorruptFilesTests.count(8_000) {
            let input = Self.randomTensor(rank: random.chance(0.6) ? 4 : random.within(1...3), using: &random)
            var other = Self.randomTensor(rank: random.chance(0.6) ? 4 : random.within(1...3), using: &random)
            if random.chance(0.5), input.rank >= 2, other.rank >= 2 {
                // Often a compatible weight: its input channels (or features) match the input's.
                var shape = other.shape
                shape[1] = input.shape[1]
                other = Tensor(unchecked: shape, data: [Float](repeating: 0.5, count: Shape.count(shape)))
                other.requiresGrad = true
            }
            let pair = (random.within(-1...3), random.within(-1...3))
            let small = (random.within(0...2), random.within(0...2))
            let targets = (0..<random.within(0...4)).map { _ in random.within(-1...4) }
            let rate = random.pick([Float(-0.5), 0, 0.5, 1, 1.5, .nan])
            let operations: [(String, () throws -> Tensor)] = [
                (
                    "conv2d",
                    {
                        try input.conv2d(
                            weight: other, bias: random.chance(0.5) ? nil : Tensor.vector([1, 2]), stride: pair, padding: small,
                            dilation: (pair.1, pair.0))
                    }
                ),
                ("maxPool2d", { try input.maxPool2d(kernel: pair, stride: random.chance(0.5) ? nil : small, padding: small) }),
                ("avgPool2d", { try input.avgPool2d(kernel: pair, stride: random.chance(0.5) ? nil : small, padding: small) }),
                ("globalAvgPool2d", { try input.globalAvgPool2d() }),
                (
                    "batchNorm",
                    {
                        try input.batchNorm(
                            weight: random.chance(0.5) ? nil : other, bias: nil, runningMean: Tensor.vector([0, 0]),
                            runningVar: Tensor.vector([1, 1]), training: random.chance(0.5))
                    }
                ),
                ("linear", { try input.linear(weight: other, bias: random.chance(0.5) ? nil : Tensor.vector([1, 2, 3])) }),
                ("dropout", { try input.dropout(p: rate, training: true, generator: RandomGenerator(seed: 1)) }),
                ("crossEntropy", { try Loss.crossEntropy(logits: input, targets: targets, labelSmoothing: rate) }),
                ("mse", { try Loss.mse(input, other) }),
                ("resize", { try input.resize(height: pair.0, width: pair.1) }),
                ("padChannels", { try input.padChannels(before: pair.0, after: small.1) }),
                ("subsample", { try input.subsample(stride: pair.0) }),
            ]
            let (name, operation) = random.pick(operations)
            let description = "\(name) on \(shapeString(input.shape)) with \(shapeString(other.shape)), \(pair), \(small), \(targets), \(rate)"
            if let trace { try? description.write(toFile: trace, atomically: false, encoding: .utf8) }
            calls += 1
            do {
                let result = try operation()
                XCTAssertEqual(result.data.count, Shape.count(result.shape), description)
                if result.requiresGrad, result.count > 0 { try result.sum().backward() }
            } catch let error as KernelError {
                XCTAssertFalse(error.description.isEmpty)
                rejected += 1
            } catch {
                XCTFail("\(description): not a KernelError: \(error)")
            }
        }
        print("fuzz: network ops: \(calls) calls, 0 crashes, \(rejected) rejected")
    }

    func testZeroDimensionalAndEmptyTensorsThatOnceTrapped() throws {
        // Reductions of a 0-d tensor along axis 0 reduce its one element, as in PyTorch.
        let scalar = try Tensor(shape: [], data: [3], requiresGrad: true)
        let total = try scalar.sum(axes: [0])
        XCTAssertEqual(total.shape, [])
        XCTAssertEqual(total.data, [3])
        XCTAssertEqual(try scalar.mean(axes: [0]).data, [3])
        XCTAssertEqual(try scalar.max(axis: 0).data, [3])
        XCTAssertEqual(try scalar.argmax(axis: 0).data, [0])
        try (try scalar.min(axis: 0) * total).backward()
        XCTAssertEqual(scalar.grad?.data, [6])
        // Ops that pick along a dimension have none to pick along.
        for (name, operation) in [
            ("concat", { try Tensor.concat([scalar, scalar], axis: 0) }), ("slice", { try scalar.slice(axis: 0, start: 0) }),
            ("select", { try scalar.select(index: 0) }), ("index_select", { try scalar.indexSelect(axis: 0, indices: [0]) }),
        ] {
            XCTAssertThrowsError(try operation()) { error in
                XCTAssertEqual("\(error)", "\(name): a 0-d tensor has no axis 0 (reshape it to [1] first)")
            }
        }
        XCTAssertThrowsError(try scalar.size(0)) { error in XCTAssertEqual("\(error)", "size: a 0-d tensor has no dimension 0") }
        // Padding cannot make pooling windows over an image without pixels.
        let empty = try Tensor.zeros([1, 2, 0, 3], requiresGrad: true)
        XCTAssertThrowsError(try empty.maxPool2d(kernel: (2, 2), padding: (1, 1))) { error in
            XCTAssertEqual("\(error)", "max_pool2d: shape mismatch: expected an image of positive height and width, found input [1, 2, 0, 3]")
        }
        XCTAssertThrowsError(try empty.avgPool2d(kernel: (2, 2), padding: (1, 1)))
    }

    /// A tensor of rank 0…3 (or `rank`) with sizes 0…3 (empty and 0-d tensors included), often requiring gradients.
    private static func randomTensor(rank: Int? = nil, using random: inout FuzzRandom) -> Tensor {
        let shape = (0..<(rank ?? random.below(4))).map { _ in random.pick([0, 1, 1, 2, 2, 3]) }
        let count = Shape.count(shape)
        let values = (0..<count).map { _ in Float(random.within(-20...20)) / 4 }
        let tensor = Tensor(unchecked: shape, data: values)
        tensor.requiresGrad = random.chance(0.6)
        return tensor
    }

    private typealias Operation = (Tensor, Tensor) throws -> Tensor

    /// One operation with random arguments (axes, indices, shapes), named for the summary.
    private static func randomOperation(using random: inout FuzzRandom) -> (String, Operation) {
        let axis = random.within(-4...4)
        let other = random.within(-4...4)
        let index = random.within(-3...3)
        let keep = random.chance(0.5)
        let shape = (0..<random.within(0...3)).map { _ in random.pick([-1, 0, 1, 2, 3, 6]) }
        let order = (0..<random.within(0...4)).map { _ in random.within(-1...3) }
        let bounds = (random.chance(0.7) ? random.within(-4...4) : nil, random.chance(0.7) ? random.within(-4...4) : nil)
        let step = random.pick([1, 1, 2, -1, 0, 3])
        let indices = (0..<random.within(0...3)).map { _ in random.within(-2...3) }
        let exponent = random.pick([Float(2), 0.5, -1, 0, 3])
        let operations: [(String, Operation)] = [
            ("add", { try $0 + $1 }), ("sub", { try $0 - $1 }), ("mul", { try $0 * $1 }), ("div", { try $0 / $1 }),
            ("maximum", { try Tensor.maximum($0, $1) }), ("lt", { try $0.lt($1) }), ("matmul", { try $0.matmul($1) }),
            ("pow", { x, _ in x.pow(exponent) }), ("clamp", { x, _ in x.clamp(min: -1, max: 1) }), ("log", { x, _ in x.log() }),
            ("sum", { x, _ in x.sum() }), ("mean", { x, _ in x.mean() }),
            ("sum(axes)", { x, _ in try x.sum(axes: [axis], keepDims: keep) }),
            ("mean(axes)", { x, _ in try x.mean(axes: [axis, other], keepDims: keep) }),
            ("argmax(axis)", { x, _ in try x.argmax(axis: axis, keepDims: keep) }), ("argmax", { x, _ in Tensor.vector([Float(try x.argmax())]) }),
            ("max(axis)", { x, _ in try x.max(axis: axis, keepDims: keep) }), ("min(axis)", { x, _ in try x.min(axis: axis, keepDims: keep) }),
            ("max", { x, _ in try x.max() }), ("min", { x, _ in try x.min() }),
            ("softmax", { x, _ in try x.softmax(axis: axis) }), ("logSoftmax", { x, _ in try x.logSoftmax(axis: axis) }),
            ("reshape", { x, _ in try x.reshape(shape) }), ("flatten", { x, _ in try x.flatten(from: axis) }),
            ("unsqueeze", { x, _ in try x.unsqueeze(axis) }), ("permute", { x, _ in try x.permute(order) }),
            ("transpose", { x, _ in try x.transpose(axis, other) }),
            ("slice", { x, _ in try x.slice(axis: axis, start: bounds.0, end: bounds.1, step: step) }),
            ("select", { x, _ in try x.select(axis: axis, index: index) }),
            ("indexSelect", { x, _ in try x.indexSelect(axis: axis, indices: indices) }),
            ("concat", { try Tensor.concat([$0, $1], axis: axis) }), ("concat(self)", { x, _ in try Tensor.concat([x, x], axis: axis) }),
            ("stack", { try Tensor.stack([$0, $1], axis: axis) }), ("stack(self)", { x, _ in try Tensor.stack([x, x, x], axis: axis) }),
            ("item", { x, _ in Tensor.vector([try x.item()]) }), ("size", { x, _ in Tensor.vector([Float(try x.size(axis))]) }),
            (
                "assign",
                { x, y in
                    try x.detach().assign(y)
                    return x
                }
            ),
        ]
        return random.pick(operations)
    }
}
