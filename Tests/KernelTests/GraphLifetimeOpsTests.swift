import XCTest
@testable import Kernel

/// Whether the tensor `make` builds is freed once its last reference goes, without `backward()` ever being called.
///
/// A backward closure that captures its own output keeps output → graph node → closure → output alive forever, so every
/// graph dropped before `backward()` (an evaluation under gradients, an error halfway through a step) would leak.
/// `make` must return a tensor on the tape (an input that requires a gradient), or the check proves nothing.
@inline(never)
func isReleased(_ make: () throws -> Tensor) throws -> Bool {
    weak var weakOutput: Tensor?
    try inScope {
        let output = try make()
        XCTAssertTrue(output.gradFnName != nil, "the tensor to check must be on the tape, or a cycle could not show")
        weakOutput = output
    }
    return weakOutput == nil
}

/// Runs `body` in a frame of its own, so the optimiser cannot stretch the lifetime of its locals past it.
@inline(never)
private func inScope(_ body: () throws -> Void) rethrows {
    try body()
}

/// Asserts that the tensor `make` builds, and the graph behind it, are freed when dropped without `backward()`
/// (see `isReleased`). Shared by the lifetime tests of every op family.
func assertReleased(_ label: String, file: StaticString = #filePath, line: UInt = #line, _ make: () throws -> Tensor) {
    // XCTAssertTrue reports an error thrown by `make` as a failure of this assertion.
    XCTAssertTrue(
        try isReleased(make), "\(label): the result outlives its last reference (its backward closure keeps it alive)",
        file: file, line: line)
}

/// Every differentiable op of Core and Ops, and every layer and a whole model, leaves no retain cycle on the tape.
final class GraphLifetimeOpsTests: XCTestCase {
    private func leaf(_ shape: [Int] = [2, 3]) throws -> Tensor {
        try Tensor.randn(shape, requiresGrad: true)
    }

    func testTheCheckDetectsAClosureThatCapturesItsOutput() throws {
        // Deliberately leaks one small tensor: the proof that a cycle shows up as a failure.
        XCTAssertFalse(
            try isReleased {
                let x = try leaf()
                let output = Tensor(unchecked: x.shape, data: x.data)
                return output.record("cyclic", inputs: [x]) { _ in _ = output.shape }
            })
    }

    func testUnaryAndScalarOpsFreeTheirResults() {
        let ops: [(String, (Tensor) throws -> Tensor)] = [
            ("neg", { -$0 }), ("tensor + number", { $0 + 2 }), ("number + tensor", { 2 + $0 }),
            ("tensor - number", { $0 - 2 }), ("number - tensor", { 2 - $0 }), ("tensor * number", { $0 * 2 }),
            ("number * tensor", { 2 * $0 }), ("tensor / number", { $0 / 2 }), ("number / tensor", { 2 / $0 }),
            ("pow", { $0.pow(2) }), ("exp", { $0.exp() }), ("log", { $0.abs().log() }), ("sqrt", { $0.abs().sqrt() }),
            ("abs", { $0.abs() }), ("tanh", { $0.tanh() }), ("sigmoid", { $0.sigmoid() }), ("relu", { $0.relu() }),
            ("leakyRelu", { $0.leakyRelu() }), ("clamp", { $0.clamp(min: -0.5, max: 0.5) }),
        ]
        for (name, op) in ops {
            assertReleased(name) { try op(try leaf()) }
        }
    }

    func testBinaryOpsFreeTheirResults() {
        let ops: [(String, (Tensor, Tensor) throws -> Tensor)] = [
            ("add", { try $0 + $1 }), ("sub", { try $0 - $1 }), ("mul", { try $0 * $1 }), ("div", { try $0 / $1 }),
            ("maximum", { try Tensor.maximum($0, $1) }), ("add_relu", { try Tensor.addReLU($0, $1) }),
        ]
        for (name, op) in ops {
            assertReleased(name + " (same shapes)") { try op(try leaf(), try leaf()) }
            assertReleased(name + " (broadcast)") { try op(try leaf([2, 1]), try leaf([3])) }
            assertReleased(name + " (one element)") { try op(try leaf(), try leaf([1])) }
        }
    }

