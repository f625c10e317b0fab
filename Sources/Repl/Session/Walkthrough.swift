/// `rnx walk lesson.rnx`: a guided tour of a notebook. Markdown cells are rendered; each code cell is shown
/// syntax-coloured and runs on Enter (`s` skips it, `r` re-runs the previous cell, `e` edits it in `$EDITOR`,
/// `i` leaves for the REPL, `q` quits). At the end the REPL continues with the lesson's variables.
struct Walkthrough {
    /// How the walk ended.
    enum Ending: Equatable {
        /// Continue in the REPL (end of the lesson, or `i`).
        case repl
        /// Leave rnx (`q`, Ctrl-C or end of input).
        case quit
    }

    /// The session holding the lesson.
    let session: Session
    /// Reads the user's choices.
    let keys: KeyReader
    /// Opens a cell in the user's editor (`e`).
    let editor: ExternalEditor

    /// The key help shown before each code cell.
    static let choices = "[Enter] run · s skip · r re-run previous · e edit · i REPL · q quit"

    /// Walks through the loaded notebook from its first cell.
    func walk() -> Ending {
        let console = session.console
        let renderer = MarkdownRenderer(style: console.style)
        let highlighter = SyntaxHighlighter(style: console.style)
        let notebook = session.notebook
        var previous: Int?
        var number = 1
        while number <= session.notebook.cells.count {
            let cell = session.notebook.cells[number - 1]
            switch cell.kind {
            case .markdown:
                console.line(renderer.render(cell.source))
                console.line()
                number += 1
                continue
            case .raw:
                number += 1
                continue
            case .code:
                break
            }
            console.notice("── cell \(number) · \(notebook.file):\(cell.startLine) ──")
            console.line(highlighter.highlight(cell.source))
            console.write(console.style.apply(.dim, Self.choices) + " ")
            let key = keys.next()
            console.line()
            switch key {
            case .enter:
                session.runCell(number, showTime: false, showHeader: false)
                previous = number
                number += 1
                console.line()
            case .character("s"):
                number += 1
            case .character("r"):
                if let previous {
                    session.runCell(previous, showTime: false)
                } else {
                    console.line("no cell has run yet")
                }
            case .character("e"):
                do {
                    session.replaceCell(number, source: try editor.edit(cell.source, fileName: "cell\(number).rnx"))
                } catch {
                    console.failure("\(error)")
                }
            case .character("i"):
                session.nextCellIndex = number - 1
                return .repl
            case .character("q"), .quit:
                return .quit
            case .character(let other):
                console.line("'\(other)' is not a choice: \(Self.choices)")
            }
        }
        console.notice("── end of \(notebook.file); the REPL has the lesson's variables (Ctrl-D quits) ──")
        return .repl
    }
}
