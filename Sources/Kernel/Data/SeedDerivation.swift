/// Derives independent seeds from a base seed and an index, so that work done in any order or on any
/// thread (shuffling an epoch, augmenting one sample) gets the same random stream every run.
enum SeedDerivation {
    /// A well-mixed seed for item `index` of the stream named by `base` (SplitMix64's finaliser, twice,
    /// so neighbouring indices give unrelated generators).
    static func derive(_ base: UInt64, _ index: UInt64) -> UInt64 {
        var z = base &+ (index &+ 1) &* 0x9E37_79B9_7F4A_7C15
        for _ in 0..<2 {
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            z ^= z >> 31
        }
        return z
    }
}
