/// A gnuplot program as rnx sends it: command lines and numeric datablocks, in order.
///
/// Charts build one of these; the session adds the terminal, output and completion lines around it.
/// Data never travels as text the user wrote: a datablock holds only numbers.
public struct GnuplotScript: Equatable {
    /// One step of the program.
    public enum Step: Equatable {
        /// A single command line (never containing a line break).
        case command(String)
        /// `$name << e`, then `rows` rows of `columns` numbers (row-major `values`), then `e`.
        case dataBlock(name: String, columns: Int, values: [Double])
    }

    /// The steps in the order gnuplot runs them.
    public private(set) var steps: [Step] = []
    private var blockCount = 0

    /// An empty program.
    public init() {}

    /// Appends one command line.
    public mutating func command(_ line: String) {
        steps.append(.command(line))
    }

    /// Appends a datablock of `columns`-wide rows and returns its name for use in `plot` (e.g. `$rnx0`).
    @discardableResult
    public mutating func dataBlock(columns: Int, values: [Double]) -> String {
        let name = "rnx\(blockCount)"
        blockCount += 1
        steps.append(.dataBlock(name: name, columns: columns, values: values))
        return "$" + name
    }

    /// The program as text, one command a line, numbers in Swift's shortest exact form
    /// (the process receives the same numbers in gnuplot-iostream's format).
    public var text: String {
        var lines: [String] = []
        for step in steps {
            switch step {
            case .command(let line):
                lines.append(line)
            case .dataBlock(let name, let columns, let values):
                lines.append("$\(name) << e")
                var start = 0
                while start < values.count {
                    let end = min(start + columns, values.count)
                    lines.append(values[start..<end].map { "\($0)" }.joined(separator: " "))
                    start = end
                }
                lines.append("e")
            }
        }
        return lines.map { $0 + "\n" }.joined()
    }
}
