import XCTest
@testable import Kernel

/// Each optimizer's update against values worked out by hand from the PyTorch update rules.
final class OptimizerTests: XCTestCase {
    /// A parameter with `values` whose next gradient will be `gradient`.
    private func parameter(_ values: [Float]) throws -> Tensor {
        try Tensor(shape: [values.count], data: values, requiresGrad: true)
    }

    private func setGradient(_ p: Tensor, _ gradient: [Float]) {
        p.zeroGrad()
        p.accumulateGrad(gradient)
    }

    private func assertValues(_ t: Tensor, _ expected: [Double], tolerance: Double = 1e-6, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(t.data.count, expected.count, file: file, line: line)
        for (a, b) in zip(t.data, expected) {
            XCTAssertEqual(Double(a), b, accuracy: tolerance * max(1, abs(b)), file: file, line: line)
        }
    }

    func testSGDWithMomentumAndWeightDecay() throws {
        let p = try parameter([1, -2])
        let sgd = try SGD([NamedTensor(name: "w", tensor: p)], learningRate: 0.1, momentum: 0.9, weightDecay: 0.01)
        // Step 1: g = [0.5 + 0.01·1, 0.25 + 0.01·(−2)] = [0.51, 0.23]; the buffer starts as g; p −= 0.1·g.
        setGradient(p, [0.5, 0.25])
        try sgd.step()
        assertValues(p, [0.949, -2.023])
        // Step 2: g = [0.5 + 0.00949, 0.25 − 0.02023] = [0.50949, 0.22977];
        // b = 0.9·[0.51, 0.23] + g = [0.96849, 0.43677]; p −= 0.1·b.
        setGradient(p, [0.5, 0.25])
        try sgd.step()
        assertValues(p, [0.852151, -2.066677])
    }

    func testSGDNesterov() throws {
        let p = try parameter([1, -2])
        let sgd = try SGD([NamedTensor(name: "w", tensor: p)], learningRate: 0.1, momentum: 0.9, weightDecay: 0.01, nesterov: true)
        // Step 1: g = [0.51, 0.23], b = g, update g + 0.9·b = 1.9·g = [0.969, 0.437].
        setGradient(p, [0.5, 0.25])
        try sgd.step()
        assertValues(p, [0.9031, -2.0437])
        // Step 2: g = [0.509031, 0.229563], b = 0.9·[0.51, 0.23] + g = [0.968031, 0.436563],
        // update g + 0.9·b = [1.3802589, 0.6224697].
        setGradient(p, [0.5, 0.25])
        try sgd.step()
        assertValues(p, [0.76507411, -2.10594697])
    }

    func testSGDDampeningSkipsTheFirstStep() throws {
        let p = try parameter([0])
        let sgd = try SGD([NamedTensor(name: "w", tensor: p)], learningRate: 0.1, momentum: 0.9, dampening: 0.5)
        // As in PyTorch, the first buffer is the raw gradient (no dampening): b = 1, p = −0.1.
        setGradient(p, [1])
        try sgd.step()
        assertValues(p, [-0.1])
        // Then b = 0.9·1 + 0.5·1 = 1.4, p = −0.1 − 0.14.
        setGradient(p, [1])
        try sgd.step()
        assertValues(p, [-0.24])
    }

    func testPlainSGDSkipsParametersWithoutGradient() throws {
        let p = try parameter([3])
        let sgd = try SGD([NamedTensor(name: "w", tensor: p)], learningRate: 0.5)
        try sgd.step()
        assertValues(p, [3])
        setGradient(p, [2])
        try sgd.step()
        assertValues(p, [2])
    }

    func testAdam() throws {
        let p = try parameter([1])
        let adam = try Adam([NamedTensor(name: "w", tensor: p)], learningRate: 0.1)
        // Step 1: m = 0.1·0.5 = 0.05, v = 0.001·0.25 = 0.00025; corrected m̂ = 0.5, √v̂ = 0.5: p = 1 − 0.1·0.5/(0.5 + 1e-8).
        setGradient(p, [0.5])
        try adam.step()
        assertValues(p, [0.900000002])
        // Step 2 (g = −0.3): m = 0.045 − 0.03 = 0.015, v = 0.00024975 + 0.00009 = 0.00033975;
        // p −= (0.1/0.19)·0.015 / (√0.00033975 / √0.001999) = 0.0191498011.
        setGradient(p, [-0.3])
        try adam.step()
        assertValues(p, [0.8808501989])
    }

    func testAdamAddsWeightDecayToTheGradient() throws {
        let p = try parameter([1])
        let adam = try Adam([NamedTensor(name: "w", tensor: p)], learningRate: 0.1, weightDecay: 0.1)
        // Step 1: g = 0.5 + 0.1·1 = 0.6; Adam's first step moves by lr·sign(g): p ≈ 0.9.
        setGradient(p, [0.5])
        try adam.step()
        assertValues(p, [0.9000000017])
        // Step 2: g = −0.3 + 0.1·0.9 = −0.21, m = 0.054 − 0.021 = 0.033, v = 0.00035964 + 0.0000441 = 0.00040374;
        // p −= (0.1/0.19)·0.033 / (√0.00040374 / √0.001999) = 0.0386470044.
        setGradient(p, [-0.3])
        try adam.step()
        assertValues(p, [0.8613529972])
    }

