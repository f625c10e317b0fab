import DSL
import Foundation
import Kernel

/// What every fuzz target shares: a process set up so one input can neither exhaust the machine nor touch the
/// user's files or terminal, a scratch file for APIs that only read paths, and a watchdog that stops DSL programs.
public enum FuzzHarness {
    /// The per-tensor memory limit while fuzzing. Small, so a declared size that slips past validation fails
    /// fast and inside libFuzzer's `-rss_limit_mb`, instead of every input costing gigabytes.
    public static let memoryLimitBytes = 64 << 20

    /// How long a DSL program may run before the watchdog asks it to stop (libFuzzer's `-timeout` catches
    /// code that never looks at the flag).
    public static let programTimeSlice: TimeInterval = 0.1

    /// The process's own scratch directory (also its working directory, so relative paths a fuzzed program
    /// writes land there); removed at exit.
    public static let directory: String = {
        var template = Array((NSTemporaryDirectory() + "/rnx-fuzz-XXXXXX").utf8CString)
        let made = template.withUnsafeMutableBufferPointer { buffer in buffer.baseAddress.flatMap { mkdtemp($0) } }
        guard made != nil else {
            FileHandle.standardError.write(Data("rnx-fuzz: cannot create a scratch directory: \(String(cString: strerror(errno)))\n".utf8))
            exit(2)
        }
        return String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }()

    private static let setUpOnce: Void = {
        // Before anything reads them: one worker thread (the machine is shared), charts never start gnuplot
        // (a missing executable is an ordinary chart error), no chart files, no terminal graphics.
        setenv("RNX_THREADS", "1", 1)
        setenv("RNX_GNUPLOT", "/nonexistent/rnx-fuzz/gnuplot", 1)
        unsetenv("RNX_CHARTS_DIR")
        setenv("NO_COLOR", "1", 1)
        setenv("RNX_SIXEL", "0", 1)
        Parallel.threads = 1
        MemoryLimit.bytes = memoryLimitBytes
        PlotSettings.shared.live = .off
        PlotSettings.shared.sixel = .off
        PlotSettings.shared.chartsDirectory = nil
        guard chdir(directory) == 0 else {
            FileHandle.standardError.write(Data("rnx-fuzz: cannot enter \(directory)\n".utf8))
            exit(2)
        }
        atexit { removeScratchDirectory() }
    }()

    /// Prepares the process; cheap after the first call, so every target calls it at the start of each input.
    public static func setUp() {
        setUpOnce
    }

    /// The input as bytes (libFuzzer passes a null pointer for the empty input).
    public static func bytes(_ data: UnsafePointer<UInt8>?, _ size: Int) -> [UInt8] {
        guard let data, size > 0 else { return [] }
        return Array(UnsafeBufferPointer(start: data, count: size))
    }

    /// Writes `bytes` to the scratch file called `name` (one path per name for the whole process) and returns
    /// its path. A failed write ends the process: every later input would test nothing.
    public static func file(_ name: String, containing bytes: [UInt8]) -> String {
        let path = directory + "/" + name
        let written = FileManager.default.createFile(atPath: path, contents: Data(bytes))
        if !written {
            FileHandle.standardError.write(Data("rnx-fuzz: cannot write \(path)\n".utf8))
            exit(2)
        }
        return path
    }

    private static func removeScratchDirectory() {
        try? FileManager.default.removeItem(atPath: directory)
    }
}

/// Trips an interpreter's `Interrupt` when a program has run for longer than its time slice, and again every
/// slice after that until the program returns, so a program that outlives one request still stops.
/// One thread serves the whole process.
public final class Watchdog: @unchecked Sendable {
    /// The process's watchdog.
    public static let shared = Watchdog()

    private let condition = NSCondition()
    private var armed: (interrupt: Interrupt, deadline: Date)?

    private init() {
        let thread = Thread { [unowned self] in self.watch() }
        thread.name = "rnx-fuzz watchdog"
        thread.start()
    }

    /// Runs `body` with `interrupt` requested after `slice` seconds (and every `slice` after that).
    public func guarding<T>(_ interrupt: Interrupt, slice: TimeInterval = FuzzHarness.programTimeSlice, _ body: () throws -> T) rethrows -> T {
        condition.lock()
        armed = (interrupt, Date(timeIntervalSinceNow: slice))
        condition.signal()
        condition.unlock()
        defer {
            condition.lock()
            armed = nil
            condition.unlock()
        }
        return try body()
    }

    private func watch() {
        condition.lock()
        while true {
            guard let current = armed else {
                condition.wait()
                continue
            }
            if Date() >= current.deadline {
                current.interrupt.request()
                armed = (current.interrupt, Date(timeIntervalSinceNow: FuzzHarness.programTimeSlice))
            } else {
                _ = condition.wait(until: current.deadline)
            }
        }
    }
}