    func testReductionsFreeTheirResults() {
        let ops: [(String, (Tensor) throws -> Tensor)] = [
            ("sum", { $0.sum() }), ("mean", { $0.mean() }), ("sum(axes)", { try $0.sum(axes: [1]) }),
            ("sum(axes, keepDims)", { try $0.sum(axes: [0, 1], keepDims: true) }), ("mean(axes)", { try $0.mean(axes: [0]) }),
            ("max(axis)", { try $0.max(axis: 1) }), ("min(axis)", { try $0.min(axis: 0, keepDims: true) }),
            ("max", { try $0.max() }), ("min", { try $0.min() }),
            ("sum of an empty tensor", { try $0.slice(axis: 0, start: 0, end: 0).sum(axes: [0]) }),
        ]
        for (name, op) in ops {
            assertReleased(name) { try op(try leaf()) }
        }
    }

    func testShapeOpsAndMatrixProductsFreeTheirResults() {
        let ops: [(String, (Tensor) throws -> Tensor)] = [
            ("reshape", { try $0.reshape([3, 2]) }), ("flatten", { try $0.flatten(from: 0) }), ("unsqueeze", { try $0.unsqueeze(0) }),
            ("permute", { try $0.permute([1, 0]) }), ("transpose", { try $0.transpose() }),
            ("slice", { try $0.slice(axis: 1, start: 1) }), ("select", { try $0.select(axis: 0, index: 1) }),
            ("index_select", { try $0.indexSelect(axis: 1, indices: [2, 0, 2]) }),
            ("concat", { try Tensor.concat([$0, $0], axis: 1) }), ("stack", { try Tensor.stack([$0, $0], axis: -1) }),
            ("matmul", { try $0.matmul(try Tensor.randn([3, 4], requiresGrad: true)) }),
            ("batched matmul", { try $0.unsqueeze(0).matmul(try Tensor.randn([1, 3, 2])) }),
            ("empty concat", { try Tensor.concat([$0.slice(axis: 0, start: 2), $0.slice(axis: 0, start: 2)], axis: 1) }),
        ]
        for (name, op) in ops {
            assertReleased(name) { try op(try leaf()) }
        }
    }

    func testLayersFreeTheirResults() throws {
        let images = try Tensor.randn([2, 4, 6, 6])
        let layers: [(String, () throws -> Layer, Bool)] = [
            ("Conv2D", { try Conv2D(filters: 4, kernelSize: 3, padding: .same) }, true),
            ("Conv2D strided", { try Conv2D(filters: 4, kernelSize: 2, strides: 2, padding: .same) }, true),
            ("BatchNormalization", { try BatchNormalization() }, true),
            ("ReLU", { try ReLU() }, false), ("LeakyReLU", { try LeakyReLU() }, false),
            ("Activation", { try Activation("tanh") }, false), ("Softmax", { try Softmax(axis: 1) }, false),
            ("MaxPooling2D", { try MaxPooling2D(poolSize: 2) }, false),
            ("MaxPooling2D same", { try MaxPooling2D(poolSize: 3, strides: 2, padding: .same) }, false),
            ("AveragePooling2D same", { try AveragePooling2D(poolSize: 3, strides: 2, padding: .same) }, false),
            ("GlobalAveragePooling2D", { try GlobalAveragePooling2D() }, false),
            ("Flatten", { try Flatten() }, false), ("ZeroPadShortcut", { try ZeroPadShortcut(filters: 8, stride: 2) }, false),
            ("Dropout", { try Dropout(rate: 0.5) }, false),
            ("StochasticDepth", { try StochasticDepth(survivalProbability: 0.5, mode: .sample) }, false),
        ]
        for (name, make, hasWeights) in layers {
            let layer = try make()
            // A layer with weights puts the tape behind its output through them; the others need an input on it.
            let input = hasWeights ? images : try Tensor.randn([2, 4, 6, 6], requiresGrad: true)
            assertReleased(name) { try layer(input, training: true) }
        }
        let dense = try Dense(units: 3)
        assertReleased("Dense") { try dense(try Tensor.randn([2, 5]), training: true) }
        let add = try Add()
        assertReleased("Add") { try add([try leaf(), try leaf()], training: true) }
        let concatenate = try Concatenate(axis: 1)
        assertReleased("Concatenate") { try concatenate([try leaf(), try leaf()], training: true) }
    }

    func testModelForwardPassWithGradientsDroppedWithoutBackwardIsFreed() throws {
        let model = try ResNet.cifarResNet(depth: 8, inputShape: [3, 8, 8])
        model.train()
        let batch = try Tensor.randn([2, 3, 8, 8])
        assertReleased("cifar ResNet-8 in training") { try model(batch) }
        model.eval()
        assertReleased("cifar ResNet-8 in evaluation with gradients") { try model(batch) }
    }
}
