import Foundation

/// A Jupyter notebook (nbformat 4.5) as rnx writes it (`rnx run --to out.ipynb`, `rnx convert exp.rnx out.ipynb`)
/// and reads it (`rnx convert nb.ipynb exp.rnx`): markdown, code and raw cells, and the outputs of executed code cells.
struct JupyterNotebook: Equatable {
    /// One output of a code cell, as nbformat's output types.
    enum Output: Equatable {
        /// Text the cell printed: `name` is `stdout` or `stderr`.
        case stream(name: String, text: String)
        /// The value of the cell's last expression, as the REPL shows it.
        case executeResult(count: Int, text: String)
        /// A chart: PNG and SVG, with a text stand-in.
        case chart(png: [UInt8], svg: String, text: String)
        /// The error that stopped the cell: its type (`ValueError`), message, and the lines of the rendered report.
        case error(name: String, value: String, traceback: [String])
    }

    /// When a code cell ran, as nbclient records it in `metadata.execution`.
    struct Timing: Equatable {
        /// When the cell's code was handed to the interpreter.
        var started: Date
        /// When it finished.
        var finished: Date
    }

    /// One cell.
    struct Cell: Equatable {
        /// Code, markdown or raw (the same kinds as a `.rnx` cell).
        var kind: Repl.Cell.Kind
        /// The cell's text (markdown without the `# ` comment prefix).
        var source: String
        /// The title of its `# %%` marker line, kept in the cell's metadata so a round trip keeps it.
        var title: String = ""
        /// Execution counter of a code cell that ran; nil otherwise.
        var executionCount: Int?
        /// Outputs of a code cell that ran.
        var outputs: [Output] = []
        /// When a code cell ran.
        var timing: Timing?
    }

    /// The cells in order.
    var cells: [Cell]

    /// The cells of a `.rnx` notebook, not executed.
    init(cells: [Repl.Cell]) {
        self.cells = cells.map { Cell(kind: $0.kind, source: $0.source, title: $0.title) }
    }

    /// The notebook's cells as `.rnx` cells (outputs dropped).
    var rnxCells: [Repl.Cell] {
        cells.map { Repl.Cell(kind: $0.kind, title: $0.title, source: $0.source, startLine: 1) }
    }

    // MARK: - Writing

    /// The notebook as nbformat 4.5 JSON, laid out as Jupyter saves notebooks (`NotebookJSON`).
    func json() -> [UInt8] {
        let document: [String: Any] = [
            "nbformat": 4,
            "nbformat_minor": 5,
            "metadata": [
                "kernelspec": ["name": "rnx", "display_name": "rnx", "language": "rnx"],
                "language_info": ["name": "rnx", "file_extension": ".rnx", "codemirror_mode": "python", "mimetype": "text/x-rnx"],
            ],
            "cells": cells.enumerated().map { Self.json(of: $0.element, number: $0.offset + 1) },
        ]
        return Array((NotebookJSON.text(of: document) + "\n").utf8)
    }

    private static func json(of cell: Cell, number: Int) -> [String: Any] {
        var metadata: [String: Any] = [:]
        if !cell.title.isEmpty { metadata["title"] = cell.title }
        // nbformat 4.5 wants an id unique in the notebook (letters, digits, - and _).
        var object: [String: Any] = ["id": "cell-\(number)", "source": lines(cell.source), "metadata": metadata]
        switch cell.kind {
        case .markdown: object["cell_type"] = "markdown"
        case .raw: object["cell_type"] = "raw"
        case .code:
            object["cell_type"] = "code"
            object["execution_count"] = cell.executionCount ?? NSNull()
            object["outputs"] = cell.outputs.map(json(of:))
            if let timing = cell.timing {
                metadata["execution"] = [
                    "iopub.execute_input": timestamp(timing.started), "shell.execute_reply": timestamp(timing.finished),
                ]
                object["metadata"] = metadata
            }
        }
        return object
    }

    private static func json(of output: Output) -> [String: Any] {
        switch output {
        case .stream(let name, let text):
            return ["output_type": "stream", "name": name, "text": lines(text)]
        case .executeResult(let count, let text):
            return ["output_type": "execute_result", "execution_count": count, "metadata": [String: Any](), "data": ["text/plain": lines(text)]]
        case .chart(let png, let svg, let text):
            return [
                "output_type": "display_data", "metadata": [String: Any](),
                "data": ["image/png": Data(png).base64EncodedString(), "image/svg+xml": lines(svg), "text/plain": lines(text)],
            ]
        case .error(let name, let value, let traceback):
            return ["output_type": "error", "ename": name, "evalue": value, "traceback": traceback]
        }
    }

    /// Text as nbformat's list of lines, each keeping its line break (Jupyter's own way of saving multi-line text).
    private static func lines(_ text: String) -> [String] {
        var result: [String] = []
        var current = ""
        for character in text {
            current.append(character)
            if character == "\n" || character == "\r\n" {
                result.append(current)
                current = ""
            }
        }
        if !current.isEmpty { result.append(current) }
        return result
    }

    /// ISO 8601 with microseconds in UTC, as nbclient writes `metadata.execution` times.
    private static func timestamp(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: date)
    }

    // MARK: - Reading

    /// Reads an nbformat 4 notebook from `bytes`; `file` names it in errors. Only what a `.rnx` file keeps is read:
    /// each cell's type, source and title.
    init(json bytes: [UInt8], file: String) throws {
        let document: Any
        do {
            document = try JSONSerialization.jsonObject(with: Data(bytes))
        } catch {
            throw ReplError("\(file): not a Jupyter notebook: the JSON is malformed (\(Self.reason(error)))")
        }
        guard let object = document as? [String: Any] else {
            throw ReplError("\(file): not a Jupyter notebook: expected a JSON object, found \(Self.kindName(document))")
        }
        guard let format = object["nbformat"] as? Int, format == 4 else {
            throw ReplError("\(file): expected nbformat 4, found \(object["nbformat"].map { "\($0)" } ?? "no nbformat field")")
        }
        guard let cells = object["cells"] as? [Any] else {
            throw ReplError("\(file): expected a list of cells in \"cells\", found \(object["cells"].map(Self.kindName) ?? "none")")
        }
        self.cells = try cells.enumerated().map { index, value in
            let place = "\(file): cell \(index + 1)"
            guard let cell = value as? [String: Any] else {
                throw ReplError("\(place): expected a JSON object, found \(Self.kindName(value))")
            }
            let kind: Repl.Cell.Kind
            switch cell["cell_type"] as? String {
            case "code": kind = .code
            case "markdown": kind = .markdown
            case "raw": kind = .raw
            default:
                throw ReplError("\(place): expected cell_type code, markdown or raw, found \(cell["cell_type"].map { "\($0)" } ?? "none")")
            }
            let source: String
            if let text = cell["source"] as? String {
                source = text
            } else if let parts = cell["source"] as? [Any], let texts = parts as? [String] {
                source = texts.joined()
            } else {
                throw ReplError(
                    "\(place): expected the source as a string or a list of strings, found \(cell["source"].map(Self.kindName) ?? "none")")
            }
            let title = ((cell["metadata"] as? [String: Any])?["title"] as? String) ?? ""
            return Cell(kind: kind, source: source, title: title)
        }
    }

    private static func kindName(_ value: Any) -> String {
        switch value {
        case is String: return "a string"
        case is [Any]: return "a list"
        case is [String: Any]: return "an object"
        case is NSNull: return "null"
        case is NSNumber: return "a number"
        default: return "a value"
        }
    }

    private static func reason(_ error: Error) -> String {
        (error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String ?? error.localizedDescription
    }
}
