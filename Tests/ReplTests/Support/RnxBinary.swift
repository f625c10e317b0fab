import Foundation
import XCTest

/// Finds the `rnx` executable built next to the test bundle (same build directory, whatever the configuration or
/// `--scratch-path`), or at `$RNX_BINARY`.
enum RnxBinary {
    /// The executable's path; throws (failing the test with a clear message) when it was not built.
    static func path() throws -> String {
        let environment = ProcessInfo.processInfo.environment
        if let explicit = environment["RNX_BINARY"], FileManager.default.isExecutableFile(atPath: explicit) { return explicit }
        var candidates: [URL] = []
        // The test runner lives in the build products directory (Linux: …/debug/rnxPackageTests.xctest;
        // macOS: …/debug/rnxPackageTests.xctest/Contents/MacOS/rnxPackageTests): look upwards for `rnx`.
        var directory = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
        if !FileManager.default.fileExists(atPath: "/proc/self/exe"), let executable = Bundle.main.executableURL {
            directory = executable.deletingLastPathComponent()
        }
        for _ in 0..<5 {
            candidates.append(directory.appendingPathComponent("rnx"))
            directory.deleteLastPathComponent()
        }
        for bundle in Bundle.allBundles {
            candidates.append(bundle.bundleURL.deletingLastPathComponent().appendingPathComponent("rnx"))
        }
        let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        candidates.append(packageRoot.appendingPathComponent(".build/debug/rnx"))
        candidates.append(packageRoot.appendingPathComponent(".build/release/rnx"))
        for candidate in candidates where FileManager.default.isExecutableFile(atPath: candidate.path) {
            return candidate.path
        }
        throw XCTSkip(
            "the rnx executable was not found next to the tests (looked at \(candidates.map(\.path))); build it with swift build --product rnx")
    }
}
