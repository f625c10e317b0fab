import Foundation

/// A REPL `:` command, parsed from the line the user typed.
enum ReplCommand: Equatable {
    /// `:help [name]`: the command list, or help on a builtin, a `:` command or a topic.
    case help(String?)
    /// `:load file.rnx`: reads the file's cells (does not run them).
    case load(String)
    /// `:cells`: lists the loaded cells with their first lines.
    case cells
    /// `:run N`, `:run 2-4`, `:run all`.
    case run(String)
    /// `:next`: runs the cell after the last one run.
    case next
    /// `:edit N`: opens cell N in `$EDITOR` and keeps the edited text.
    case edit(Int)
    /// `:vars`: the globals with type, shape and memory.
    case vars
    /// `:time on|off` (every entry, or none), or `:time` alone to show the setting.
    case time(Bool?)
    /// `:reset`: a fresh interpreter (loaded cells stay).
    case reset
    /// `:save file.rnx`: this session's successful inputs as `# %%` cells.
    case save(String)
    /// `:plot SETTING VALUE`, or `:plot` alone to show the settings.
    case plot(PlotSetting?)
    /// `:quit` (also `:exit`, or Ctrl-D).
    case quit

    /// Every command name, for completion and `:help`.
    static let names = ["cells", "edit", "help", "load", "next", "plot", "quit", "reset", "run", "save", "time", "vars"]

    /// One line per command, shown by `:help`.
    static let summary = """
        :help [name]        this list, or help on a builtin, e.g. :help Conv2d
        :load FILE.rnx      read a notebook's cells (# %% separated)
        :cells              list the loaded cells
        :run N|A-B|all      run cells;  :next  runs the next one
        :edit N             edit cell N in $EDITOR
        :vars               global variables with type, shape and memory
        :time [on|off]      show how long every entry took, or none (default: slow ones)
        :reset              forget all variables (a fresh interpreter)
        :save FILE.rnx      write this session's successful inputs as cells
        :plot SETTING VALUE sixel|color|live on|off|auto, size WxH, dir PATH (:plot shows)
        :quit               leave (Ctrl-D also works)
        """

    /// Parses a line starting with `:`. A unique prefix of a name is enough (`:q`, `:v`).
    init(parsing line: String) throws {
        let words = line.trimmingCharacters(in: .whitespaces).dropFirst()
            .split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        guard let typed = words.first else { throw ReplError("expected a command after ':'; type :help for the list") }
        let name = try Self.resolve(typed)
        let arguments = Array(words.dropFirst())
        let argument = arguments.joined(separator: " ")

        func requireNoArgument() throws {
            guard arguments.isEmpty else { throw ReplError(":\(name) takes no argument, found '\(argument)'") }
        }
        func requireArgument(_ what: String) throws -> String {
            guard !arguments.isEmpty else { throw ReplError(":\(name) needs \(what)") }
            return argument
        }

        switch name {
        case "help": self = .help(arguments.isEmpty ? nil : argument)
        case "load": self = .load(try requireArgument("a file name, e.g. :load lesson.rnx"))
        case "save": self = .save(try requireArgument("a file name, e.g. :save session.rnx"))
        case "run": self = .run(try requireArgument("cell numbers, e.g. :run 3, :run 2-4 or :run all"))
        case "edit":
            let text = try requireArgument("a cell number, e.g. :edit 2")
            guard let number = Int(text) else { throw ReplError("expected a cell number after :edit, found '\(text)'") }
            self = .edit(number)
        case "time":
            switch argument.lowercased() {
            case "": self = .time(nil)
            case "on": self = .time(true)
            case "off": self = .time(false)
            default: throw ReplError("expected on or off after :time, found '\(argument)'")
            }
        case "plot": self = .plot(arguments.isEmpty ? nil : try PlotSetting(words: arguments))
        case "cells":
            try requireNoArgument()
            self = .cells
        case "next":
            try requireNoArgument()
            self = .next
        case "vars":
            try requireNoArgument()
            self = .vars
        case "reset":
            try requireNoArgument()
            self = .reset
        default:
            try requireNoArgument()
            self = .quit
        }
    }

    /// The full command name for `typed` (exact name, `exit` for quit, or a unique prefix).
    private static func resolve(_ typed: String) throws -> String {
        let lowered = typed.lowercased()
        if names.contains(lowered) { return lowered }
        if lowered == "exit" { return "quit" }
        let matches = names.filter { $0.hasPrefix(lowered) }
        if matches.count == 1 { return matches[0] }
        if matches.isEmpty { throw ReplError("unknown command ':\(typed)'; type :help for the list") }
        throw ReplError("':\(typed)' is ambiguous: it could be " + matches.map { ":" + $0 }.joined(separator: ", "))
    }
}
