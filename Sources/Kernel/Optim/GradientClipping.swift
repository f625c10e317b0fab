/// Rescales the gradients of `parameters` so that their global L2 norm is at most `maxNorm`,
/// as `torch.nn.utils.clip_grad_norm_` does (factor `maxNorm / (norm + 1e-6)` when it is below 1).
///
/// Returns the norm before clipping, which is worth logging: spikes announce divergence.
@discardableResult
public func clipGradientNorm(_ parameters: [Tensor], maxNorm: Double) throws -> Double {
    guard maxNorm > 0, maxNorm.isFinite else {
        throw KernelError.invalidArgument(op: "clip_grad_norm", message: "max norm must be a finite number > 0, found \(maxNorm)")
    }
    var squares = 0.0
    for p in parameters {
        guard let g = p.grad else { continue }
        for value in g.data { squares += Double(value) * Double(value) }
    }
    let norm = squares.squareRoot()
    let factor = maxNorm / (norm + 1e-6)
    if factor < 1 {
        let f = Float(factor)
        for p in parameters {
            guard let g = p.grad else { continue }
            g.data.withUnsafeMutableBufferPointer { x in
                for i in 0..<x.count { x[i] *= f }
            }
        }
    }
    return norm
}
