import Basics
import Foundation
import DSL

/// Write ends of the two pipes the SIGINT handler signals through. Plain globals, set before the handler is installed,
/// because a signal handler may only do async-signal-safe work: it writes one byte to each pipe and nothing else.
/// `nonisolated(unsafe)` because a lock is not async-signal-safe: they are written once, under `install()`'s lock and
/// before `sigaction` publishes the handler, and only read after that.
nonisolated(unsafe) private var promptPipeWriteEnd: Int32 = -1
nonisolated(unsafe) private var watcherPipeWriteEnd: Int32 = -1

/// Turns Ctrl-C (SIGINT) into cooperative interruption, the lesson learned with readline here:
/// readline's own signal handling is off (`rl_catch_signals = 0`) and our handler only writes to two pipes.
///
/// - The prompt loop watches `promptDescriptor` next to stdin, so Ctrl-C at the prompt clears the line, never exits.
/// - A watcher thread reads the other pipe and, while a statement runs (`whileRunning`), calls `onInterrupt`
///   (which sets the interpreter's thread-safe interrupt flag: training stops between batches, state is kept).
///   Ctrl-C while nothing runs calls `onIdleInterrupt` instead (piped input: stop reading and exit).
final class InterruptController: Sendable {
    /// The one controller of this process (signal dispositions are process-wide).
    static let shared = InterruptController()

    private let state = Locked(State())

    /// What the watcher thread reads and the REPL's thread changes.
    private struct State: Sendable {
        var installed = false
        var running = false
        var interruptAction: (@Sendable () -> Void)?
        var idleAction: (@Sendable () -> Void)?
        /// Set once, by the first `install()`.
        var promptPipeReadEnd: Int32 = -1
    }

    private init() {}

    /// Readable after Ctrl-C; drain it with `drainPrompt()`.
    var promptDescriptor: Int32 { state.withLock { $0.promptPipeReadEnd } }

    /// Installs the SIGINT handler and ignores SIGPIPE (a closed pipe downstream is an I/O error, not a crash).
    /// Safe to call more than once.
    func install() throws {
        try state.withLock { state in
            guard !state.installed else { return }
            state.promptPipeReadEnd = try installHandler()
            state.installed = true
        }
    }

    /// Installs the handler and starts the watcher; returns the read end of the prompt pipe.
    private func installHandler() throws -> Int32 {
        signal(SIGPIPE, SIG_IGN)
        let promptPipe = try Self.makePipe()
        let watcherPipe = try Self.makePipe()
        promptPipeWriteEnd = promptPipe.write
        watcherPipeWriteEnd = watcherPipe.write
        _ = fcntl(promptPipe.read, F_SETFL, fcntl(promptPipe.read, F_GETFL) | O_NONBLOCK)

        let watcher = Thread { [unowned self] in self.watch(watcherPipe.read) }
        watcher.name = "rnx-interrupt-watcher"
        watcher.start()

        try Self.route(SIGINT)
        // Under `rnx run --np`, the launcher's Ctrl-C reaches the ranks as SIGUSR1 (mpirun passes it on; a SIGINT would
        // end the whole job).
        if DistributedRun.size > 1 { try Self.route(SIGUSR1) }
        return promptPipe.read
    }

    /// Makes `signal` act as Ctrl-C.
    private static func route(_ signal: Int32) throws {
        var action = sigaction()
        action.__sigaction_handler.sa_handler = { _ in
            var byte: UInt8 = 3
            _ = write(promptPipeWriteEnd, &byte, 1)
            _ = write(watcherPipeWriteEnd, &byte, 1)
        }
        sigemptyset(&action.sa_mask)
        action.sa_flags = SA_RESTART
        guard sigaction(signal, &action, nil) == 0 else {
            throw ReplError("cannot install the Ctrl-C handler: \(String(cString: strerror(errno)))")
        }
    }

    /// Sets what Ctrl-C does while nothing runs (called on the watcher thread; nil: only the prompt reacts).
    func setIdleAction(_ action: (@Sendable () -> Void)?) {
        state.withLock { $0.idleAction = action }
    }

    /// Runs `body` (a statement) with Ctrl-C routed to `onInterrupt`, which must be thread-safe.
    func whileRunning<T>(onInterrupt: @escaping @Sendable () -> Void, _ body: () throws -> T) rethrows -> T {
        state.withLock { state in
            state.running = true
            state.interruptAction = onInterrupt
        }
        defer {
            state.withLock { state in
                state.running = false
                state.interruptAction = nil
            }
        }
        return try body()
    }

    /// Empties the prompt pipe; true when Ctrl-C had been pressed since the last drain.
    @discardableResult
    func drainPrompt() -> Bool {
        let descriptor = promptDescriptor
        guard descriptor >= 0 else { return false }
        var pressed = false
        var buffer = [UInt8](repeating: 0, count: 64)
        while read(descriptor, &buffer, buffer.count) > 0 { pressed = true }
        return pressed
    }

    private func watch(_ descriptor: Int32) {
        var byte: UInt8 = 0
        while true {
            let count = read(descriptor, &byte, 1)
            if count < 0 && errno == EINTR { continue }
            if count <= 0 { return }
            let action = state.withLock { $0.running ? $0.interruptAction : $0.idleAction }
            action?()
        }
    }

    private static func makePipe() throws -> (read: Int32, write: Int32) {
        var ends: [Int32] = [-1, -1]
        guard pipe(&ends) == 0 else { throw ReplError("cannot create a pipe: \(String(cString: strerror(errno)))") }
        for end in ends { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
        // A full pipe must never block the signal handler.
        _ = fcntl(ends[1], F_SETFL, fcntl(ends[1], F_GETFL) | O_NONBLOCK)
        return (ends[0], ends[1])
    }
}
