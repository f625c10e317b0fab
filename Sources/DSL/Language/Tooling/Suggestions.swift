/// "Did you mean …?" suggestions for misspelt names, keywords and attributes.
enum Suggestions {
    /// The candidate closest to `name` by edit distance, if it is close enough to be a plausible typo. `preferred`
    /// are the user's own names (variables, functions): they win a tie with a builtin (`dat` suggests the user's
    /// `data`, not the builtin `cat`), and one more edit is allowed for one of four letters or more with the same
    /// length and first letter (`dtat` still finds `data`), since a misspelling most often means something the
    /// user wrote.
    static func closest(to name: String, among candidates: [String], preferring preferred: [String] = []) -> String? {
        let target = Array(name.lowercased())
        // One- and two-letter names are too short for a guess to be more helpful than confusing.
        let limit = target.count <= 2 ? 0 : max(1, target.count / 3)

        var best: (name: String, distance: Int, isPreferred: Bool)?
        let ranked = preferred.map { ($0, true) } + candidates.map { ($0, false) }
        for (candidate, isPreferred) in ranked where candidate != name {
            let scrambled = isPreferred && target.count >= 4 && candidate.count == target.count && candidate.lowercased().first == target.first
            let allowed = scrambled ? limit + 1 : limit
            let distance = editDistance(target, Array(candidate.lowercased()), limit: allowed)
            guard distance <= allowed else { continue }
            if let current = best {
                let currentKey = (current.distance, current.isPreferred ? 0 : 1, current.name)
                if currentKey <= (distance, isPreferred ? 0 : 1, candidate) { continue }
            }
            best = (candidate, distance, isPreferred)
        }
        return best?.name
    }

    /// `'Tensor' object has no attribute 'shap' (did you mean 'shape'?)`, for the interpreter and `rnx check`.
    static func missingAttribute(_ attribute: String, ofType typeName: String, among names: [String]) -> String {
        var message = "'\(typeName)' object has no attribute '\(attribute)'"
        if let suggestion = closest(to: attribute, among: names) { message += " (did you mean '\(suggestion)'?)" }
        return message
    }

    /// `i.per_class()` where `per_class` is a property: calling what it returns is not what was meant.
    static func calledProperty(_ property: String, ofType typeName: String) -> String {
        "'\(property)' is a property of \(typeName), not a method, so it cannot be called: write .\(property) without ()"
    }

    /// `math.sqrt(2)` (after `import math` failed): rnx has no modules, the function is a builtin.
    static func moduleAttribute(_ module: String, attribute: String) -> String {
        "name '\(module)' is not defined: rnx has no modules; '\(attribute)' is a builtin, call it directly: \(attribute)(...)"
    }

    /// Edit distance counting insertions, deletions, substitutions and swaps of neighbours (`nrom` → `norm`)
    /// as one edit each.
    private static func editDistance(_ a: [Character], _ b: [Character], limit: Int) -> Int {
        if abs(a.count - b.count) > limit { return limit + 1 }
        var beforePrevious = [Int](repeating: 0, count: b.count + 1)
        var previous = Array(0...b.count)
        for i in 0..<a.count {
            var current = [i + 1] + [Int](repeating: 0, count: b.count)
            for j in 0..<b.count {
                let cost = a[i] == b[j] ? 0 : 1
                current[j + 1] = Swift.min(previous[j + 1] + 1, current[j] + 1, previous[j] + cost)
                if i > 0 && j > 0 && a[i] == b[j - 1] && a[i - 1] == b[j] {
                    current[j + 1] = Swift.min(current[j + 1], beforePrevious[j - 1] + 1)
                }
            }
            beforePrevious = previous
            previous = current
        }
        return previous[b.count]
    }
}
