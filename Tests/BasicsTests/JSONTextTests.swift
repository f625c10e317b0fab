import Basics
import XCTest

/// `JSONText.quoted` escapes as Python's `json.dumps(s, ensure_ascii=False)` does.
final class JSONTextTests: XCTestCase {
    func testEscapesAsPythonsJSONModule() {
        // json.dumps('a "q" \\ \n\r\t\b\f \x01 é/✓', ensure_ascii=False)
        XCTAssertEqual(JSONText.quoted("a \"q\" \\ \n\r\t\u{08}\u{0C} \u{01} é/✓"), #""a \"q\" \\ \n\r\t\b\f \u0001 é/✓""#)
        XCTAssertEqual(JSONText.quoted(""), #""""#)
    }
}
