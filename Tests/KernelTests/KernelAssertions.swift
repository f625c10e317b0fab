import XCTest
@testable import Kernel

/// Asserts that `body` is refused because its result would not fit in memory (`KernelError.allocationTooLarge`).
func assertRefusedForSize(
    _ body: @autoclosure () throws -> Any, _ message: String = "", file: StaticString = #filePath, line: UInt = #line
) {
    XCTAssertThrowsError(try body(), message, file: file, line: line) { error in
        guard case KernelError.allocationTooLarge = error else {
            return XCTFail("expected allocationTooLarge, found \(error)", file: file, line: line)
        }
    }
}

/// Asserts that `body` throws an error whose message contains every one of `fragments`.
func assertError(_ body: @autoclosure () throws -> Any, contains fragments: [String], file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertThrowsError(try body(), file: file, line: line) { error in
        for fragment in fragments {
            XCTAssertTrue("\(error)".contains(fragment), "expected '\(fragment)' in: \(error)", file: file, line: line)
        }
    }
}

/// Asserts that `body` throws an error whose message contains `text`.
func assertError(_ body: @autoclosure () throws -> Any, containing text: String, file: StaticString = #filePath, line: UInt = #line) {
    assertError(try body(), contains: [text], file: file, line: line)
}

/// Runs `body` with a 1 MB tensor limit, so refusing "too large" needs no large allocation.
func withSmallMemoryLimit(_ body: () throws -> Void) rethrows {
    let saved = MemoryLimit.bytes
    MemoryLimit.bytes = 1 << 20
    defer { MemoryLimit.bytes = saved }
    try body()
}
