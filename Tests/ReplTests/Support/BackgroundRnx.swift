import Foundation

/// An `rnx` run in the background (pipes for its output), for tests that act on it while it runs.
final class BackgroundRnx {
    private let process = Process()
    private let output: FileHandle
    private let errors: FileHandle
    private var outputData = Data()
    private var errorData = Data()
    private let done = DispatchGroup()

    /// Starts `rnx arguments` in `directory` with `environment` added to the test's, reading the file `input` (a
    /// path in `directory`) as its standard input when given.
    init(_ arguments: [String], in directory: URL, environment: [String: String] = [:], input: String? = nil) throws {
        process.executableURL = URL(fileURLWithPath: try RnxBinary.path())
        process.arguments = arguments
        process.currentDirectoryURL = directory
        var childEnvironment = ProcessInfo.processInfo.environment
        childEnvironment["RNX_HISTORY"] = directory.appendingPathComponent("history").path
        for (key, value) in environment { childEnvironment[key] = value }
        process.environment = childEnvironment
        let stdout = Pipe(), stderr = Pipe()
        process.standardInput = try input.map { try FileHandle(forReadingFrom: directory.appendingPathComponent($0)) } ?? FileHandle.nullDevice
        process.standardOutput = stdout
        process.standardError = stderr
        output = stdout.fileHandleForReading
        errors = stderr.fileHandleForReading
        try process.run()
        // Read both streams as they come so a full pipe never blocks the child.
        done.enter()
        DispatchQueue.global().async { [self] in
            outputData = output.readDataToEndOfFile()
            done.leave()
        }
        done.enter()
        DispatchQueue.global().async { [self] in
            errorData = errors.readDataToEndOfFile()
            done.leave()
        }
    }

    /// Sends SIGINT, as Ctrl-C on a terminal would.
    func interrupt() {
        process.interrupt()
    }

    /// Waits for the process to end and returns its status and output.
    func wait() -> RnxProcess.Result {
        process.waitUntilExit()
        done.wait()
        return RnxProcess.Result(
            status: process.terminationStatus, output: String(decoding: outputData, as: UTF8.self),
            errors: String(decoding: errorData, as: UTF8.self))
    }

    deinit {
        if process.isRunning { process.terminate() }
    }
}
