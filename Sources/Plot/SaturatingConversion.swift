extension Int {
    /// `value` truncated toward zero, saturating at `Int.min`/`Int.max` and 0 for NaN. `Int(_: Double)` traps on
    /// NaN, infinities and anything beyond ±2**63, which values computed from data (a histogram bin, a rate over
    /// no elapsed time) can be; every such conversion in Plot and the DSL goes through this one.
    public init(saturating value: Double) {
        if value.isNaN {
            self = 0
        } else if value >= 9_223_372_036_854_775_808.0 {
            self = .max
        } else if value < -9_223_372_036_854_775_808.0 {
            self = .min
        } else {
            self = Int(value)
        }
    }
}
