import Foundation

/// The notebook files rnx reads and writes, chosen by extension: `.rnx` (Jupytext percent format), `.ipynb`
/// (nbformat 4.5) and, for writing only, `.html` (a self-contained page). `rnx convert` and `rnx run --to` use them.
enum NotebookDocument {
    /// A file format, from a path's extension.
    enum Format: Equatable {
        case rnx, ipynb, html

        /// The format of `path`; throws naming the extensions rnx knows.
        init(path: String, writing: Bool) throws {
            switch URL(fileURLWithPath: path).pathExtension.lowercased() {
            case "rnx": self = .rnx
            case "ipynb": self = .ipynb
            case "html" where writing, "htm" where writing: self = .html
            default:
                let known = writing ? ".rnx, .ipynb or .html" : ".rnx or .ipynb"
                throw ReplError("\(path): expected a file ending in \(known)")
            }
        }
    }

    /// Reads the notebook at `path` (`.rnx` or `.ipynb`).
    static func read(_ path: String) throws -> JupyterNotebook {
        switch try Format(path: path, writing: false) {
        case .rnx: return JupyterNotebook(cells: try Notebook(contentsOf: path).cells)
        case .ipynb, .html:
            guard let data = FileManager.default.contents(atPath: path) else {
                let reason = FileManager.default.fileExists(atPath: path) ? "it cannot be read" : "no such file"
                throw ReplError("cannot open \(path): \(reason)")
            }
            return try JupyterNotebook(json: [UInt8](data), file: path)
        }
    }

    /// Writes `notebook` to `path` atomically, in the format its extension names; `title` heads an HTML page.
    static func write(_ notebook: JupyterNotebook, to path: String, title: String) throws {
        let text: String
        switch try Format(path: path, writing: true) {
        case .rnx: text = NotebookWriter.text(of: notebook.rnxCells)
        case .ipynb: text = String(decoding: notebook.json(), as: UTF8.self)
        case .html: text = HTMLExport.page(notebook, title: title)
        }
        try TextFile.save(text, to: URL(fileURLWithPath: path))
    }
}
