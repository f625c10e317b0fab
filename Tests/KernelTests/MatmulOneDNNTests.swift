import XCTest

@testable import Kernel

/// Matrix products through oneDNN's sgemm: small ones on the calling thread, large ones on oneDNN's OpenMP team, and
/// the report of which kernels oneDNN chose.
final class MatmulOneDNNTests: XCTestCase {
    /// `a @ b` and both gradients of `sum(a @ b · weights)`, in double precision, as PyTorch defines them.
    private func reference(_ a: Tensor, _ b: Tensor, _ m: Int, _ k: Int, _ n: Int) -> (out: [Double], da: [Double], db: [Double]) {
        var out = [Double](repeating: 0, count: m * n), da = [Double](repeating: 0, count: m * k)
        var db = [Double](repeating: 0, count: k * n)
        for i in 0..<m {
            for j in 0..<n {
                for p in 0..<k { out[i * n + j] += Double(a.data[i * k + p]) * Double(b.data[p * n + j]) }
            }
        }
        // With upstream gradient G[i, j] = i + j mod 3: dA = G·Bᵀ, dB = Aᵀ·G.
        for i in 0..<m {
            for j in 0..<n {
                let g = Double((i + j) % 3)
                for p in 0..<k {
                    da[i * k + p] += g * Double(b.data[p * n + j])
                    db[p * n + j] += Double(a.data[i * k + p]) * g
                }
            }
        }
        return (out, da, db)
    }

    private func check(m: Int, k: Int, n: Int, file: StaticString = #filePath, line: UInt = #line) throws {
        let generator = RandomGenerator(seed: UInt64(m * 31 + n))
        let a = try Tensor.randn([m, k], generator: generator), b = try Tensor.randn([k, n], generator: generator)
        a.requiresGrad = true
        b.requiresGrad = true
        let y = try a.matmul(b)
        let weights = try Tensor(shape: [m, n], data: (0..<(m * n)).map { Float(($0 / n + $0 % n) % 3) })
        try (y * weights).sum().backward()
        let expected = reference(a, b, m, k, n)
        // float32 sums of k products of unit normals: error grows like sqrt(k)·eps.
        let tolerance = 1e-5 * Double(k).squareRoot() * 10
        for (name, got, want) in [("out", y.data, expected.out), ("dA", a.grad?.data ?? [], expected.da), ("dB", b.grad?.data ?? [], expected.db)] {
            XCTAssertEqual(got.count, want.count, "\(name) \(m)x\(k)x\(n)", file: file, line: line)
            let worst = zip(got, want).map { abs(Double($0) - $1) / max(1, abs($1)) }.max() ?? 0
            XCTAssertLessThan(worst, tolerance, "\(name) of \(m)x\(k) @ \(k)x\(n)", file: file, line: line)
        }
    }

    func testSmallProductOnTheCallingThreadMatchesReference() throws {
        try check(m: 7, k: 13, n: 5)
    }

    func testLargeProductOnOneDNNsTeamMatchesReference() throws {
        // 160·96·130 ≈ 2.0 M multiply-adds: above the single-thread threshold.
        try check(m: 160, k: 96, n: 130)
    }

    func testProductsInsideWorkersMatchTheSerialResult() throws {
        // im2col convolutions run one sgemm per worker with the team limited to one thread on each.
        let generator = RandomGenerator(seed: 3)
        let x = try Tensor.randn([4, 3, 9, 9], generator: generator)
        let w = try Tensor.randn([8, 3, 3, 3], generator: generator)
        let geometry = try x.convolutionGeometry(weightShape: w.shape, biasShape: nil, stride: (1, 1), padding: (1, 1), dilation: (1, 1))
        let previous = Parallel.threads
        defer { Parallel.threads = previous }
        Parallel.threads = 1
        let serial = Conv2dCPU.forward(x.data, w.data, nil, geometry)
        Parallel.threads = 4
        let parallel = Conv2dCPU.forward(x.data, w.data, nil, geometry)
        XCTAssertEqual(parallel, serial)
    }

    func testKernelReportNamesOneDNNAndItsInstructionSet() {
        let summary = KernelLibraries.summary
        XCTAssertTrue(summary.hasPrefix("oneDNN "), summary)
        XCTAssertFalse(summary.contains("generic"), summary)
        XCTAssertNotNil(summary.range(of: #"oneDNN \d+\.\d+\.\d+ \(OpenMP\), ISA (sse41|avx|avx2|avx512_\w+)"#, options: .regularExpression), summary)
    }
}
