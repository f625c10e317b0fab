import Foundation
import XCTest
@testable import Kernel

/// The blocked-path tests again in a child test process with oneDNN capped at AVX2 (`ONEDNN_MAX_CPU_ISA=AVX2`), so the
/// 8-channel path (nChw8c convolutions, models training through 8-channel blocks) is exercised on an AVX-512 machine
/// too: the block width is chosen once per process, from the instruction set oneDNN dispatches to.
final class NNChannelBlockedAVX2Tests: XCTestCase {
    /// Tells the child which block width it must have chosen (checked by `NNChannelBlockedTests`).
    static let expectedWidthVariable = "RNX_TEST_EXPECTED_BLOCK_WIDTH"

    func testTheBlockedPathTestsPassWithEightChannelBlocksUnderAVX2() throws {
        guard DNNLConvolution.channelBlockWidth != nil else {
            throw XCTSkip("this CPU has no AVX2, so oneDNN cannot be capped at it")
        }
        let child = Process()
        child.executableURL = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        child.arguments = ["KernelTests.NNChannelBlockedTests,KernelTests.TensorLayoutTests,KernelTests.GraphLifetimeNNTests"]
        var environment = ProcessInfo.processInfo.environment
        environment["ONEDNN_MAX_CPU_ISA"] = "AVX2"
        environment[Self.expectedWidthVariable] = "8"
        child.environment = environment
        let output = Pipe()
        child.standardOutput = output
        child.standardError = output
        try child.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        child.waitUntilExit()
        let failures = text.split(separator: "\n").filter { $0.contains("error:") || $0.contains("skipped") }
        XCTAssertEqual(child.terminationStatus, 0, "the tests under AVX2 failed:\n\(failures.joined(separator: "\n"))")
        XCTAssertTrue(failures.isEmpty, "\(failures.joined(separator: "\n"))")
        XCTAssertTrue(text.contains("NNChannelBlockedTests.testEveryResNetFlavourTrainsThroughBlockedFeatureMaps"), text)
    }
}