    func testAdamWDecaysWeightsBeforeTheStep() throws {
        let p = try parameter([1])
        let adamw = try AdamW([NamedTensor(name: "w", tensor: p)], learningRate: 0.1, weightDecay: 0.1)
        // Step 1: p = 1·(1 − 0.1·0.1) = 0.99, then the Adam step of 0.1: 0.89.
        setGradient(p, [0.5])
        try adamw.step()
        assertValues(p, [0.890000002])
        // Step 2: p = 0.89·0.99 = 0.8811, then the same Adam step as without decay (0.0191498011).
        setGradient(p, [-0.3])
        try adamw.step()
        assertValues(p, [0.8619501989])
    }

    func testWeightDecaySplitExemptsBiasesAndNormParameters() throws {
        let weight = try Tensor(shape: [2, 2], data: [1, 2, 3, 4], requiresGrad: true)
        let bias = try parameter([1, 1])
        let bnScale = try parameter([5])
        let groups = ParameterGroup.splitByWeightDecay(
            [
                NamedTensor(name: "fc.weight", tensor: weight), NamedTensor(name: "fc.bias", tensor: bias),
                NamedTensor(name: "bn.weight", tensor: bnScale),
            ],
            weightDecay: 0.1)
        XCTAssertEqual(groups.map(\.name), ["decay", "no_decay"])
        XCTAssertEqual(groups[0].parameters.map(\.name), ["fc.weight"])
        XCTAssertEqual(groups[1].parameters.map(\.name), ["fc.bias", "bn.weight"])

        // With zero gradients only the decayed group moves: p −= lr·wd·p.
        let sgd = try SGD(groups: groups, learningRate: 1)
        for t in [weight, bias, bnScale] { t.accumulateGrad([Float](repeating: 0, count: t.count)) }
        try sgd.step()
        assertValues(weight, [0.9, 1.8, 2.7, 3.6])
        assertValues(bias, [1, 1])
        assertValues(bnScale, [5])
    }

    func testGroupLearningRateScale() throws {
        let body = try parameter([1])
        let head = try parameter([1])
        let sgd = try SGD(
            groups: [
                ParameterGroup(name: "body", parameters: [NamedTensor(name: "body", tensor: body)], lrScale: 0.1),
                ParameterGroup(name: "head", parameters: [NamedTensor(name: "head", tensor: head)]),
            ],
            learningRate: 0.5)
        sgd.setLearningRate(2)
        XCTAssertEqual(sgd.groups.map(\.learningRate), [0.2, 2])
        setGradient(body, [1])
        setGradient(head, [1])
        try sgd.step()
        assertValues(body, [0.8])
        assertValues(head, [-1])
    }

    func testZeroGradClearsEveryGradient() throws {
        let p = try parameter([1])
        let sgd = try SGD([NamedTensor(name: "w", tensor: p)], learningRate: 0.1)
        setGradient(p, [1])
        sgd.zeroGrad()
        XCTAssertNil(p.grad)
    }

    func testExportedStateContinuesIdentically() throws {
        for make in [
            { (p: [NamedTensor]) in try SGD(p, learningRate: 0.1, momentum: 0.9) as Optimizer },
            { (p: [NamedTensor]) in try Adam(p, learningRate: 0.1) as Optimizer },
            { (p: [NamedTensor]) in try AdamW(p, learningRate: 0.1) as Optimizer },
        ] {
            let a = try parameter([1, 2])
            let first = try make([NamedTensor(name: "w", tensor: a)])
            setGradient(a, [0.3, -0.7])
            try first.step()

            let b = try parameter(a.data)
            let second = try make([NamedTensor(name: "w", tensor: b)])
            try second.importState(first.exportState())
            XCTAssertEqual(second.exportState(), first.exportState())

            setGradient(a, [0.1, 0.2])
            setGradient(b, [0.1, 0.2])
            try first.step()
            try second.step()
            XCTAssertEqual(a.data, b.data, first.kind)
        }
    }

    func testImportingAnotherKindOfStateIsRefused() throws {
        let p = try parameter([1])
        let sgd = try SGD([NamedTensor(name: "w", tensor: p)], learningRate: 0.1, momentum: 0.9)
        let adam = try Adam([NamedTensor(name: "w", tensor: p)])
        XCTAssertThrowsError(try sgd.importState(adam.exportState())) { error in
            XCTAssertEqual("\(error)", "load optimizer state: the state was saved by a 'adam' optimizer, this one is 'sgd'")
        }
    }

    func testInvalidHyperParametersAreReported() {
        XCTAssertThrowsError(try SGD([], learningRate: -1))
        XCTAssertThrowsError(try SGD([], learningRate: 0.1, nesterov: true))
        XCTAssertThrowsError(try Adam([], betas: (1.0, 0.999)))
        let p = NamedTensor(name: "w", tensor: Tensor(1))
        XCTAssertThrowsError(try SGD([p, p], learningRate: 0.1)) { error in
            XCTAssertEqual("\(error)", "SGD: parameter 'w' appears twice; each parameter may belong to one group only")
        }
    }

    func testGradientClippingByGlobalNorm() throws {
        let a = try parameter([0, 0])
        let b = try parameter([0])
        setGradient(a, [3, 0])
        setGradient(b, [4])
        // Global norm √(9 + 16) = 5; clipping to 1 scales every gradient by 1/(5 + 1e-6).
        let norm = try clipGradientNorm([a, b], maxNorm: 1)
        XCTAssertEqual(norm, 5, accuracy: 1e-12)
        XCTAssertEqual(Double(a.grad?.data[0] ?? 0), 0.6, accuracy: 1e-6)
        XCTAssertEqual(Double(b.grad?.data[0] ?? 0), 0.8, accuracy: 1e-6)
        // A norm already below the limit is left alone.
        try clipGradientNorm([a, b], maxNorm: 10)
        XCTAssertEqual(Double(b.grad?.data[0] ?? 0), 0.8, accuracy: 1e-6)
    }
}
