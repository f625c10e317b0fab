/// A seeded pseudo-random generator (xoshiro256**, seeded through SplitMix64), so that the
/// same seed gives bit-identical runs: initialisation, shuffling, augmentation and dropout all draw from one.
public final class RandomGenerator: @unchecked Sendable {
    private var state: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
    private var spareNormal: Float?

    /// The generator used when none is given; `seed(_:)` resets it.
    nonisolated(unsafe) public static var global = RandomGenerator(seed: 0)

    /// A generator whose stream is fixed by `seed`.
    public init(seed: UInt64) {
        reseed(seed)
    }

    /// Restarts the stream from `seed`.
    public func reseed(_ seed: UInt64) {
        var s = seed
        func splitMix() -> UInt64 {
            s &+= 0x9E37_79B9_7F4A_7C15
            var z = s
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        state = (splitMix(), splitMix(), splitMix(), splitMix())
        spareNormal = nil
    }

    /// The full internal state, for checkpoints that resume exactly.
    public var snapshot: [UInt64] {
        get { [state.0, state.1, state.2, state.3, spareNormal.map { UInt64($0.bitPattern) | (1 << 32) } ?? 0] }
        set {
            guard newValue.count == 5 else { return }
            state = (newValue[0], newValue[1], newValue[2], newValue[3])
            spareNormal = newValue[4] >> 32 == 1 ? Float(bitPattern: UInt32(truncatingIfNeeded: newValue[4])) : nil
        }
    }

    /// The next 64 random bits.
    public func next() -> UInt64 {
        let result = rotl(state.1 &* 5, 7) &* 9
        let t = state.1 << 17
        state.2 ^= state.0
        state.3 ^= state.1
        state.1 ^= state.2
        state.0 ^= state.3
        state.2 ^= t
        state.3 = rotl(state.3, 45)
        return result
    }

    /// Uniform in `[0, 1)` with 24 bits of precision.
    public func uniform() -> Float {
        Float(next() >> 40) * (1.0 / 16_777_216.0)
    }

    /// Uniform integer in `0..<upperBound` (upperBound > 0), without modulo bias.
    public func int(below upperBound: Int) -> Int {
        guard upperBound > 1 else { return 0 }
        let bound = UInt64(upperBound)
        let threshold = (0 &- bound) % bound
        while true {
            let r = next()
            if r >= threshold { return Int(r % bound) }
        }
    }

    /// Standard normal sample (Box–Muller, both values used).
    public func normal() -> Float {
        if let spare = spareNormal {
            spareNormal = nil
            return spare
        }
        var u1 = Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0)
        if u1 < 1e-300 { u1 = 1e-300 }
        let u2 = Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0)
        let radius = (-2 * log(u1)).squareRoot()
        spareNormal = Float(radius * sin(2 * Double.pi * u2))
        return Float(radius * cos(2 * Double.pi * u2))
    }

    /// A random permutation of `0..<n` (Fisher–Yates).
    public func permutation(_ n: Int) -> [Int] {
        var indices = Array(0..<n)
        if n > 1 {
            for i in stride(from: n - 1, to: 0, by: -1) {
                indices.swapAt(i, int(below: i + 1))
            }
        }
        return indices
    }

    private func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }
}

/// Seeds the global generator: the one call that makes a run reproducible.
public func seed(_ value: UInt64) {
    RandomGenerator.global.reseed(value)
}

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif
