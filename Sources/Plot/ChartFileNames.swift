import Basics

/// Names for the charts a run saves into a directory, so that a person finds a chart by where and what it is
/// (`cell04-learning-rate-finder.png`) rather than by number, no chart overwrites another, and a chart shown twice
/// (a live chart's final state, then `plot(h)` of the same history) is one file.
///
/// ```swift
/// let names = ChartFileNames()
/// let stem = ChartFileNames.stem(prefix: "cell04", title: chart.title, kind: "line")  // cell04-learning-rate-finder
/// if let path = try names.path(in: "/runs/charts", stem: stem, for: chart) { try session.save(chart, toFile: path) }
/// ```
///
/// Thread-safe. Names are remembered for the life of the object, so a new process reuses them, replacing the files
/// of an earlier run.
public final class ChartFileNames: @unchecked Sendable {
    /// A fingerprint of the chart given each path so far.
    private let given = Locked<[String: Int]>([:])

    /// Names with nothing given yet.
    public init() {}

    /// `prefix-title` as a file name without extension: the title in lower-case ASCII letters and digits, every
    /// other run of characters one `-`, at most 40 characters; `kind` (e.g. `histogram`) when the title leaves
    /// nothing.
    public static func stem(prefix: String?, title: String?, kind: String) -> String {
        var slug = ""
        for character in (title ?? "").lowercased().unicodeScalars where slug.count < 40 {
            if ("a"..."z").contains(character) || ("0"..."9").contains(character) {
                slug.unicodeScalars.append(character)
            } else if !slug.isEmpty, slug.last != "-" {
                slug += "-"
            }
        }
        while slug.last == "-" { slug.removeLast() }
        return ([prefix].compactMap { $0 } + [slug.isEmpty ? kind : slug]).joined(separator: "-")
    }

    /// The PNG path in `directory` for `chart` named `stem`: `stem.png`, else the first of `stem-2.png`,
    /// `stem-3.png`… given to no other chart; nil when this very chart (the same program) was given a path already.
    public func path(in directory: String, stem: String, for chart: Chart) throws -> String? {
        let fingerprint = try chart.script().text.hashValue
        return given.withLock { given in
            var number = 1
            while true {
                let path = directory + "/" + stem + (number == 1 ? "" : "-\(number)") + ".png"
                guard let earlier = given[path] else {
                    given[path] = fingerprint
                    return path
                }
                if earlier == fingerprint { return nil }
                number += 1
            }
        }
    }
}
