extension Interpreter {
    /// Completion candidates for the word that ends at `cursor` in `line` (a UTF-8 byte offset, like readline's
    /// `rl_point`). Each candidate replaces the identifier characters before the cursor (the text after the last
    /// `.`, `(`, space, …; see `completionWordStart`).
    ///
    /// - after `x.`: the attributes and methods of the value of `x` (dotted chains of names are followed;
    ///   nothing is called);
    /// - inside a call `f(...`: first the keyword arguments of `f` not yet given, as `name=`;
    /// - otherwise: global names, builtins and keywords that start with the word.
    /// Names starting with `_` are offered only when the word starts with `_`. Inside strings and comments: none.
    public func completions(for line: String, cursor: Int) -> [String] {
        let scalars = Array(Interpreter.prefix(of: line, utf8Offset: cursor).unicodeScalars)
        guard let openBrackets = Interpreter.openBrackets(in: scalars) else { return [] }
        let start = Interpreter.wordStart(in: scalars)
        let word = String(String.UnicodeScalarView(scalars[start...]))
        if let first = word.unicodeScalars.first, first.isDigit { return [] }
        func matching(_ names: [String]) -> [String] {
            names.filter { $0.hasPrefix(word) && (word.hasPrefix("_") || !$0.hasPrefix("_")) }
        }
        if start > 0 && scalars[start - 1] == "." {
            var chainStart = start - 1
            while chainStart > 0 && (scalars[chainStart - 1].isIdentifierContinue || scalars[chainStart - 1] == ".") {
                chainStart -= 1
            }
            guard let receiver = resolve(String(String.UnicodeScalarView(scalars[chainStart..<(start - 1)]))) else { return [] }
            return Interpreter.unique(matching(attributeNames(of: receiver)).sorted())
        }
        var candidates: [String] = []
        if let open = openBrackets.last, scalars[open] == "(" {
            var nameEnd = open
            while nameEnd > 0 && scalars[nameEnd - 1] == " " { nameEnd -= 1 }
            var nameStart = nameEnd
            while nameStart > 0 && (scalars[nameStart - 1].isIdentifierContinue || scalars[nameStart - 1] == ".") { nameStart -= 1 }
            let calleeText = String(String.UnicodeScalarView(scalars[nameStart..<nameEnd]))
            if !calleeText.isEmpty, let callee = resolve(calleeText) {
                let insideCall = String(String.UnicodeScalarView(scalars[(open + 1)...]))
                let used = Interpreter.keywordsUsed(in: insideCall)
                let keywordNames = Interpreter.parameters(of: callee)
                    .filter { $0.acceptsKeyword && !used.contains($0.name) }
                    .map(\.name)
                candidates += matching(keywordNames).map { $0 + "=" }
            }
        }
        let names = Array(globals.variables.keys) + Array(builtins.keys) + Array(TokenKind.keywords.keys)
        candidates += matching(names).sorted()
        return Interpreter.unique(candidates)
    }

    /// The UTF-8 offset where the word completed by `completions(for:cursor:)` starts.
    public static func completionWordStart(in line: String, cursor: Int) -> Int {
        let scalars = Array(prefix(of: line, utf8Offset: cursor).unicodeScalars)
        return String(String.UnicodeScalarView(scalars[..<wordStart(in: scalars)])).utf8.count
    }

    /// Follows a dotted chain of names (`model.layers`) without calling anything.
    private func resolve(_ chain: String) -> Value? {
        let parts = chain.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard let first = parts.first, !first.isEmpty, var value = globals.variables[first] ?? builtins[first] else { return nil }
        for name in parts.dropFirst() {
            let type = value.dslType
            if let property = type.property(named: name), let next = try? property.get(value) {
                value = next
            } else if let method = type.method(named: name) {
                value = .method(BoundMethod(receiver: value, function: method))
            } else if case .object(let object) = value, let next = try? object.attribute(named: name) {
                value = next
            } else {
                return nil
            }
        }
        return value
    }

    private static func parameters(of callee: Value) -> [Parameter] {
        switch callee {
        case .function(let function): return function.parameters
        case .builtin(let function): return function.parameters
        case .method(let method): return method.function.parameters
        case .type(let type): return type.constructor?.parameters ?? []
        case .object(let object): return object.callable?.parameters ?? []
        default: return []
        }
    }

    private static func prefix(of line: String, utf8Offset: Int) -> String {
        let bytes = Array(line.utf8)
        var end = min(max(utf8Offset, 0), bytes.count)
        // An offset inside a multi-byte character means the character before it (decoding the cut bytes would
        // add a replacement character and move the word start past the cursor).
        while end > 0 && end < bytes.count && bytes[end] & 0xC0 == 0x80 { end -= 1 }
        return String(decoding: bytes[..<end], as: UTF8.self)
    }

    private static func wordStart(in scalars: [Unicode.Scalar]) -> Int {
        var start = scalars.count
        while start > 0 && scalars[start - 1].isIdentifierContinue { start -= 1 }
        return start
    }

    /// Positions of the brackets still open at the end, or nil when the end is inside a string or comment.
    private static func openBrackets(in scalars: [Unicode.Scalar]) -> [Int]? {
        var open: [Int] = []
        var quote: Unicode.Scalar?
        var index = 0
        while index < scalars.count {
            let character = scalars[index]
            if let current = quote {
                if character == "\\" { index += 1 } else if character == current { quote = nil }
            } else if character == "'" || character == "\"" {
                quote = character
            } else if character == "#" {
                return nil
            } else if "([{".unicodeScalars.contains(character) {
                open.append(index)
            } else if ")]}".unicodeScalars.contains(character) {
                _ = open.popLast()
            }
            index += 1
        }
        return quote == nil ? open : nil
    }

    /// Names given as `name=` (not `==`) in the text of a call so far.
    private static func keywordsUsed(in text: String) -> Set<String> {
        let scalars = Array(text.unicodeScalars)
        var used = Set<String>()
        var index = 0
        while index < scalars.count {
            guard scalars[index].isIdentifierStart, index == 0 || !scalars[index - 1].isIdentifierContinue else {
                index += 1
                continue
            }
            var end = index
            while end < scalars.count && scalars[end].isIdentifierContinue { end += 1 }
            var after = end
            while after < scalars.count && scalars[after] == " " { after += 1 }
            if after < scalars.count && scalars[after] == "=" && (after + 1 >= scalars.count || scalars[after + 1] != "=") {
                used.insert(String(String.UnicodeScalarView(scalars[index..<end])))
            }
            index = end
        }
        return used
    }

    private static func unique(_ names: [String]) -> [String] {
        var seen = Set<String>()
        return names.filter { seen.insert($0).inserted }
    }
}
