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

/// CPU seconds (user + system) the whole process has used so far, all threads included.
func processCPUTime() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) * 1e-6
}

/// Timed repeats of one workload: wall-clock milliseconds, and the process CPU milliseconds of the same calls
/// (less disturbed than wall time when other programs share the cores, as long as idle threads sleep rather than spin).
struct Samples {
    var wallMs: [Double] = []
    var cpuMs: [Double] = []
}

/// Runs `body` `warmup` times untimed, then `repeats` times, timing each run.
/// `prepare` runs before each call, outside the timing (e.g. a forward pass before a timed backward pass).
func measure(warmup: Int, repeats: Int, prepare: () throws -> Void = {}, _ body: () throws -> Void) rethrows -> Samples {
    for _ in 0..<warmup {
        try prepare()
        try body()
    }
    var samples = Samples()
    for _ in 0..<repeats {
        try prepare()
        let cpu = processCPUTime(), start = now()
        try body()
        samples.wallMs.append((now() - start) * 1000)
        samples.cpuMs.append((processCPUTime() - cpu) * 1000)
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
