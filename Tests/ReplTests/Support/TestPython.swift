import Foundation
import XCTest

/// The Python interpreter of the virtual environment `make test` creates (`.venv-test`, from
/// `Tests/Python/requirements.txt`), which holds the real clients the interop tests drive: jupyter_client, nbclient,
/// nbformat, tensorboard, numpy. `$RNX_TEST_PYTHON` overrides it.
enum TestPython {
    /// The interpreter's path; fails (not skips) when the environment is missing, so a broken set-up cannot pass.
    static func path() throws -> String {
        if let explicit = ProcessInfo.processInfo.environment["RNX_TEST_PYTHON"], !explicit.isEmpty { return explicit }
        let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        let candidate = packageRoot.appendingPathComponent(".venv-test/bin/python").path
        guard FileManager.default.isExecutableFile(atPath: candidate) else {
            throw TestPythonMissing(path: candidate)
        }
        return candidate
    }

    /// Runs `python -c script arguments…` in `directory` and returns its exit status and output (stdout + stderr).
    static func run(_ script: String, arguments: [String] = [], in directory: URL, environment: [String: String] = [:]) throws
        -> (status: Int32, output: String)
    {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try path())
        process.arguments = ["-c", script] + arguments
        process.currentDirectoryURL = directory
        var childEnvironment = ProcessInfo.processInfo.environment
        for (key, value) in environment { childEnvironment[key] = value }
        process.environment = childEnvironment
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}

/// The test environment was not created: says how to create it.
struct TestPythonMissing: Error, CustomStringConvertible {
    let path: String
    var description: String {
        "no Python test environment at \(path): run `make test` (or `make test-venv`), which creates it from Tests/Python/requirements.txt"
    }
}
