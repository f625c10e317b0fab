/// Decides what Tab completes: `:` commands and their arguments, file paths inside strings,
/// and otherwise whatever the DSL offers (names in scope, builtins, attributes after `.`, keyword arguments).
struct CommandCompleter {
    /// The DSL's completions for the code `line` with the cursor at character offset `cursor`.
    let codeCompletions: (_ line: String, _ cursor: Int) -> [String]
    /// Names `:help` knows (builtins and topics).
    let helpTopics: () -> [String]

    /// The candidates replacing `request.word`.
    func complete(_ request: CompletionRequest) -> CompletionResult {
        let beforeCursor = String(request.line.prefix(request.cursor))
        let trimmed = beforeCursor.drop(while: { $0 == " " })
        if trimmed.hasPrefix(":") { return completeCommand(String(trimmed)) }
        if request.insideString { return CompletionResult(candidates: PathCompleter.candidates(for: request.word), arePaths: true) }
        return CompletionResult(candidates: codeCandidates(request, beforeCursor: beforeCursor))
    }

    /// `:` commands: the name, then per command its argument (paths, help topics, on/off, plot settings).
    private func completeCommand(_ text: String) -> CompletionResult {
        let words = text.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        let endsWithSpace = text.hasSuffix(" ")
        if words.count <= 1 && !endsWithSpace {
            let typed = words.first ?? ":"
            return CompletionResult(candidates: ReplCommand.names.map { ":" + $0 }.filter { $0.hasPrefix(typed) })
        }
        let commandName = String(words[0].dropFirst())
        let argumentIndex = endsWithSpace ? words.count - 1 : words.count - 2
        let word = endsWithSpace ? "" : words.last ?? ""
        let options: [String]
        switch (commandName, argumentIndex) {
        case ("load", 0), ("save", 0):
            return CompletionResult(candidates: PathCompleter.candidates(for: word), arePaths: true)
        case ("help", 0): options = ReplCommand.names.map { ":" + $0 } + helpTopics()
        case ("time", 0): options = ["on", "off"]
        case ("run", 0): options = ["all"]
        case ("plot", 0): options = PlotSetting.names
        case ("plot", 1): options = PlotSetting.values(for: words[1])
        default: options = []
        }
        return CompletionResult(candidates: options.filter { $0.hasPrefix(word) }.sorted())
    }

    /// DSL completions, adjusted to replace only `word`: a candidate for the whole dotted name (`model.forward`)
    /// loses the part before the word (`forward`).
    private func codeCandidates(_ request: CompletionRequest, beforeCursor: String) -> [String] {
        let dotted = String(beforeCursor.reversed().prefix(while: { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "." }).reversed())
        let qualifier = dotted.dropLast(request.word.count)
        var seen = Set<String>()
        return codeCompletions(request.line, request.cursor).compactMap { candidate -> String? in
            var replacement = candidate
            if !qualifier.isEmpty, candidate.hasPrefix(qualifier) { replacement = String(candidate.dropFirst(qualifier.count)) }
            guard replacement.hasPrefix(request.word), seen.insert(replacement).inserted else { return nil }
            return replacement
        }
    }
}
