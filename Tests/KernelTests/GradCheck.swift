import XCTest
@testable import Kernel

/// Finite-difference gradient checking, shared by every op's test.
///
/// `f` maps the inputs to a tensor; the check compares autograd's gradient of `sum(f(inputs) * weights)`
/// (random fixed weights, so every output element matters differently) with central differences in Double.
func assertGradientsMatch(
    _ inputs: [Tensor],
    tolerance: Double = 2e-2,
    epsilon: Float = 1e-2,
    file: StaticString = #filePath, line: UInt = #line,
    _ f: ([Tensor]) throws -> Tensor
) throws {
    for t in inputs {
        t.requiresGrad = true
        t.zeroGrad()
    }
    let probe = try f(inputs)
    let weightGenerator = RandomGenerator(seed: 99)
    let weights = try Tensor(shape: probe.shape, data: (0..<probe.count).map { _ in weightGenerator.uniform() + 0.5 })
    let loss = try (probe * weights).sum()
    try loss.backward()

    func objective() throws -> Double {
        let out = try noGrad { try f(inputs) }
        return zip(out.data, weights.data).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
    }
    for (n, t) in inputs.enumerated() {
        let analytic = t.grad?.data ?? [Float](repeating: 0, count: t.count)
        for i in 0..<t.count {
            let original = t.data[i]
            t.data[i] = original + epsilon
            let plus = try objective()
            t.data[i] = original - epsilon
            let minus = try objective()
            t.data[i] = original
            let numeric = (plus - minus) / (2 * Double(epsilon))
            let error = abs(numeric - Double(analytic[i])) / max(1, abs(numeric))
            XCTAssertLessThan(
                error, tolerance, "input \(n) element \(i): autograd \(analytic[i]) vs finite difference \(numeric)", file: file, line: line)
        }
    }
}

/// Asserts `a` equals `b` element by element to `tolerance`, relative to |b| where |b| > 1 (absolute below), as a
/// fast path must match the plain ops it replaces.
func assertClose(
    _ a: [Float], _ b: [Float], tolerance: Float = 1e-4, _ what: String,
    file: StaticString = #filePath, line: UInt = #line
) {
    XCTAssertEqual(a.count, b.count, what, file: file, line: line)
    let worst = zip(a, b).map { Swift.abs($0 - $1) / Swift.max(1, Swift.abs($1)) }.max() ?? 0
    XCTAssertLessThanOrEqual(worst, tolerance, "\(what): largest relative difference \(worst)", file: file, line: line)
}
