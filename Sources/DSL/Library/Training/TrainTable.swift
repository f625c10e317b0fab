import Basics
import Foundation
import Kernel

/// A table of results (top losses, confusion matrix, grid-search trials, …) that prints as text and keeps its
/// cells as values: `t.columns`, `t.rows`, `t.column("loss")`, `t[i]` (a row as a list), `t[a:b]` (a smaller table), `len(t)`, iteration over rows.
final class TableObject: DSLObject {
    let columns: [String]
    let rows: [[Value]]

    init(columns: [String], rows: [[Value]]) {
        self.columns = columns
        self.rows = rows
    }

    static let type = DSLType(
        name: "Table",
        doc: "Rows of results that print as a text table; the cells stay numbers and names for further use (charts).",
        properties: [
            DSLProperty("columns", doc: "The column names.") { value in .list(try receiver(value).columns.map { .string($0) }) },
            DSLProperty("rows", doc: "The rows, each a list of cells.") { value in .list(try receiver(value).rows.map { .list($0) }) },
        ],
        methods: [
            BuiltinFunction("column", [.required("name")], doc: "The cells of the column called name, as a list.") { args in
                let table = try args.receiver(as: TableObject.self)
                let name = try args.string("name")
                guard let index = table.columns.firstIndex(of: name) else {
                    var message =
                        "the table has no column \(Value.quote(name)); its columns are \(Value.list(table.columns.map { .string($0) }).repr)"
                    if let suggestion = Suggestions.closest(to: name, among: table.columns) { message += " (did you mean '\(suggestion)'?)" }
                    throw DSLError(.key, message)
                }
                return .list(table.rows.map { index < $0.count ? $0[index] : .none })
            }
        ])

    private static func receiver(_ value: Value) throws -> TableObject {
        guard case .object(let object) = value, let table = object as? TableObject else {
            throw DSLError(.type, "expected a Table, not \(value.typeName)")
        }
        return table
    }

    var dslType: DSLType { TableObject.type }

    var description: String {
        // A column whose floats are all short (hyper-parameters such as 0.1 or 5e-4) shows them as written.
        let asWritten = columns.indices.map { column in
            rows.allSatisfy { row in
                guard column < row.count, case .float(let number) = row[column] else { return true }
                return Value.formatFloat(number).count <= 7
            }
        }
        var table = TextTable(header: columns)
        for row in rows {
            table.append(
                row.enumerated().map { column, cell in
                    if case .float = cell, column < asWritten.count, asWritten[column] { return cell.description }
                    return TableObject.cell(cell)
                })
        }
        return table.render()
    }

    var summary: String {
        "<Table: \(Plural.count(rows.count, "row")) × \(Plural.count(columns.count, "column")): \(columns.joined(separator: ", "))>"
    }

    func length() throws -> Int? { rows.count }

    /// `t[i]` is a row as a list; `t[a:b]` a table of those rows.
    func item(at index: Value) throws -> Value? {
        if case .slice(let slice) = index {
            return .object(TableObject(columns: columns, rows: try slice.positions(length: rows.count).map { rows[$0] }))
        }
        return .list(rows[try Operations.position(index, count: rows.count, typeName: "Table")])
    }

    func makeIterator() throws -> ValueIterator? {
        var position = 0
        let rows = self.rows
        return ValueIterator {
            guard position < rows.count else { return nil }
            defer { position += 1 }
            return .list(rows[position])
        }
    }

    /// Floats with four decimals (scientific for very small or large magnitudes), None as an empty cell.
    static func cell(_ value: Value) -> String {
        switch value {
        case .none: return ""
        case .float(let number):
            guard number.isFinite else { return Value.formatFloat(number) }
            let magnitude = abs(number)
            return magnitude != 0 && (magnitude < 1e-3 || magnitude >= 1e6) ? String(format: "%.3e", number) : String(format: "%.4f", number)
        default: return value.description
        }
    }
}
