/// "Did you mean …?" suggestions for misspelt names, keywords and attributes.
enum Suggestions {
    /// The candidate closest to `name` by edit distance, if it is close enough to be a plausible typo.
    static func closest(to name: String, among candidates: [String]) -> String? {
        let target = Array(name.lowercased())
        // One- and two-letter names are too short for a guess to be more helpful than confusing.
        let limit = target.count <= 2 ? 0 : max(1, target.count / 3)
        var best: (name: String, distance: Int)?
        for candidate in candidates where candidate != name {
            let distance = editDistance(target, Array(candidate.lowercased()), limit: limit)
            guard distance <= limit else { continue }
            if let current = best, current.distance < distance || (current.distance == distance && current.name < candidate) {
                continue
            }
            best = (candidate, distance)
        }
        return best?.name
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
