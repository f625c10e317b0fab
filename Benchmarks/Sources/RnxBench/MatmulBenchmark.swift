import Kernel

/// Single-precision matrix product through `Tensor.matmul` (oneDNN sgemm), n×n by n×n.
func benchmarkMatmul(_ recorder: Recorder, size n: Int, warmup: Int, repeats: Int) throws {
    let a = try Tensor.randn([n, n]), b = try Tensor.randn([n, n])
    let samples = try measure(warmup: warmup, repeats: repeats) { _ = try a.matmul(b) }
    recorder.add("sgemm \(n)x\(n)x\(n)", "matmul", samples, flops: 2 * Double(n * n * n))
}
