#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// An exponentially weighted moving average of the loss with bias correction, computed in Float32 exactly
/// as fastai's `AvgSmoothLoss` (`torch.lerp` with weight β, then division by 1 − βⁿ), so that the values
/// — and the LR finder decisions built on them — agree with fastai to the last bit.
public struct SmoothedLoss {
    /// The weight of the past (0.98 in fastai).
    public let beta: Double
    private var average: Float = 0
    /// Number of losses added.
    public private(set) var count = 0

    /// A fresh average with weight `beta` for the past.
    public init(beta: Double = 0.98) {
        self.beta = beta
    }

    /// Adds `loss` and returns the new smoothed value.
    @discardableResult
    public mutating func add(_ loss: Float) -> Float {
        count += 1
        // torch.lerp(loss, average, β) for β ≥ 0.5 is `average − (average − loss)·(1 − β)`, with a fused multiply-add.
        let weight = Float(beta)
        average = average.addingProduct(-(average - loss), 1 - weight)
        return value
    }

    /// The bias-corrected average (0 before the first loss).
    public var value: Float {
        guard count > 0 else { return 0 }
        return average / Float(1 - pow(beta, Double(count)))
    }
}
