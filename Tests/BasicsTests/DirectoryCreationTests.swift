import Basics
import Foundation
import XCTest

/// `AtomicFile.createDirectory` is `mkdir -p` with errors that name the part of the path in the way.
final class DirectoryCreationTests: XCTestCase {
    private var directory = ""

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("rnx-dirs-\(UUID().uuidString)").path
        try AtomicFile.createDirectory(directory)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: directory)
    }

    func testCreatesMissingParentsAndAcceptsExistingDirectoriesAndLinksToThem() throws {
        try AtomicFile.createDirectory(directory + "/a/b//c/")
        try AtomicFile.createDirectory(directory + "/a/b")
        XCTAssertEqual(symlink("a/b", directory + "/link"), 0)
        try AtomicFile.createDirectory(directory + "/link/d")
        var isDirectory: ObjCBool = false
        XCTAssertTrue(FileManager.default.fileExists(atPath: directory + "/a/b/c", isDirectory: &isDirectory) && isDirectory.boolValue)
        XCTAssertTrue(FileManager.default.fileExists(atPath: directory + "/a/b/d", isDirectory: &isDirectory) && isDirectory.boolValue)
    }

    func testAFileInTheWayIsNamed() throws {
        try AtomicFile.write(Array("x".utf8), to: directory + "/out")
        XCTAssertThrowsError(try AtomicFile.createDirectory(directory + "/out/charts")) { error in
            XCTAssertEqual((error as? AtomicFileError)?.message, "cannot create the directory: \(directory)/out is a file")
        }
        XCTAssertThrowsError(try AtomicFile.createDirectory("")) { error in
            XCTAssertEqual((error as? AtomicFileError)?.message, "cannot create a directory with an empty name")
        }
    }

    func testTheSystemsReasonIsGiven() throws {
        // /proc takes no new entries, for root too.
        XCTAssertThrowsError(try AtomicFile.createDirectory("/proc/rnx-new/deeper")) { error in
            XCTAssertEqual((error as? AtomicFileError)?.message, "cannot create the directory /proc/rnx-new: No such file or directory")
        }
    }
}
