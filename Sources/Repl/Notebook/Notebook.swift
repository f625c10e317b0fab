import Foundation

/// A `.rnx` file's cells together with the file name diagnostics show.
struct Notebook: Equatable {
    /// The path as the user gave it (shown in `file:line:col`).
    var file: String
    /// The cells in file order; `:run N` and `--cells` number them from 1, markdown cells included.
    var cells: [Cell]

    /// A notebook from already-split cells.
    init(file: String, cells: [Cell]) {
        self.file = file
        self.cells = cells
    }

    /// Reads and splits the file at `path`; throws a message naming the file when it cannot be read.
    init(contentsOf path: String) throws {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            let reason = FileManager.default.fileExists(atPath: path) ? "it cannot be read" : "no such file"
            throw ReplError("cannot open \(path): \(reason)")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ReplError("cannot read \(path): it is not UTF-8 text")
        }
        self.init(file: path, cells: NotebookParser.cells(in: text))
    }

    /// Numbers (1-based) of the code cells.
    var codeCellNumbers: [Int] {
        cells.indices.filter { cells[$0].kind == .code }.map { $0 + 1 }
    }
}
