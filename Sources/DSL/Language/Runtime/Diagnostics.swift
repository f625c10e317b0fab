import Basics

/// One entry of a traceback: which DSL function was running and where.
public struct TracebackFrame: CustomStringConvertible {
    /// The function's name, `<module>` for top-level code, `<lambda>` for lambdas.
    public let function: String
    /// The line being executed in that function (for outer frames: the call that led inward).
    public let location: SourceLocation

    /// `file:line in function`.
    public var description: String { "\(location.file):\(location.line) in \(function)" }
}

/// Every error the language reports: syntax errors, runtime errors and interruptions.
/// `rendered` is the complete message for the user: `file:line:col: error: Kind: message`,
/// the source line with a caret under the column, then the traceback of DSL frames (innermost last).
public struct DSLError: Error, CustomStringConvertible {
    /// The category of the error, named like the Python exception users know.
    public enum Kind: String {
        case syntax = "SyntaxError"
        case name = "NameError"
        case type = "TypeError"
        case value = "ValueError"
        case index = "IndexError"
        case key = "KeyError"
        case attribute = "AttributeError"
        case zeroDivision = "ZeroDivisionError"
        case overflow = "OverflowError"
        /// A list, tuple or string refused because it would exceed the memory limit (see `ContainerLimit`).
        case memory = "MemoryError"
        case recursion = "RecursionError"
        case assertion = "AssertionError"
        case keyboardInterrupt = "KeyboardInterrupt"
        case stopIteration = "StopIteration"
        /// `input()` found the end of its input.
        case endOfFile = "EOFError"
        case runtime = "RuntimeError"
    }

    /// What went wrong, in category.
    public let kind: Kind
    /// One sentence: what was expected and what was found.
    public let message: String
    /// Where the error happened; nil only while the error travels out of a builtin towards the call that located it.
    public internal(set) var location: SourceLocation?
    /// The DSL call stack at the error, outermost first; empty for syntax errors.
    public internal(set) var traceback: [TracebackFrame] = []
    /// Set by the scanner when the input merely stopped early (open bracket, unterminated triple-quoted string),
    /// so the REPL can ask for another line instead of reporting an error.
    var isPrematureEnd = false

    /// Creates an error; builtins usually leave `location` nil and the interpreter fills in the call's position.
    public init(_ kind: Kind, _ message: String, at location: SourceLocation? = nil) {
        self.kind = kind
        self.message = message
        self.location = location
    }

    /// The full message for the user, with the quoted source line, caret and traceback.
    public var rendered: String {
        var text = ""
        if let location {
            text += "\(location): error: \(kind.rawValue): \(message)"
            if let quoted = location.quotedLine { text += "\n" + quoted }
        } else {
            text += "error: \(kind.rawValue): \(message)"
        }
        if traceback.count > 1 {
            text += "\nTraceback (most recent call last):"
            var index = 0
            while index < traceback.count {
                let frame = traceback[index]
                text += "\n  \(frame)"
                if let line = frame.location.source.line(frame.location.line) {
                    text += "\n    " + line.trimmingLeadingWhitespace()
                }
                // Deep recursion repeats one frame many times; show it once with a count.
                var repeats = 0
                while index + repeats + 1 < traceback.count && traceback[index + repeats + 1].description == frame.description {
                    repeats += 1
                }
                if repeats > 0 { text += "\n  [the frame above repeats \(Plural.count(repeats, "more time"))]" }
                index += repeats + 1
            }
        }
        return text
    }

    /// Same as `rendered`.
    public var description: String { rendered }
}

extension String {
    func trimmingLeadingWhitespace() -> String {
        String(drop(while: { $0 == " " || $0 == "\t" }))
    }
}
