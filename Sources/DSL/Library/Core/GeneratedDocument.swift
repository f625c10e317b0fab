import Basics
import Foundation

/// A document, or the part of one between two marker lines, whose text is produced by rnx itself: `docs/language.md`
/// from the builtin registry, the README's tour from a real session. A test compares the committed text with the
/// produced one, so the document never goes stale; run with `RNX_WRITE_DOCS=1`, it writes the produced text first.
///
///     let document = GeneratedDocument(path: "README.md", between: "<!-- tour -->", and: "<!-- end of tour -->")
///     XCTAssertEqual(try document.committed(updatingTo: produced), produced)
public struct GeneratedDocument {
    /// The file.
    public let path: String
    /// The lines the produced text goes between (each alone on its line); nil for the whole file.
    public let markers: (begin: String, end: String)?

    /// The environment variable that, set to 1, makes the tests write the produced text into the documents.
    public static let rewriteVariable = "RNX_WRITE_DOCS"

    /// The whole file at `path`.
    public init(path: String) {
        self.path = path
        markers = nil
    }

    /// The lines of the file at `path` between the line `begin` and the line `end`.
    public init(path: String, between begin: String, and end: String) {
        self.path = path
        markers = (begin, end)
    }

    /// Whether this run writes produced text into the documents (`RNX_WRITE_DOCS=1`).
    public static var rewriting: Bool { ProcessInfo.processInfo.environment[rewriteVariable] == "1" }

    /// The committed text (of the marked part). Throws when the file cannot be read or lacks the markers.
    public func committed() throws -> String {
        let (lines, part) = try read()
        return lines[part].joined(separator: "\n")
    }

    /// The committed text (of the marked part), after writing `produced` there when `rewriting`. Throws when the
    /// file cannot be read or written, or lacks the markers.
    public func committed(updatingTo produced: String) throws -> String {
        guard Self.rewriting else { return try committed() }
        var (lines, part) = try read()
        lines.replaceSubrange(part, with: produced.components(separatedBy: "\n"))
        try AtomicFile.write(Array(lines.joined(separator: "\n").utf8), to: path)
        return produced
    }

    /// The file's lines and the range of those generated.
    private func read() throws -> (lines: [String], part: Range<Int>) {
        let lines = try String(contentsOfFile: path, encoding: .utf8).components(separatedBy: "\n")
        guard let markers else { return (lines, lines.indices) }
        guard let begin = lines.firstIndex(of: markers.begin), let end = lines[(begin + 1)...].firstIndex(of: markers.end) else {
            throw AtomicFileError(path: path, message: "expected the lines \(markers.begin) and \(markers.end) around the generated part")
        }
        return (lines, (begin + 1)..<end)
    }
}
