import Dispatch

/// Splits independent work across the machine's cores.
public enum Parallel {
    /// Worker count for heavy ops: the number of active cores, overridable with `RNX_THREADS`.
    nonisolated(unsafe) public static var threads: Int = {
        if let text = ProcessInfoLite.environment("RNX_THREADS"), let n = Int(text), n > 0 { return n }
        return max(1, sysconf(Int32(_SC_NPROCESSORS_ONLN)))
    }()

    /// Runs `body(i)` for every `i` in `0..<count`, spread over `threads` workers in contiguous chunks.
    public static func forEach(_ count: Int, _ body: (Int) -> Void) {
        let workers = min(threads, count)
        if workers <= 1 {
            for i in 0..<count { body(i) }
            return
        }
        withoutActuallyEscaping(body) { body in
            DispatchQueue.concurrentPerform(iterations: workers) { worker in
                let start = count * worker / workers
                let end = count * (worker + 1) / workers
                for i in start..<end { body(i) }
            }
        }
    }
}

extension Parallel {
    /// Elements below which an elementwise pass runs on the calling thread: waking a worker costs more than it saves.
    static let elementwiseGrain = 1 << 15

    /// Runs `body(range)` over `0..<count` split into one contiguous range per worker (a single range when `count`
    /// is below `grain`), for memory-bound passes over flat buffers.
    static func forEachRange(_ count: Int, grain: Int = elementwiseGrain, _ body: (Range<Int>) -> Void) {
        let workers = count < grain ? 1 : min(threads, count / Swift.max(1, grain / 2))
        if workers <= 1 {
            if count > 0 { body(0..<count) }
            return
        }
        forEach(workers) { worker in
            body((count * worker / workers)..<(count * (worker + 1) / workers))
        }
    }
}

/// Environment lookup without pulling Foundation into hot files.
enum ProcessInfoLite {
    static func environment(_ name: String) -> String? {
        getenv(name).map { String(cString: $0) }
    }
}

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif
