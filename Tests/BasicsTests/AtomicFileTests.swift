import Basics
import Foundation
import XCTest

/// Saves that respect what is at the path: links stay links, special files are refused, permissions are kept.
final class AtomicFileTests: XCTestCase {
    private var directory = ""

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("rnx-basics-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: directory)
    }

    func testWritesANewFileAndLeavesNoTemporaryFile() throws {
        try AtomicFile.write(Array("hello".utf8), to: directory + "/a.txt")
        XCTAssertEqual(try text(directory + "/a.txt"), "hello")
        XCTAssertEqual(try entries(), ["a.txt"])
    }

    func testARelativeSymlinkStaysALinkToTheNewContent() throws {
        try FileManager.default.createDirectory(atPath: directory + "/runs", withIntermediateDirectories: true)
        try "old".write(toFile: directory + "/runs/weights.bin", atomically: false, encoding: .utf8)
        XCTAssertEqual(symlink("runs/weights.bin", directory + "/latest"), 0)
        try AtomicFile.write(Array("new".utf8), to: directory + "/latest")
        XCTAssertEqual(try linkTarget(directory + "/latest"), "runs/weights.bin")
        XCTAssertEqual(try text(directory + "/runs/weights.bin"), "new")
        XCTAssertEqual(try entries(), ["latest", "runs"])
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory + "/runs"), ["weights.bin"])
    }

    func testAnAbsoluteSymlinkStaysALink() throws {
        let target = directory + "/target.txt"
        try "old".write(toFile: target, atomically: false, encoding: .utf8)
        XCTAssertEqual(symlink(target, directory + "/link"), 0)
        try AtomicFile.write(Array("new".utf8), to: directory + "/link")
        XCTAssertEqual(try linkTarget(directory + "/link"), target)
        XCTAssertEqual(try text(target), "new")
    }

    func testAChainOfTwoLinksIsFollowedToTheFile() throws {
        try "old".write(toFile: directory + "/file", atomically: false, encoding: .utf8)
        XCTAssertEqual(symlink("file", directory + "/middle"), 0)
        XCTAssertEqual(symlink(directory + "/middle", directory + "/first"), 0)
        try AtomicFile.write(Array("new".utf8), to: directory + "/first")
        XCTAssertEqual(try linkTarget(directory + "/first"), directory + "/middle")
        XCTAssertEqual(try linkTarget(directory + "/middle"), "file")
        XCTAssertEqual(try text(directory + "/file"), "new")
    }

    func testADanglingLinkCreatesItsTarget() throws {
        try FileManager.default.createDirectory(atPath: directory + "/out", withIntermediateDirectories: true)
        XCTAssertEqual(symlink("out/model.safetensors", directory + "/model"), 0)
        try AtomicFile.write(Array("new".utf8), to: directory + "/model")
        XCTAssertEqual(try linkTarget(directory + "/model"), "out/model.safetensors")
        XCTAssertEqual(try text(directory + "/out/model.safetensors"), "new")
    }

    func testADanglingLinkIntoAMissingDirectoryIsRefused() throws {
        XCTAssertEqual(symlink("missing/file", directory + "/link"), 0)
        XCTAssertThrowsError(try AtomicFile.write([1], to: directory + "/link")) { error in
            XCTAssertEqual("\(error)", "\(directory)/link: it links to \(directory)/missing/file, but directory \(directory)/missing does not exist")
        }
        XCTAssertEqual(try linkTarget(directory + "/link"), "missing/file")
    }

    func testALinkLoopIsAnErrorNotAHang() throws {
        XCTAssertEqual(symlink("b", directory + "/a"), 0)
        XCTAssertEqual(symlink("a", directory + "/b"), 0)
        XCTAssertThrowsError(try AtomicFile.write([1], to: directory + "/a")) { error in
            XCTAssertTrue("\(error)".contains("symbolic links in a row"), "\(error)")
        }
        XCTAssertEqual(try entries(), ["a", "b"])
    }

    func testAFIFOIsRefusedAndKept() throws {
        let fifo = directory + "/pipe"
        XCTAssertEqual(mkfifo(fifo, 0o644), 0)
        XCTAssertThrowsError(try AtomicFile.write([1], to: fifo)) { error in
            XCTAssertEqual(
                error as? AtomicFileError,
                AtomicFileError(path: fifo, message: "it is a named pipe (FIFO), not a regular file; choose a file path"))
        }
        XCTAssertEqual(try kind(fifo), S_IFIFO)
        XCTAssertEqual(try entries(), ["pipe"])
    }

    func testDevNullIsRefusedAndLeftIntact() throws {
        XCTAssertThrowsError(try AtomicFile.write(Array("data".utf8), to: "/dev/null")) { error in
            XCTAssertEqual("\(error)", "/dev/null: it is a character device, not a regular file; choose a file path")
        }
        XCTAssertEqual(try kind("/dev/null"), S_IFCHR)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: "/dev").filter { $0.hasPrefix(".null.tmp-") }, [])
    }

    func testALinkToADeviceIsRefused() throws {
        XCTAssertEqual(symlink("/dev/null", directory + "/sink"), 0)
        XCTAssertThrowsError(try AtomicFile.write([1], to: directory + "/sink")) { error in
            XCTAssertEqual(
                (error as? AtomicFileError)?.message,
                "it links to /dev/null, which is a character device, not a regular file; choose a file path")
        }
        XCTAssertEqual(try linkTarget(directory + "/sink"), "/dev/null")
    }

    func testADirectoryIsRefused() throws {
        try FileManager.default.createDirectory(atPath: directory + "/charts", withIntermediateDirectories: true)
        XCTAssertThrowsError(try AtomicFile.write([1], to: directory + "/charts")) { error in
            XCTAssertEqual((error as? AtomicFileError)?.message, "it is a directory, not a regular file; choose a file path")
        }
        XCTAssertEqual(try kind(directory + "/charts"), S_IFDIR)
    }

    func testAMissingDirectoryAndAnEmptyNameAreClearErrors() {
        XCTAssertThrowsError(try AtomicFile.write([1], to: directory + "/missing/a.txt")) { error in
            XCTAssertEqual((error as? AtomicFileError)?.message, "directory \(directory)/missing does not exist")
        }
        XCTAssertThrowsError(try AtomicFile.write([1], to: "")) { error in
            XCTAssertEqual((error as? AtomicFileError)?.message, "empty file name")
        }
        XCTAssertThrowsError(try AtomicFile.write([1], to: directory + "/missing/")) { error in
            XCTAssertEqual((error as? AtomicFileError)?.message, "not a file name: it ends in '/'")
        }
    }

    func testAPrivateFileStaysPrivate() throws {
        try assertModeKept(0o600)
    }

    func testAnExecutableFileStaysExecutable() throws {
        try assertModeKept(0o755)
    }

    func testANewFileHonoursTheUmask() throws {
        let previous = umask(0o027)
        defer { umask(previous) }
        try AtomicFile.write([1], to: directory + "/shared")
        try AtomicFile.write([1], to: directory + "/private", newFileMode: 0o600)
        XCTAssertEqual(try mode(directory + "/shared"), 0o640)
        XCTAssertEqual(try mode(directory + "/private"), 0o600)
    }

    func testOwnerAndGroupAreKeptWhenPermitted() throws {
        try XCTSkipUnless(getuid() == 0, "only root may give a file to another owner")
        let path = directory + "/owned"
        try "old".write(toFile: path, atomically: false, encoding: .utf8)
        XCTAssertEqual(chown(path, 1234, 5678), 0)
        try AtomicFile.write(Array("new".utf8), to: path)
        var status = stat()
        XCTAssertEqual(stat(path, &status), 0)
        XCTAssertEqual(status.st_uid, 1234)
        XCTAssertEqual(status.st_gid, 5678)
        XCTAssertEqual(try text(path), "new")
    }

    func testAFailedWriteLeavesTheOldContent() throws {
        let path = directory + "/data.bin"
        try "old".write(toFile: path, atomically: false, encoding: .utf8)
        struct Stop: Error {}
        XCTAssertThrowsError(
            try AtomicFile.write(to: path) { sink in
                try sink.write(Array("half of the new".utf8))
                throw Stop()
            }
        ) { error in
            XCTAssertTrue(error is Stop)
        }
        XCTAssertEqual(try text(path), "old")
        XCTAssertEqual(try entries(), ["data.bin"])
    }

    func testLeftoversOfDeadWritersAreRemovedAndLiveOnesKept() throws {
        // No process has the largest pid; this process is alive.
        let dead = ".a.txt.tmp-\(Int32.max)-17"
        let live = ".a.txt.tmp-\(getppid())-18"
        for name in [dead, live] { try "torn".write(toFile: directory + "/" + name, atomically: false, encoding: .utf8) }
        try AtomicFile.write([1], to: directory + "/a.txt")
        XCTAssertEqual(try entries(), [live, "a.txt"].sorted())
    }

    private func assertModeKept(_ permissions: mode_t, line: UInt = #line) throws {
        let path = directory + "/file"
        try "old".write(toFile: path, atomically: false, encoding: .utf8)
        XCTAssertEqual(chmod(path, permissions), 0, line: line)
        try AtomicFile.write(Array("new".utf8), to: path)
        XCTAssertEqual(try mode(path), permissions, line: line)
        XCTAssertEqual(try text(path), "new", line: line)
    }

    private func entries() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
    }

    private func text(_ path: String) throws -> String {
        try String(contentsOfFile: path, encoding: .utf8)
    }

    private func linkTarget(_ path: String) throws -> String {
        try FileManager.default.destinationOfSymbolicLink(atPath: path)
    }

    private func status(_ path: String) throws -> stat {
        var status = stat()
        guard lstat(path, &status) == 0 else { throw AtomicFileError(path: path, message: String(cString: strerror(errno))) }
        return status
    }

    private func kind(_ path: String) throws -> mode_t {
        try status(path).st_mode & S_IFMT
    }

    private func mode(_ path: String) throws -> mode_t {
        try status(path).st_mode & 0o7777
    }
}
