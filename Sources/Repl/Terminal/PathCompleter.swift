import Foundation

/// Completes file paths (inside string literals, and after `:load`/`:save`/`:edit`-style commands).
enum PathCompleter {
    /// The paths that extend `word` (relative to `directory` unless absolute or `~/`), sorted; hidden entries only
    /// when the typed name starts with `.`. Directories are returned without `/`: readline adds it.
    static func candidates(for word: String, in directory: URL = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)) -> [String] {
        let slash = word.lastIndex(of: "/")
        let typedDirectory = slash.map { String(word[...$0]) } ?? ""
        let namePrefix = slash.map { String(word[word.index(after: $0)...]) } ?? word
        let listed: URL
        if typedDirectory.hasPrefix("/") {
            listed = URL(fileURLWithPath: typedDirectory)
        } else if typedDirectory.hasPrefix("~/") {
            listed = FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(String(typedDirectory.dropFirst(2)))
        } else {
            listed = directory.appendingPathComponent(typedDirectory)
        }
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: listed.path) else { return [] }
        return
            names
            .filter { $0.hasPrefix(namePrefix) && (namePrefix.hasPrefix(".") || !$0.hasPrefix(".")) }
            .sorted()
            .map { typedDirectory + $0 }
    }
}
