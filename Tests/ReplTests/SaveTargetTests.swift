import Foundation
import Kernel
import XCTest
@testable import Repl

/// Every way rnx saves a file (the history, `:save`, `save`/`save_checkpoint`/`save_weights`, the metrics log)
/// respects what is at the path: a symbolic link stays a link, a device or pipe is refused and left alone, and an
/// existing file keeps its permissions.
final class SaveTargetTests: XCTestCase {
    private let plain = Console(style: TextStyle(enabled: false), errorStyle: TextStyle(enabled: false))

    func testHistoryKeptInADotfilesRepositoryStaysALink() throws {
        let directory = try TemporaryDirectory()
        let dotfiles = directory.url.appendingPathComponent("dotfiles")
        try FileManager.default.createDirectory(at: dotfiles, withIntermediateDirectories: true)
        let link = directory.url.appendingPathComponent(".rnx_history")
        try FileManager.default.createSymbolicLink(atPath: link.path, withDestinationPath: "dotfiles/rnx_history")
        let store = HistoryStore(url: link, limit: 10)
        try store.add("a = 1")
        try store.add("b = 2")
        XCTAssertEqual(try FileManager.default.destinationOfSymbolicLink(atPath: link.path), "dotfiles/rnx_history")
        XCTAssertEqual(try String(contentsOf: dotfiles.appendingPathComponent("rnx_history"), encoding: .utf8), "a = 1\nb = 2\n")
        XCTAssertEqual(try permissions(dotfiles.appendingPathComponent("rnx_history").path), 0o600, "a new history is private")
    }

    func testHistoryKeepsThePermissionsTheUserGaveIt() throws {
        let directory = try TemporaryDirectory()
        let url = try directory.write("old\n", to: "history")
        XCTAssertEqual(chmod(url.path, 0o640), 0)
        try HistoryStore(url: url, limit: 10).add("new")
        XCTAssertEqual(try permissions(url.path), 0o640)
    }

    func testSaveCommandRefusesAPipeAndLeavesItInPlace() throws {
        let directory = try TemporaryDirectory()
        let fifo = directory.url.appendingPathComponent("cells.rnx").path
        XCTAssertEqual(mkfifo(fifo, 0o644), 0)
        let session = Session(engine: Engine(console: plain), console: plain)
        XCTAssertTrue(session.run("x = 1", file: "<stdin>"))
        let runner = CommandRunner(session: session, editor: ExternalEditor(command: "true"))
        XCTAssertThrowsError(try runner.perform(.save(fifo))) { error in
            XCTAssertEqual("\(error)", "cannot write \(fifo): it is a named pipe (FIFO), not a regular file; choose a file path")
        }
        var status = stat()
        XCTAssertEqual(lstat(fifo, &status), 0)
        XCTAssertEqual(status.st_mode & S_IFMT, S_IFIFO)
    }

    func testSaveCommandWritesThroughALink() throws {
        let directory = try TemporaryDirectory()
        let target = try directory.write("old", to: "notebook.rnx")
        let link = directory.url.appendingPathComponent("current.rnx").path
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: target.path)
        let session = Session(engine: Engine(console: plain), console: plain)
        XCTAssertTrue(session.run("x = 41", file: "<stdin>"))
        _ = try CommandRunner(session: session, editor: ExternalEditor(command: "true")).perform(.save(link))
        XCTAssertEqual(try FileManager.default.destinationOfSymbolicLink(atPath: link), target.path)
        XCTAssertTrue(try String(contentsOf: target, encoding: .utf8).contains("x = 41"))
    }

    func testModelSavesRefuseADeviceAndFollowLinks() throws {
        let directory = try TemporaryDirectory()
        let engine = Engine(console: plain)
        XCTAssertEqual(engine.run("seed(1)\nx = input([2])\nnet = model(x, dense(x, 1))", file: "t.rnx"), .success(display: nil))
        for call in ["save(net, '/dev/null')", "net.save_weights('/dev/null')", "save_checkpoint(net, '/dev/null')"] {
            guard case .failure(let message, _) = engine.run(call, file: "t.rnx") else { return XCTFail("\(call) wrote to /dev/null") }
            XCTAssertTrue(message.contains("/dev/null: it is a character device, not a regular file; choose a file path"), message)
        }
        var status = stat()
        XCTAssertEqual(stat("/dev/null", &status), 0)
        XCTAssertEqual(status.st_mode & S_IFMT, S_IFCHR)

        let target = try directory.write("old", to: "epoch-3.ckpt")
        XCTAssertEqual(chmod(target.path, 0o600), 0)
        let link = directory.url.appendingPathComponent("last.ckpt").path
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: "epoch-3.ckpt")
        XCTAssertEqual(engine.run("save_checkpoint(net, '\(link)')", file: "t.rnx"), .success(display: nil))
        XCTAssertEqual(try FileManager.default.destinationOfSymbolicLink(atPath: link), "epoch-3.ckpt")
        XCTAssertGreaterThan(try Data(contentsOf: target).count, 8)
        XCTAssertEqual(try permissions(target.path), 0o600)
    }

    func testMetricsLogRefusesADeviceEvenWhenAppending() {
        for append in [false, true] {
            XCTAssertThrowsError(try MetricsLog(path: "/dev/full", append: append)) { error in
                XCTAssertEqual(
                    error as? KernelError,
                    .file(path: "/dev/full", message: "it is a character device, not a regular file; choose a file path"))
            }
        }
    }

    private func permissions(_ path: String) throws -> mode_t {
        var status = stat()
        guard stat(path, &status) == 0 else { throw ReplError("cannot stat \(path)") }
        return status.st_mode & 0o7777
    }
}
