/// One piece of a markdown line's inline markup: code spans, `**strong**`, `*emphasis*` and `_emphasis_`.
enum InlineSpan: Equatable {
    /// Text without markup.
    case text(String)
    /// The inside of a `` `code` `` span.
    case code(String)
    /// The inside of `**strong**`.
    case strong(String)
    /// The inside of `*emphasis*` or `_emphasis_`.
    case emphasis(String)

    /// Splits `line` into spans. Unclosed markers stay literal text; `_` only counts at word boundaries,
    /// so `learning_rate` is not emphasis.
    static func parse(_ line: String) -> [InlineSpan] {
        let characters = Array(line)
        var spans: [InlineSpan] = []
        var pending = ""
        var index = 0

        func flush() {
            if !pending.isEmpty { spans.append(.text(pending)) }
            pending = ""
        }
        /// The index of `closer` at or after `start`, nil when there is none.
        func find(_ closer: [Character], from start: Int) -> Int? {
            guard start + closer.count <= characters.count else { return nil }
            var position = start
            while position + closer.count <= characters.count {
                if Array(characters[position..<position + closer.count]) == closer { return position }
                position += 1
            }
            return nil
        }

        while index < characters.count {
            let character = characters[index]
            if character == "`", let end = find(["`"], from: index + 1) {
                flush()
                spans.append(.code(String(characters[index + 1..<end])))
                index = end + 1
            } else if character == "*", index + 1 < characters.count, characters[index + 1] == "*",
                let end = find(["*", "*"], from: index + 2), end > index + 2
            {
                flush()
                spans.append(.strong(String(characters[index + 2..<end])))
                index = end + 2
            } else if character == "*", index + 1 < characters.count, characters[index + 1] != " ",
                let end = find(["*"], from: index + 1), end > index + 1
            {
                flush()
                spans.append(.emphasis(String(characters[index + 1..<end])))
                index = end + 1
            } else if character == "_", index == 0 || !isWordCharacter(characters[index - 1]),
                let end = find(["_"], from: index + 1), end > index + 1,
                end + 1 == characters.count || !isWordCharacter(characters[end + 1])
            {
                flush()
                spans.append(.emphasis(String(characters[index + 1..<end])))
                index = end + 1
            } else {
                pending.append(character)
                index += 1
            }
        }
        flush()
        return spans
    }

    private static func isWordCharacter(_ character: Character) -> Bool {
        character.isLetter || character.isNumber || character == "_"
    }
}
