/// Which column of a CSV file holds the label: a 0-based index (negative counts from the end, −1 is the last column)
/// or the column's name in the header row.
public enum CSVLabelColumn: Sendable, Equatable, CustomStringConvertible {
    case index(Int)
    case name(String)

    /// The 0-based column in rows of `columns` fields; a name needs the header, so it throws here.
    func resolve(columns: Int, path: String) throws -> Int {
        switch self {
        case .index(let index):
            let resolved = index < 0 ? columns + index : index
            guard resolved >= 0, resolved < columns else {
                throw KernelError.file(
                    path: path,
                    message:
                        "label column \(index) does not exist: the rows have \(columns) columns (0…\(columns - 1), or -1…-\(columns) from the end)")
            }
            return resolved
        case .name(let name):
            throw KernelError.file(
                path: path, message: "label='\(name)' names a column, but the file has no header row; give the label column's index instead")
        }
    }

    /// The 0-based column of a name in `header`; nil for an index, which is resolved against each data row.
    func resolve(header: [String], path: String) throws -> Int? {
        guard case .name(let name) = self else { return nil }
        guard let found = header.firstIndex(of: name) else {
            let shown = header.prefix(8).map { "'\($0)'" }.joined(separator: ", ") + (header.count > 8 ? ", …" : "")
            throw KernelError.file(path: path, message: "no column named '\(name)' in the header row (it has \(shown))")
        }
        return found
    }

    /// `column 0`, `column -1` or `column 'label'`, for messages.
    public var description: String {
        switch self {
        case .index(let index): return "column \(index)"
        case .name(let name): return "column '\(name)'"
        }
    }
}
