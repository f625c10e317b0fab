#if canImport(Glibc)
import Glibc
#endif

// Timing and memory probes shared by every workload.

/// Wall-clock seconds from a monotonic clock.
func now() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
}

/// Runs `body` `warmup` times untimed, then `repeats` times, returning each timed run's duration in milliseconds.
/// `prepare` runs before each call, outside the timing (e.g. a forward pass before a timed backward pass).
func measure(warmup: Int, repeats: Int, prepare: () throws -> Void = {}, _ body: () throws -> Void) rethrows -> [Double] {
    for _ in 0..<warmup {
        try prepare()
        try body()
    }
    var samples: [Double] = []
    for _ in 0..<repeats {
        try prepare()
        let start = now()
        try body()
        samples.append((now() - start) * 1000)
    }
    return samples
}

/// The process's peak resident set size in MiB (`VmHWM` in /proc/self/status), or nil where that file does not exist.
func peakResidentMiB() -> Double? {
    guard let file = fopen("/proc/self/status", "r") else { return nil }
    defer { fclose(file) }
    var line = [CChar](repeating: 0, count: 256)
    while fgets(&line, Int32(line.count), file) != nil {
        let text = String(cString: line)
        if text.hasPrefix("VmHWM:") {
            let digits = text.split(separator: " ").compactMap { Double($0) }
            if let kib = digits.first { return kib / 1024 }
        }
    }
    return nil
}
