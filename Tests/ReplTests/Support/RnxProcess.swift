import Foundation

/// Runs `rnx` without a terminal (pipes for stdin, stdout and stderr) and collects what it wrote.
struct RnxProcess {
    /// What a finished run produced.
    struct Result {
        /// The exit status.
        let status: Int32
        /// Everything written to stdout.
        let output: String
        /// Everything written to stderr.
        let errors: String
    }

    /// Runs `rnx arguments` in `directory` with `input` on stdin and waits for it to finish.
    static func run(_ arguments: [String], input: String = "", in directory: URL, environment: [String: String] = [:]) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try RnxBinary.path())
        process.arguments = arguments
        process.currentDirectoryURL = directory
        var childEnvironment = ProcessInfo.processInfo.environment
        childEnvironment["RNX_HISTORY"] = directory.appendingPathComponent("history").path
        childEnvironment["NO_COLOR"] = nil
        for (key, value) in environment { childEnvironment[key] = value }
        process.environment = childEnvironment
        let stdin = Pipe(), stdout = Pipe(), stderr = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        // Read both streams on their own threads so a full pipe never blocks the child.
        let output = StreamCollector(stdout.fileHandleForReading)
        let errors = StreamCollector(stderr.fileHandleForReading)
        stdin.fileHandleForWriting.write(Data(input.utf8))
        try stdin.fileHandleForWriting.close()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, output: output.text(), errors: errors.text())
    }
}

/// Reads a pipe to its end on a background thread.
private final class StreamCollector: @unchecked Sendable {
    private var data = Data()
    private let done = DispatchSemaphore(value: 0)

    init(_ handle: FileHandle) {
        DispatchQueue.global().async {
            self.data = handle.readDataToEndOfFile()
            self.done.signal()
        }
    }

    /// Everything read, once the writer closed the pipe.
    func text() -> String {
        done.wait()
        return String(decoding: data, as: UTF8.self)
    }
}
