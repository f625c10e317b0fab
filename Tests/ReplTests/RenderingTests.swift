import XCTest
@testable import Repl

final class RenderingTests: XCTestCase {
    private let plain = TextStyle(enabled: false)
    private let styled = TextStyle(enabled: true)

    func testPlainMarkdownStaysReadable() {
        let markdown = "# Training\n\nUse *small* batches and **warm up**, see `fit`.\n- one\n  * two\n## Next\n> note"
        XCTAssertEqual(
            MarkdownRenderer(style: plain).render(markdown),
            """
            Training
            ========

            Use small batches and warm up, see `fit`.
            - one
              - two
            Next
            ----
            > note
            """)
    }

    func testStyledMarkdownUsesEscapeCodes() {
        let rendered = MarkdownRenderer(style: styled).render("## Step *1*\nCall `fit` with *care*, **now**.")
        XCTAssertEqual(rendered, "\u{1B}[1;4mStep 1\u{1B}[0m\nCall \u{1B}[36mfit\u{1B}[0m with \u{1B}[3mcare\u{1B}[0m, \u{1B}[1mnow\u{1B}[0m.")
    }

    func testUnderscoresInsideNamesAreNotEmphasis() {
        XCTAssertEqual(
            InlineSpan.parse("set learning_rate_max and _this_"),
            [.text("set learning_rate_max and "), .emphasis("this")])
        XCTAssertEqual(
            InlineSpan.parse("2 * 3 * 4 and `a*b` and *unclosed"),
            [.text("2 * 3 * 4 and "), .code("a*b"), .text(" and *unclosed")])
    }

    func testFencedCodeIsIndentedAndHighlighted() {
        XCTAssertEqual(MarkdownRenderer(style: plain).render("```\nx = 1\n```"), "```\n    x = 1\n```")
        XCTAssertEqual(MarkdownRenderer(style: styled).render("```\nx = 1\n```"), "    x = \u{1B}[33m1\u{1B}[0m")
    }

    func testTokensCoverTheSourceExactly() {
        let source = "for i in range(10):  # loop\n    s = f\"{i}\" + 'a\\'b' + \"\"\"multi\nline\"\"\"\n    x = 1e-3 + 0x1F + .5\n"
        let tokens = SourceToken.tokenize(source)
        XCTAssertEqual(tokens.map(\.text).joined(), source)
        XCTAssertEqual(tokens.filter { $0.kind == .string }.map(\.text), ["f\"{i}\"", "'a\\'b'", "\"\"\"multi\nline\"\"\""])
        XCTAssertEqual(tokens.filter { $0.kind == .number }.map(\.text), ["10", "1e-3", "0x1F", ".5"])
        XCTAssertEqual(tokens.filter { $0.kind == .comment }.map(\.text), ["# loop"])
    }

    func testHighlighterColoursKeywordsStringsNumbersAndComments() {
        let highlighted = SyntaxHighlighter(style: styled).highlight("if x: return 'a' # 2")
        XCTAssertEqual(highlighted, "\u{1B}[1;35mif\u{1B}[0m x: \u{1B}[1;35mreturn\u{1B}[0m \u{1B}[32m'a'\u{1B}[0m \u{1B}[90m# 2\u{1B}[0m")
        XCTAssertEqual(SyntaxHighlighter(style: plain).highlight("if x: return 'a'"), "if x: return 'a'")
    }

    func testMultiLineStringsAreColouredLineByLine() {
        let highlighted = SyntaxHighlighter(style: styled).highlight("s = \"\"\"a\nb\"\"\"")
        XCTAssertEqual(highlighted.split(separator: "\n").count, 2)
        XCTAssertTrue(highlighted.hasSuffix("\u{1B}[32mb\"\"\"\u{1B}[0m"))
    }

    func testStringProbe() {
        XCTAssertTrue(StringLiteralProbe.isInsideString("load(\""))
        XCTAssertTrue(StringLiteralProbe.isInsideString("load('data/mn"))
        XCTAssertTrue(StringLiteralProbe.isInsideString("x = \"a\\\""))
        XCTAssertFalse(StringLiteralProbe.isInsideString("load(\"a\") + "))
        XCTAssertFalse(StringLiteralProbe.isInsideString("x = 1"))
        XCTAssertTrue(StringLiteralProbe.isInsideString("s = \"\"\"abc"))
    }
}
