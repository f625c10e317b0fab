import XCTest

@testable import DSL

/// Python's printf-style `%` formatting of strings, with Python's results.
final class PercentFormatTests: XCTestCase {
    func testConversionsMatchPython() throws {
        let cases: [(String, String)] = [
            (#""%.2f" % 3.14159"#, "3.14"),
            (#""%d items" % 3"#, "3 items"),
            (#""%i|%5d|%-5d|%05d" % (7, 42, 42, 42)"#, "7|   42|42   |00042"),
            (#""%d" % 3.99"#, "3"),
            (#""%d" % -3.99"#, "-3"),
            (#""%s: %r" % ("loss", "x")"#, "loss: 'x'"),
            (#""%s" % [1, 2]"#, "[1, 2]"),
            (#""%e" % 12345.678"#, "1.234568e+04"),
            (#""%.3g|%g" % (0.000123456, 1e20)"#, "0.000123|1e+20"),
            (#""%x %X %#x %o" % (255, 255, 255, 8)"#, "ff FF 0xff 10"),
            (#""%+.1f %+d" % (2.0, 5)"#, "+2.0 +5"),
            (#""100%%" % ()"#, "100%"),
            (#""%(name)s=%(value).1f" % {"name": "lr", "value": 0.05}"#, "lr=0.1"),
            (#""%8.3f|" % 3.14159"#, "   3.142|"),
            (#""%.2s" % "abc""#, "ab"),
            (#""%c" % 65"#, "A"),
        ]
        for (source, expected) in cases {
            XCTAssertEqual(try eval(source), .string(expected), source)
        }
    }

    func testMistakesGiveOneClearError() {
        let session = Session()
        XCTAssertEqual(session.error(#""%d %d" % (1,)"#)?.message, "not enough arguments for format string (1 given)")
        XCTAssertEqual(
            session.error(#""%d" % (1, 2)"#)?.message, "not all arguments converted during string formatting (2 given, 1 used)")
        XCTAssertEqual(session.error(#""%d" % "x""#)?.kind, .type)
        XCTAssertEqual(session.error(#""%x" % 1.5"#)?.kind, .type)
        XCTAssertEqual(session.error(#""%d" % 1e300"#)?.kind, .value)
        XCTAssertEqual(session.error(#""%d" % float("nan")"#)?.kind, .value)
        XCTAssertTrue(session.error(#""%q" % 1"#)?.message.contains("unsupported format character 'q'") == true)
        XCTAssertEqual(session.error(#""50%" % 1"#)?.message, "incomplete format: the string ends after '%'")
        XCTAssertEqual(session.error(#""%(a)s" % 1"#)?.kind, .type)
        XCTAssertEqual(session.error(#""%(a)s" % {"b": 1}"#)?.kind, .key)
        XCTAssertEqual(session.error(#""%*d" % (3, 1)"#)?.kind, .value)
        XCTAssertEqual(session.error(#""%99999999999999999999d" % 1"#)?.kind, .value)
    }
}
