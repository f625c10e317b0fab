import Basics
import CDNNL
#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

// The process-wide oneDNN state every backend primitive shares.

/// One CPU engine and stream, created on first use, a lock that serialises executions (the blocked-layout buffers
/// below are shared), and those buffers: one growable, 64-byte-aligned block per role, so steady-state calls allocate nothing.
final class DNNLRuntime: @unchecked Sendable {
    /// The runtime, or why oneDNN could not start (the caller then keeps its own implementation).
    static let shared: Result<DNNLRuntime, KernelError> = {
        do { return .success(try DNNLRuntime()) } catch let error as KernelError { return .failure(error) } catch {
            return .failure(DNNLRuntime.failure("oneDNN could not start: \(error)"))
        }
    }()

    let engine: dnnl_engine_t
    let stream: dnnl_stream_t
    /// Held by `exclusive`: oneDNN work and the buffers belong to one thread at a time.
    private let executing = Locked(())
    private var buffers: [(pointer: UnsafeMutableRawPointer?, bytes: Int)]

    /// Buffer roles: source-like, weight-like, destination-like and bias-like arguments, the scratchpad, and the feature
    /// map between two chained inference convolutions.
    /// A role is tied to the kind of argument, not to a plan, so a blocked `diff_dst` written by one plan
    /// can be read by the next (backward data, then backward weights).
    static let bufferCount = 6
    static let scratchpadBuffer = 4
    /// The feature map passed between two chained inference convolutions, in oneDNN's layout.
    static let chainBuffer = 5

    /// The buffer role of a convolution argument.
    static func role(of argument: Int32) -> Int {
        switch argument {
        case DNNL_ARG_SRC, DNNL_ARG_DIFF_SRC: return 0
        case DNNL_ARG_WEIGHTS, DNNL_ARG_DIFF_WEIGHTS: return 1
        case DNNL_ARG_DST, DNNL_ARG_DIFF_DST: return 2
        default: return 3
        }
    }

    private init() throws {
        var engine: dnnl_engine_t?
        try DNNLRuntime.check(dnnl_engine_create(&engine, dnnl_cpu, 0), "dnnl_engine_create")
        guard let engine else { throw DNNLRuntime.failure("dnnl_engine_create returned no engine") }
        var stream: dnnl_stream_t?
        let streamStatus = dnnl_stream_create(&stream, engine, UInt32(dnnl_stream_default_flags.rawValue))
        guard streamStatus == dnnl_success, let stream else {
            dnnl_engine_destroy(engine)
            throw DNNLRuntime.failure("dnnl_stream_create failed: \(DNNLRuntime.name(streamStatus))")
        }
        self.engine = engine
        self.stream = stream
        buffers = Array(repeating: (nil, 0), count: DNNLRuntime.bufferCount)
    }

    deinit {
        for buffer in buffers { free(buffer.pointer) }
        dnnl_stream_destroy(stream)
        dnnl_engine_destroy(engine)
    }

    /// Runs `body` while holding the runtime: no other thread executes oneDNN work or touches the buffers meanwhile.
    /// oneDNN's OpenMP team is sized to `Parallel.threads`, like every other parallel op in the Kernel.
    func exclusive<T>(_ body: () throws -> T) rethrows -> T {
        try executing.withLock { _ in
            BLASThreads.setTeamSize(Parallel.threads)
            return try body()
        }
    }

    /// The buffer for `role`, at least `bytes` long; valid until the next call for the same role. Call inside `exclusive`.
    func buffer(_ role: Int, bytes: Int) throws -> UnsafeMutableRawPointer {
        if let pointer = buffers[role].pointer, buffers[role].bytes >= bytes { return pointer }
        free(buffers[role].pointer)
        buffers[role] = (nil, 0)
        var fresh: UnsafeMutableRawPointer?
        guard posix_memalign(&fresh, 64, Swift.max(bytes, 64)) == 0, let fresh else {
            throw KernelError.allocationTooLarge(elements: bytes / 4, limitBytes: bytes)
        }
        buffers[role] = (fresh, bytes)
        return fresh
    }

    /// Waits until the stream has finished everything submitted to it.
    func wait() throws {
        try DNNLRuntime.check(dnnl_stream_wait(stream), "dnnl_stream_wait")
    }

    // MARK: Errors

    /// Turns a oneDNN status into a thrown `KernelError` naming the call that failed.
    static func check(_ status: dnnl_status_t, _ call: @autoclosure () -> String) throws {
        guard status == dnnl_success else { throw failure("\(call()) failed: \(name(status))") }
    }

    static func failure(_ message: String) -> KernelError {
        .invalidArgument(op: "conv2d (oneDNN)", message: message)
    }

    /// oneDNN's status names (`dnnl_status2str` lives in a debug header the module map does not include).
    static func name(_ status: dnnl_status_t) -> String {
        switch status {
        case dnnl_out_of_memory: return "out of memory"
        case dnnl_invalid_arguments: return "invalid arguments"
        case dnnl_unimplemented: return "no implementation for these sizes"
        case dnnl_iterator_ends: return "iterator ends"
        case dnnl_runtime_error: return "runtime error"
        case dnnl_not_required: return "not required"
        default: return "status \(status.rawValue)"
        }
    }
}
