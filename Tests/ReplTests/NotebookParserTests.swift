import XCTest
@testable import Repl

final class NotebookParserTests: XCTestCase {
    func testCellsKeepTheirFileLineNumbers() {
        let text = """
            # %% [markdown]
            # # Lesson 1
            #
            # Define a *model*.

            # %% Setup
            lr = 0.1

            epochs = 2

            # %%
            print(lr)
            """
        let cells = NotebookParser.cells(in: text)
        XCTAssertEqual(
            cells,
            [
                Cell(kind: .markdown, title: "", source: "# Lesson 1\n\nDefine a *model*.", startLine: 2),
                Cell(kind: .code, title: "Setup", source: "lr = 0.1\n\nepochs = 2", startLine: 7),
                Cell(kind: .code, title: "", source: "print(lr)", startLine: 12),
            ])
    }

    func testTextBeforeTheFirstMarkerIsACell() {
        let cells = NotebookParser.cells(in: "\n\nx = 1\n# %%\ny = 2\n")
        XCTAssertEqual(cells.map(\.source), ["x = 1", "y = 2"])
        XCTAssertEqual(cells.map(\.startLine), [3, 5])
    }

    func testFileWithoutMarkersIsOneCell() {
        XCTAssertEqual(NotebookParser.cells(in: "a = 1\nb = 2"), [Cell(kind: .code, title: "", source: "a = 1\nb = 2", startLine: 1)])
    }

    func testEmptyCellsAreDroppedAndEmptyFileHasNoCells() {
        XCTAssertEqual(NotebookParser.cells(in: "# %%\n\n# %%\nx = 1\n# %%\n").count, 1)
        XCTAssertEqual(NotebookParser.cells(in: ""), [])
        XCTAssertEqual(NotebookParser.cells(in: "\n\n  \n"), [])
    }

    func testMarkerOptionsAndLookalikes() {
        let text = "# %% [md]\n# note\n# %% [raw]\nraw text\n# %%%\n# %%x not a marker\n# %% Train [markdown]\n# heading"
        let cells = NotebookParser.cells(in: text)
        XCTAssertEqual(cells.map(\.kind), [.markdown, .raw, .markdown])
        XCTAssertEqual(cells[1].source, "raw text\n# %%%\n# %%x not a marker")
        XCTAssertEqual(cells[2].title, "Train")
    }

    func testWindowsLineEndingsAndUncommentedMarkdownLines() {
        let cells = NotebookParser.cells(in: "# %% [markdown]\r\n# Title\r\nplain line\r\n# %%\r\nx = 1\r\n")
        XCTAssertEqual(cells.map(\.source), ["Title\nplain line", "x = 1"])
    }

    func testWriterRoundTrips() {
        let cells = [
            Cell(kind: .markdown, title: "", source: "# Intro\n\nText", startLine: 2),
            Cell(kind: .code, title: "Train", source: "for i in range(2):\n    print(i)", startLine: 7),
        ]
        let text = NotebookWriter.text(of: cells)
        XCTAssertEqual(text, "# %% [markdown]\n# # Intro\n#\n# Text\n\n# %% Train\nfor i in range(2):\n    print(i)\n")
        XCTAssertEqual(NotebookParser.cells(in: text), cells)
    }

    func testSummaryIsTheFirstNonBlankLine() {
        XCTAssertEqual(Cell(kind: .code, title: "t", source: "\n  x = 1  \ny", startLine: 1).summary, "x = 1")
        XCTAssertEqual(Cell(kind: .code, title: "t", source: "", startLine: 1).summary, "t")
    }
}
