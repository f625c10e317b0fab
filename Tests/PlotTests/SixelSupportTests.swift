import XCTest
@testable import Plot

/// Choosing sixel graphics from the setting, the environment and the terminal's answer.
final class SixelSupportTests: XCTestCase {
    private let sixelAnswer = "\u{1B}[?62;4;6;22c"
    private let plainAnswer = "\u{1B}[?62;6;22c"

    func testSettingOverridesEverything() {
        XCTAssertTrue(SixelSupport.isSupported(mode: .on, environment: ["RNX_SIXEL": "0"], terminalAnswer: plainAnswer))
        XCTAssertFalse(SixelSupport.isSupported(mode: .off, environment: ["RNX_SIXEL": "1", "TERM": "xterm-sixel"], terminalAnswer: sixelAnswer))
    }

    func testEnvironmentVariableForcesEitherWay() {
        XCTAssertTrue(SixelSupport.isSupported(environment: ["RNX_SIXEL": "1"], terminalAnswer: nil))
        XCTAssertFalse(SixelSupport.isSupported(environment: ["RNX_SIXEL": "0", "TERM": "mlterm-sixel"], terminalAnswer: sixelAnswer))
        XCTAssertTrue(SixelSupport.isSupported(environment: ["RNX_SIXEL": "yes"], terminalAnswer: nil))
    }

    func testTermNamingSixel() {
        XCTAssertTrue(SixelSupport.isSupported(environment: ["TERM": "xterm-sixel"], terminalAnswer: nil))
        XCTAssertFalse(SixelSupport.isSupported(environment: ["TERM": "xterm-256color"], terminalAnswer: nil))
    }

    func testTerminalAnswerListingAttributeFour() {
        XCTAssertTrue(SixelSupport.isSupported(environment: [:], terminalAnswer: sixelAnswer))
        XCTAssertFalse(SixelSupport.isSupported(environment: [:], terminalAnswer: plainAnswer))
        XCTAssertFalse(SixelSupport.isSupported(environment: ["RNX_SIXEL": "maybe"], terminalAnswer: "garbage"))
    }

    func testDeviceAttributesParsing() {
        XCTAssertEqual(SixelSupport.deviceAttributes(in: "noise" + sixelAnswer), [62, 4, 6, 22])
        XCTAssertEqual(SixelSupport.deviceAttributes(in: "\u{1B}[?64c"), [64])
        XCTAssertEqual(SixelSupport.deviceAttributes(in: "no answer"), [])
    }
}
