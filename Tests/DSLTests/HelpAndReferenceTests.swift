import XCTest
@testable import DSL

final class HelpTests: XCTestCase {
    func testEveryBuiltinHasADocAndHelpShowsIt() throws {
        let library = Library.standard
        let session = Session()
        for group in library.groups {
            for function in group.functions {
                XCTAssertFalse(function.doc.isEmpty, "\(function.name) needs a doc")
                XCTAssertEqual(try session.output("help(\(function.name))"), HelpBuiltins.describe(function) + "\n")
                XCTAssertTrue(try session.output("help('\(function.name)')").hasPrefix(function.signature))
            }
            for constant in group.constants {
                XCTAssertFalse(constant.doc.isEmpty, "\(constant.name) needs a doc")
                XCTAssertTrue(try session.output("help('\(constant.name)')").contains(constant.doc))
            }
        }
        for type in library.types {
            XCTAssertFalse(type.doc.isEmpty, "\(type.name) needs a doc")
            XCTAssertTrue(try session.output("help(\(type.name))").hasPrefix("class \(type.name)\n"))
            for method in type.methods {
                XCTAssertFalse(method.doc.isEmpty, "\(method.qualifiedName) needs a doc")
                XCTAssertTrue(try session.output("help('\(method.qualifiedName)')").hasPrefix(method.signature))
            }
        }
    }

    func testHelpExamples() throws {
        let session = Session()
        XCTAssertEqual(
            try session.output("help(range)"),
            """
            class range
                An arithmetic progression of integers, produced lazily.

            range(start, stop=None, step=1)
                range(stop) counts 0, 1, ..., stop-1; range(start, stop, step) counts from start by step up to (not including) stop.

            """)
        XCTAssertEqual(try session.output("help([].append)"), "list.append(x)\n    Add x at the end.\n")
        XCTAssertEqual(
            try session.output("help('str.join')"), "str.join(iterable)\n    The strings of iterable joined with this text between them.\n")
        XCTAssertEqual(
            try session.output("help(print)"),
            "print(*values, sep=' ', end='\\n', flush=False)\n    Write the values (as str shows them) separated by sep and followed by end.\n")
        XCTAssertTrue(try session.output("help()").contains("\nSequences:\n  enumerate, zip, map, filter, reversed, sorted,"))
        XCTAssertTrue(try session.output("help({})").hasPrefix("class dict"))
        XCTAssertEqual(session.error("help('prnt')")?.message, "no builtin named 'prnt' (did you mean 'print'?)")
    }
}

final class LanguageReferenceTests: XCTestCase {
    /// docs/language.md must match what the registry generates; set RNX_WRITE_DOCS=1 to rewrite it.
    func testCommittedReferenceIsUpToDate() throws {
        let file = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("docs/language.md")
        let generated = LanguageReference.markdown()
        let committed = try GeneratedDocument(path: file.path).committed(updatingTo: generated)
        XCTAssertEqual(committed, generated, "docs/language.md is stale; regenerate with: \(LanguageReference.regenerateCommand)")
    }

    func testReferenceCoversEveryBuiltinAndMethod() {
        let markdown = LanguageReference.markdown()
        for group in Library.standard.groups {
            for function in group.functions { XCTAssertTrue(markdown.contains("`\(function.signature)`"), function.name) }
        }
        for type in Library.standard.types {
            for method in type.methods { XCTAssertTrue(markdown.contains("`\(method.signature)`"), method.qualifiedName) }
        }
    }
}
