// Shared helpers for the Data*Tests files: temporary folders, files written byte by byte, gzip
// compression through zlib, and the path of the project's bundled data. (The file name follows the
// Data*Tests pattern; it holds no tests of its own.)
import CImageIO
import CZlib
import Foundation
import XCTest
@testable import Kernel

enum DataFixtures {
    /// The repository's `data/` directory, found from this source file (following the symbolic links
    /// that Kernel-only scratch packages use).
    static var projectDataDirectory: String {
        let source = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
        return source.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("data").path
    }

    /// A fresh, empty directory that is removed when `test` finishes.
    static func temporaryDirectory(for test: XCTestCase) throws -> String {
        let path = NSTemporaryDirectory() + "rnx-data-tests-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        test.addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
        return path
    }

    /// Writes `bytes` to `path`, creating parent folders.
    static func write(_ bytes: [UInt8], to path: String) throws {
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try Data(bytes).write(to: URL(fileURLWithPath: path))
    }

    /// Writes `image` with `ImageFile.write`, creating parent folders.
    static func writeImage(_ image: Tensor, to path: String, quality: Int = 95) throws {
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try ImageFile.write(image, to: path, quality: quality)
    }

    /// Writes a `width`×`height` JPEG of one CMYK colour with libjpeg (which adds an Adobe marker, so
    /// readers take the values as inverted inks, as in Photoshop files).
    static func writeCMYKJPEG(_ colour: [UInt8], width: Int, height: Int, to path: String) throws {
        let pixels = [UInt8]((0..<(width * height)).flatMap { _ in colour })
        let bytes = JPEGTestEncoder.encode(pixels, width: width, height: height, components: 4, colorSpace: JCS_CMYK, quality: 100)
        guard !bytes.isEmpty else { throw KernelError.file(path: path, message: "libjpeg produced no data") }
        try write(bytes, to: path)
    }

    /// Writes `text` (UTF-8) to `path`.
    static func write(_ text: String, to path: String) throws {
        try write(Array(text.utf8), to: path)
    }

    /// The bytes of the file at `path`.
    static func read(_ path: String) throws -> [UInt8] {
        Array(try Data(contentsOf: URL(fileURLWithPath: path)))
    }

    /// Writes `bytes` gzip-compressed to `path` with zlib.
    static func writeGzip(_ bytes: [UInt8], to path: String) throws {
        guard let file = gzopen(path, "wb") else { throw KernelError.file(path: path, message: "cannot create") }
        let written = bytes.withUnsafeBytes { gzwrite(file, $0.baseAddress, UInt32($0.count)) }
        gzclose(file)
        XCTAssertEqual(Int(written), bytes.count)
    }

    /// An unsigned-byte IDX file: magic 0x0800 + rank, big-endian sizes, then `payload`.
    static func idx(dimensions: [Int], payload: [UInt8]) -> [UInt8] {
        var bytes: [UInt8] = [0, 0, 8, UInt8(dimensions.count)]
        for size in dimensions {
            bytes += [24, 16, 8, 0].map { UInt8(truncatingIfNeeded: size >> $0) }
        }
        return bytes + payload
    }

    /// A small labelled data set of [channels, height, width] images whose pixels are (sample, position) codes.
    static func dataset(count: Int, channels: Int = 1, height: Int = 4, width: Int = 4, classes: Int = 2) throws -> Dataset {
        let size = channels * height * width
        let values = (0..<(count * size)).map { Float($0 / size) + Float($0 % size) / 1000 }
        return try Dataset(
            images: Tensor(shape: [count, channels, height, width], data: values),
            labels: (0..<count).map { $0 % classes }, classNames: (0..<classes).map { "class\($0)" })
    }
}

/// Asserts that `body` throws a `KernelError.file` naming `path` whose message contains `fragment`.
func assertFileError<T>(
    _ body: @autoclosure () throws -> T, path: String, contains fragment: String, file: StaticString = #filePath, line: UInt = #line
) {
    XCTAssertThrowsError(try body(), file: file, line: line) { error in
        guard case let KernelError.file(errorPath, message) = error else {
            return XCTFail("expected a file error, got \(error)", file: file, line: line)
        }
        XCTAssertEqual(errorPath, path, file: file, line: line)
        XCTAssertTrue(message.contains(fragment), "message \"\(message)\" lacks \"\(fragment)\"", file: file, line: line)
    }
}

/// Element-wise comparison of float arrays within `accuracy`.
func assertValuesClose(_ actual: [Float], _ expected: [Float], accuracy: Float, file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(actual.count, expected.count, "counts differ", file: file, line: line)
    for (index, (a, e)) in zip(actual, expected).enumerated() where abs(a - e) > accuracy {
        XCTFail("element \(index): \(a) is not within \(accuracy) of \(e)", file: file, line: line)
        return
    }
}
