import Foundation
import XCTest

/// Runs `rnx` on a pseudo-terminal, as a user at a real terminal would: it is the session leader with the
/// terminal as its controlling terminal (so Ctrl-C sends SIGINT), and the test types keys and reads the screen text.
final class PseudoTerminal {
    /// Generous: debug builds are slow and the machine is shared. Only failures ever wait this long.
    static let patience: TimeInterval = 60

    private let master: Int32
    private let processID: pid_t
    private var received = Data()
    /// How much of `received` earlier `expect` calls consumed.
    private var consumed = 0
    private var exitStatus: Int32?

    /// Starts `rnx arguments` in `directory` on a new 100×30 terminal.
    init(_ arguments: [String], in directory: URL, environment: [String: String] = [:]) throws {
        let executable = try RnxBinary.path()
        var masterDescriptor: Int32 = -1
        var slaveDescriptor: Int32 = -1
        var size = winsize(ws_row: 30, ws_col: 100, ws_xpixel: 0, ws_ypixel: 0)
        guard openpty(&masterDescriptor, &slaveDescriptor, nil, nil, &size) == 0 else {
            throw PseudoTerminalError("openpty failed: \(String(cString: strerror(errno)))")
        }
        master = masterDescriptor
        guard let slaveName = ttyname(slaveDescriptor) else {
            throw PseudoTerminalError("no name for the terminal: \(String(cString: strerror(errno)))")
        }
        let slavePath = String(cString: slaveName)
        close(slaveDescriptor)

        var childEnvironment = ProcessInfo.processInfo.environment
        childEnvironment["TERM"] = "xterm-256color"
        childEnvironment["INPUTRC"] = "/dev/null"
        childEnvironment["NO_COLOR"] = nil
        childEnvironment["RNX_HISTORY"] = directory.appendingPathComponent("history").path
        for (key, value) in environment { childEnvironment[key] = value }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        // After setsid (below) the first terminal the child opens becomes its controlling terminal.
        posix_spawn_file_actions_addopen(&actions, 0, slavePath, O_RDWR, 0)
        posix_spawn_file_actions_adddup2(&actions, 0, 1)
        posix_spawn_file_actions_adddup2(&actions, 0, 2)
        posix_spawn_file_actions_addclose(&actions, masterDescriptor)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        let setSessionID: Int16 = 0x80  // POSIX_SPAWN_SETSID (glibc)
        posix_spawnattr_setflags(&attributes, setSessionID | Int16(POSIX_SPAWN_SETSIGDEF))
        var defaultSignals = sigset_t()
        sigemptyset(&defaultSignals)
        sigaddset(&defaultSignals, SIGINT)
        sigaddset(&defaultSignals, SIGPIPE)
        posix_spawnattr_setsigdefault(&attributes, &defaultSignals)

        // `sh` changes into the directory and replaces itself with rnx (same process: session and terminal stay).
        let command = ["/bin/sh", "-c", "cd \"$1\" && shift && exec \"$@\"", "sh", directory.path, executable] + arguments
        let cArguments: [UnsafeMutablePointer<CChar>?] = command.map { strdup($0) } + [nil]
        let cEnvironment: [UnsafeMutablePointer<CChar>?] = childEnvironment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (cArguments + cEnvironment).forEach { free($0) } }
        var child: pid_t = 0
        let error = posix_spawn(&child, "/bin/sh", &actions, &attributes, cArguments, cEnvironment)
        guard error == 0 else {
            close(masterDescriptor)
            throw PseudoTerminalError("cannot start \(executable): \(String(cString: strerror(error)))")
        }
        processID = child
        _ = fcntl(master, F_SETFL, fcntl(master, F_GETFL) | O_NONBLOCK)
    }

    deinit {
        if exitStatus == nil {
            kill(processID, SIGKILL)
            var status: Int32 = 0
            waitpid(processID, &status, 0)
        }
        close(master)
    }

    /// Types `text` (use `\r` for Enter, `\t` for Tab, `\u{3}` for Ctrl-C, `\u{4}` for Ctrl-D).
    func type(_ text: String) {
        let bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let count = bytes.withUnsafeBytes { buffer in
                buffer.baseAddress.map { write(master, $0 + offset, bytes.count - offset) } ?? 0
            }
            if count > 0 { offset += count } else if errno != EAGAIN && errno != EINTR { return } else { pump(timeout: 0.01) }
        }
    }

    /// Waits until `text` appears in the output after what earlier `expect`s consumed; returns the screen text
    /// (escape codes removed) up to and including it. Fails the test with the output so far when it never appears.
    @discardableResult
    func expect(_ text: String, file: StaticString = #filePath, line: UInt = #line) throws -> String {
        let deadline = Date().addingTimeInterval(Self.patience)
        while true {
            let screen = Self.plainText(received[consumed...])
            if let range = screen.range(of: text) {
                let upToMatch = String(screen[..<range.upperBound])
                consumed += Self.byteOffset(ofPlainPrefix: upToMatch, in: received[consumed...])
                return upToMatch
            }
            guard exitStatus == nil, Date() < deadline else {
                XCTFail("never saw \(text.debugDescription); the terminal showed:\n\(screen)", file: file, line: line)
                throw PseudoTerminalError("missing output \(text.debugDescription)")
            }
            pump(timeout: 0.05)
        }
    }

    /// Everything shown since the last `expect` after waiting for output to settle briefly (for negative checks).
    func pendingText(settle: TimeInterval = 0.5) -> String {
        pump(timeout: settle)
        return Self.plainText(received[consumed...])
    }

    /// Waits for the program to end and returns its exit status (128 + signal when killed).
    func waitForExit(file: StaticString = #filePath, line: UInt = #line) throws -> Int32 {
        let deadline = Date().addingTimeInterval(Self.patience)
        while exitStatus == nil {
            guard Date() < deadline else {
                XCTFail("rnx did not exit; the terminal showed:\n\(Self.plainText(received[...]))", file: file, line: line)
                throw PseudoTerminalError("rnx did not exit")
            }
            pump(timeout: 0.05)
        }
        return exitStatus ?? -1
    }

    /// All screen text so far.
    var transcript: String { Self.plainText(received[...]) }

    /// Reads what is available (waiting up to `timeout` for the first bytes) and notes the child's exit.
    private func pump(timeout: TimeInterval) {
        var descriptor = pollfd(fd: master, events: Int16(POLLIN), revents: 0)
        _ = poll(&descriptor, 1, Int32(timeout * 1000))
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = read(master, &buffer, buffer.count)
            if count > 0 { received.append(contentsOf: buffer[0..<count]) } else { break }
        }
        if exitStatus == nil {
            var status: Int32 = 0
            if waitpid(processID, &status, WNOHANG) == processID {
                // Collect output written just before exiting.
                while true {
                    let count = read(master, &buffer, buffer.count)
                    if count > 0 { received.append(contentsOf: buffer[0..<count]) } else { break }
                }
                let signalNumber = status & 0x7f
                exitStatus = signalNumber == 0 ? (status >> 8) & 0xff : 128 + signalNumber
            }
        }
    }

    /// Terminal output without escape sequences and carriage returns.
    static func plainText(_ data: Data.SubSequence) -> String {
        stripEscapes(String(decoding: data, as: UTF8.self))
    }

    private static func stripEscapes(_ text: String) -> String {
        var result = ""
        var scalars = text.unicodeScalars.makeIterator()
        while let scalar = scalars.next() {
            switch scalar {
            case "\u{1B}":
                guard let next = scalars.next() else { break }
                if next == "[" {
                    // CSI: parameters, then one final byte in @...~
                    while let byte = scalars.next(), !(0x40...0x7E).contains(byte.value) {}
                } else if next == "]" {
                    // OSC: up to BEL or ESC \
                    while let byte = scalars.next(), byte != "\u{7}", byte != "\u{1B}" {}
                }
            case "\r", "\u{7}", "\u{1}", "\u{2}":
                continue
            default:
                result.unicodeScalars.append(scalar)
            }
        }
        return result
    }

    /// How many raw bytes produce the plain-text prefix `prefix`.
    private static func byteOffset(ofPlainPrefix prefix: String, in data: Data.SubSequence) -> Int {
        var low = 0
        var high = data.count
        // The plain text grows with the raw length: find the shortest raw prefix whose plain text contains `prefix`.
        while low < high {
            let middle = (low + high) / 2
            if plainText(data.prefix(middle)).count >= prefix.count { high = middle } else { low = middle + 1 }
        }
        return low
    }
}

/// A problem driving the pseudo-terminal.
struct PseudoTerminalError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
