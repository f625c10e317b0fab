/// Human wall-clock durations for timing lines: `340 ms`, `1.23 s`, `2 min 05 s`, `1 h 02 min`.
enum DurationFormat {
    /// `seconds` formatted with the unit that keeps it short.
    static func text(_ seconds: Double) -> String {
        guard seconds.isFinite, seconds >= 0 else { return "-" }
        if seconds < 1 { return "\(Int((seconds * 1000).rounded())) ms" }
        if seconds < 60 {
            let hundredths = Int((seconds * 100).rounded())
            let fraction = hundredths % 100
            return "\(hundredths / 100).\(fraction < 10 ? "0" : "")\(fraction) s"
        }
        let wholeSeconds = Int(seconds.rounded())
        if wholeSeconds < 3600 { return "\(wholeSeconds / 60) min \(twoDigits(wholeSeconds % 60)) s" }
        return "\(wholeSeconds / 3600) h \(twoDigits(wholeSeconds % 3600 / 60)) min"
    }

    private static func twoDigits(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
}
