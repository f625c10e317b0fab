import XCTest
@testable import Repl

final class HistoryStoreTests: XCTestCase {
    func testEntriesAreDeduplicatedAndLimited() throws {
        let directory = try TemporaryDirectory()
        let store = HistoryStore(url: directory.url.appendingPathComponent("sub/history"), limit: 3)
        XCTAssertEqual(store.load(), [])
        try store.add("a = 1")
        try store.add("b = 2")
        try store.add("a = 1")
        XCTAssertEqual(store.load(), ["b = 2", "a = 1"])
        try store.add("c = 3")
        try store.add("   ")
        try store.add("d = 4")
        XCTAssertEqual(store.load(), ["a = 1", "c = 3", "d = 4"])
    }

    func testMultiLineEntriesRoundTripAsOneEntry() throws {
        let directory = try TemporaryDirectory()
        let url = directory.url.appendingPathComponent("history")
        let store = HistoryStore(url: url, limit: 3)
        let block = "for i in range(3):\n\n    print(i)"
        try store.add("x = 1")
        try store.add(block)
        try store.add("x = 1")
        try store.add(block + "\r")
        XCTAssertEqual(store.load(), ["x = 1", block], "a repeated block moves to the end; a trailing CR is dropped")
        XCTAssertEqual(try String(contentsOf: url, encoding: .utf8), "x = 1\nfor i in range(3):\r\n\r\n    print(i)\n")
        try store.add("def f():\r\n    return 'a\\\\n'")
        try store.add("y = 2")
        XCTAssertEqual(store.load(), [block, "def f():\n    return 'a\\\\n'", "y = 2"], "limited to three entries")
    }

    func testAOneLineHistoryFileReadsUnchanged() throws {
        let directory = try TemporaryDirectory()
        let url = directory.url.appendingPathComponent("history")
        try TextFile.save("a = 1\nprint('x\\n')\n\nb = 2\n", to: url)
        XCTAssertEqual(HistoryStore(url: url, limit: 10).load(), ["a = 1", "print('x\\n')", "b = 2"])
    }

    func testTwoSessionsKeepEachOthersEntries() throws {
        let directory = try TemporaryDirectory()
        let url = directory.url.appendingPathComponent("history")
        let first = HistoryStore(url: url, limit: 100)
        let second = HistoryStore(url: url, limit: 100)
        try first.add("one")
        try second.add("two")
        try first.add("three")
        XCTAssertEqual(second.load(), ["one", "two", "three"])
    }

    func testLocationComesFromEnvironment() {
        XCTAssertEqual(HistoryStore.defaultURL(environment: ["RNX_HISTORY": "/tmp/h", "HOME": "/root"]).path, "/tmp/h")
        XCTAssertEqual(HistoryStore.defaultURL(environment: ["HOME": "/home/ada"]).path, "/home/ada/.rnx_history")
    }

    func testAtomicWriteReplacesContentAndReportsFailures() throws {
        let directory = try TemporaryDirectory()
        let url = directory.url.appendingPathComponent("file.txt")
        try TextFile.save("first", to: url)
        try TextFile.save("second", to: url)
        XCTAssertEqual(try String(contentsOf: url, encoding: .utf8), "second")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory.url.path), ["file.txt"])
        XCTAssertThrowsError(try TextFile.save("x", to: URL(fileURLWithPath: "/proc/rnx-cannot-write/file")))
    }
}
