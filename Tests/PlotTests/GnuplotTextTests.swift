import XCTest
@testable import Plot

/// How user text becomes a gnuplot string literal.
final class GnuplotTextTests: XCTestCase {
    func testPlainTextIsSingleQuoted() {
        XCTAssertEqual(GnuplotText.quoted("train loss"), "'train loss'")
    }

    func testSingleQuotesAreDoubled() {
        XCTAssertEqual(GnuplotText.quoted("it's"), "'it''s'")
        XCTAssertEqual(GnuplotText.quoted("class 'cat'"), "'class ''cat'''")
    }

    func testQuotesGnuplotCannotReadDoubledBecomeTypographicQuotes() {
        // gnuplot reads "''" as a quote only after a non-quote byte.
        XCTAssertEqual(GnuplotText.quoted("'"), "'\u{2019}'")
        XCTAssertEqual(GnuplotText.quoted("'a'"), "'\u{2019}a'''")
        XCTAssertEqual(GnuplotText.quoted("a''b"), "'a''\u{2019}b'")
    }

    func testQuoteFollowedByCombiningMarkIsStillEscaped() {
        // "'\u{301}" is one Character but two scalars; the quote must not slip through undoubled.
        XCTAssertEqual(GnuplotText.quoted("a'\u{301}b"), "'a''\u{301}b'")
    }

    func testLineBreaksAndOtherControlCharactersBecomeSpaces() {
        XCTAssertEqual(GnuplotText.quoted("a\nb\rc\td\u{0}e\u{7F}f\u{85}g\u{2028}h"), "'a b c d e f g h'")
    }

    func testBackticksMacrosAndBackslashesStayLiteral() {
        XCTAssertEqual(GnuplotText.quoted("`ls` @m \\n $x"), "'`ls` @m \\n $x'")
    }

    func testUnicodeIsKept() {
        XCTAssertEqual(GnuplotText.quoted("Größe µ 🐱"), "'Größe µ 🐱'")
    }

    func testNumbersMustBeFinite() throws {
        XCTAssertEqual(try GnuplotText.number(0.001, "x"), "0.001")
        XCTAssertThrowsError(try GnuplotText.number(.nan, "marker x")) { error in
            XCTAssertEqual("\(error)", "plot: marker x must be a finite number, got nan")
        }
    }
}
