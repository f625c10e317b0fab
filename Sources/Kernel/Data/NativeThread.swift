#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A POSIX thread that can be joined, for the loader's prefetch worker.
final class NativeThread {
    #if os(Linux)
        /// The C entry point of a thread: receives the context pointer.
        typealias Entry = @convention(c) (UnsafeMutableRawPointer?) -> UnsafeMutableRawPointer?
        private var thread = pthread_t()
    #else
        /// The C entry point of a thread: receives the context pointer.
        typealias Entry = @convention(c) (UnsafeMutableRawPointer) -> UnsafeMutableRawPointer?
        private var thread: pthread_t?
    #endif
    private var joined = false

    /// Starts `entry(context)` on a new thread.
    init(entry: Entry, context: UnsafeMutableRawPointer) throws {
        let status = pthread_create(&thread, nil, entry, context)
        guard status == 0 else {
            joined = true
            throw KernelError.invalidArgument(op: "thread", message: "cannot start a thread: \(String(cString: strerror(status)))")
        }
    }

    /// Starts `body` on a new thread.
    convenience init(_ body: @escaping () -> Void) throws {
        let box = Unmanaged.passRetained(ClosureBox(body))
        do {
            try self.init(
                entry: { context in
                    let pointer: UnsafeMutableRawPointer? = context
                    guard let pointer else { return nil }
                    let box = Unmanaged<ClosureBox>.fromOpaque(pointer).takeRetainedValue()
                    box.body()
                    return nil
                }, context: box.toOpaque())
        } catch {
            box.release()
            throw error
        }
    }

    /// Waits for the thread to finish (once; later calls return at once).
    func join() {
        guard !joined else { return }
        joined = true
        #if os(Linux)
            pthread_join(thread, nil)
        #else
            if let thread { pthread_join(thread, nil) }
        #endif
    }

    deinit {
        join()
    }

    private final class ClosureBox {
        let body: () -> Void
        init(_ body: @escaping () -> Void) { self.body = body }
    }
}
