import Foundation

/// The REPL's persistent input history (`~/.rnx_history`, or `$RNX_HISTORY`): oldest first, without duplicates
/// (a repeated entry moves to the end) and at most `limit` entries. An entry is a whole input: one line, or a
/// multi-line block (`for …:` with its body), which up-arrow recalls as a unit.
///
/// File format: one entry a line; inside a multi-line entry each line break is written as `\r\n`, so a line
/// ending in `\r` continues the entry (the convention of Python's own REPL history). A one-line history from
/// before multi-line entries reads unchanged. Carriage returns at the end of an entry's lines carry no meaning in
/// rnx code and are dropped, which keeps the format unambiguous.
///
/// Every addition merges with the file as it is now and rewrites it atomically, so two sessions running at the
/// same time both keep their entries and a killed session loses nothing.
struct HistoryStore {
    /// The history file.
    let url: URL
    /// The most entries kept; the oldest go first.
    let limit: Int

    /// The history file named by `$RNX_HISTORY`, else `~/.rnx_history`.
    static func defaultURL(environment: [String: String] = ProcessInfo.processInfo.environment) -> URL {
        if let path = environment["RNX_HISTORY"], !path.isEmpty { return URL(fileURLWithPath: path) }
        let home = environment["HOME"].map { URL(fileURLWithPath: $0) } ?? FileManager.default.homeDirectoryForCurrentUser
        return home.appendingPathComponent(".rnx_history")
    }

    /// The entries stored in the file, oldest first; empty when the file does not exist or cannot be read.
    func load() -> [String] {
        guard let data = try? Data(contentsOf: url) else { return [] }
        return Self.merged(Self.decode(String(decoding: data, as: UTF8.self)), limit: limit)
    }

    /// Adds `entry` (ignored when blank) and saves; returns the entries now stored.
    @discardableResult
    func add(_ entry: String) throws -> [String] {
        var entries = load()
        let normalized = Self.normalize(entry)
        guard !normalized.allSatisfy(\.isWhitespace) else { return entries }
        entries = Self.merged(entries + [normalized], limit: limit)
        // Private like a shell history: typed lines may hold paths or tokens.
        try TextFile.save(Self.encode(entries), to: url, newFileMode: 0o600)
        return entries
    }

    /// `entries` with each repeated entry kept only at its last position, cut to the newest `limit`.
    static func merged(_ entries: [String], limit: Int) -> [String] {
        var seen = Set<String>()
        var newestFirst: [String] = []
        for entry in entries.reversed() where !entry.isEmpty && !seen.contains(entry) {
            seen.insert(entry)
            newestFirst.append(entry)
            if newestFirst.count == limit { break }
        }
        return newestFirst.reversed()
    }

    /// The file text for `entries`: each on its own line, inner line breaks written as `\r\n`.
    static func encode(_ entries: [String]) -> String {
        entries.map { lines(of: $0).joined(separator: "\r\n") + "\n" }.joined()
    }

    /// The entries in a history file's text (see the type's format note).
    static func decode(_ text: String) -> [String] {
        var entries: [String] = []
        var pending: [String] = []
        for line in lines(of: text) {
            if line.unicodeScalars.last == "\r" {
                pending.append(String(String.UnicodeScalarView(line.unicodeScalars.dropLast())))
                continue
            }
            entries.append((pending + [line]).joined(separator: "\n"))
            pending = []
        }
        if !pending.isEmpty { entries.append(pending.joined(separator: "\n")) }
        return entries.filter { !$0.isEmpty }
    }

    /// `entry` without carriage returns at line ends (a pasted Windows text), so no stored line ends in `\r`.
    private static func normalize(_ entry: String) -> String {
        lines(of: entry).map { line in
            var scalars = line.unicodeScalars
            while scalars.last == "\r" { scalars.removeLast() }
            return String(scalars)
        }.joined(separator: "\n")
    }

    /// The lines of `text` split at each `\n` scalar (as a `Character`, `\r\n` is one grapheme and would not split).
    private static func lines(of text: String) -> [String] {
        text.unicodeScalars.split(separator: "\n", omittingEmptySubsequences: false).map { String(String.UnicodeScalarView($0)) }
    }
}
