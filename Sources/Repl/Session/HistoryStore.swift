import Foundation

/// The REPL's persistent input history (`~/.rnx_history`, or `$RNX_HISTORY`): one entry a line, oldest first,
/// without duplicates (a repeated entry moves to the end) and at most `limit` entries.
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
        let text = String(decoding: data, as: UTF8.self)
        return Self.merged(text.split(separator: "\n").map(String.init), limit: limit)
    }

    /// Adds `entry` (ignored when blank) and saves; returns the entries now stored.
    @discardableResult
    func add(_ entry: String) throws -> [String] {
        var entries = load()
        guard !entry.allSatisfy(\.isWhitespace), !entry.contains("\n") else { return entries }
        entries = Self.merged(entries + [entry], limit: limit)
        // Private like a shell history: typed lines may hold paths or tokens.
        try AtomicFile.write(entries.map { $0 + "\n" }.joined(), to: url, permissions: 0o600)
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
}
