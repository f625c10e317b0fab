import Basics
import DSL

/// `rnx check`: parses every code cell of a notebook and checks its names without running anything.
/// Every problem is listed (`file:line:col`, the line with a caret, and a "did you mean" when a known name is close).
struct NotebookChecker {
    /// Where problems and the summary go.
    let console: Console

    /// Checks `file`; returns true when every code cell parses and uses only names it defines (or builtins, or
    /// the `settings` given with `--set`, which are warned about when the file never mentions them).
    /// Throws when the file cannot be read.
    func check(file: String, settings: [String] = []) throws -> Bool {
        let notebook = try Notebook(contentsOf: file)
        let report = NameCheck().check(Self.cells(of: notebook), file: file, predefined: Set(settings))
        warnAboutUnusedSettings(settings, report: report, file: file)
        let problems = report.problems
        let cells = notebook.codeCellNumbers
        for problem in problems { console.error(problem.rendered) }
        let cellText = Plural.count(cells.count, "code cell")
        if problems.isEmpty {
            console.line("\(file): \(cellText), no errors")
        } else {
            let isSyntax = problems.contains { $0.kind == .syntax }
            let skipped = isSyntax ? " (names are checked once every cell parses)" : ""
            console.error("\(file): \(Plural.count(problems.count, "error")) in \(cellText)\(skipped)")
        }
        return problems.isEmpty
    }

    /// A `--set` name the script never mentions is still defined (one list of fast settings fits every example),
    /// but it is most likely a typo, so it is reported with the closest name the script does use.
    func warnAboutUnusedSettings(_ names: [String], in notebook: Notebook) {
        guard !names.isEmpty else { return }
        warnAboutUnusedSettings(names, report: NameCheck().check(Self.cells(of: notebook), file: notebook.file), file: notebook.file)
    }

    /// The warnings of `warnAboutUnusedSettings(_:in:)` from a name check of `file` already made.
    private func warnAboutUnusedSettings(_ names: [String], report: NameCheckReport, file: String) {
        for name in names where !report.mentionedNames.contains(name) {
            let hint = report.suggestion(for: name).map { " (did you mean '\($0)'?)" } ?? ""
            console.error("warning: --set \(name): \(file) never uses '\(name)'\(hint); it is defined anyway")
        }
    }

    /// The code cells of `notebook` with the file lines they start at.
    private static func cells(of notebook: Notebook) -> [ScriptCell] {
        notebook.codeCellNumbers.map { ScriptCell(source: notebook.cells[$0 - 1].source, firstLine: notebook.cells[$0 - 1].startLine) }
    }
}
