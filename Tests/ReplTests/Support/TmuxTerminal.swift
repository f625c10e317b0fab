import Foundation

/// `rnx` in a tmux window of a given size: keys go in as typed, and the screen comes back as tmux draws it.
final class TmuxTerminal {
    private let server = "rnx-test-\(UUID().uuidString.prefix(8))"
    private let directory: TemporaryDirectory

    /// `environment` adds variables to rnx's (values without single quotes).
    init(columns: Int, rows: Int, environment: [String: String] = [:]) throws {
        directory = try TemporaryDirectory()
        let binary = try RnxBinary.path()
        let extra = environment.sorted { $0.key < $1.key }.map { "\($0.key)='\($0.value)' " }.joined()
        let command =
            "cd '\(directory.url.path)' && exec env -u NO_COLOR TERM=xterm-256color INPUTRC=/dev/null RNX_HISTORY=history \(extra)'\(binary)'"
        try tmux(["new-session", "-d", "-x", String(columns), "-y", String(rows), "-s", "rnx", command])
        try tmux(["set-option", "-t", "rnx", "remain-on-exit", "on"])
        _ = try waitFor("rnx>")
    }

    deinit {
        _ = try? tmux(["kill-server"])
    }

    /// Types `line` and Enter (each line of a block, then the blank line that ends it).
    func type(_ line: String) {
        for part in line.split(separator: "\n", omittingEmptySubsequences: false) {
            _ = try? tmux(["send-keys", "-t", "rnx", "-l", String(part)])
            press("Enter")
        }
    }

    /// Presses a key by tmux's name for it (`Enter`, `C-c`).
    func press(_ key: String) {
        _ = try? tmux(["send-keys", "-t", "rnx", key])
    }

    /// The screen and the history scrolled off above it, as text (with colour codes when `colours`).
    func screen(colours: Bool = false) -> String {
        (try? tmux(["capture-pane", "-p", "-t", "rnx", "-S", "-200"] + (colours ? ["-e"] : []))) ?? ""
    }

    /// The whole session as text: everything scrolled off and the screen, lines the terminal wrapped joined again.
    func transcript() -> String {
        (try? tmux(["capture-pane", "-p", "-J", "-t", "rnx", "-S", "-"])) ?? ""
    }

    /// Waits until the screen shows `text` (then `next` as well, if given) and returns it.
    @discardableResult
    func waitFor(_ text: String, andThen next: String? = nil) throws -> String {
        let deadline = Date().addingTimeInterval(PseudoTerminal.patience)
        while Date() < deadline {
            let shown = screen()
            if shown.contains(text), next.map(shown.contains) ?? true { return shown }
            Thread.sleep(forTimeInterval: 0.05)
        }
        throw TerminalTestError("never saw \(text.debugDescription); the screen showed:\n\(screen())")
    }

    /// Waits until `text` is on the screen and the prompt is back below everything, and returns the screen.
    func waitForPrompt(after text: String, colours: Bool = false) throws -> String {
        let deadline = Date().addingTimeInterval(PseudoTerminal.patience)
        while Date() < deadline {
            let shown = screen(colours: colours)
            let plain = colours ? screen() : shown
            if plain.contains(text), plain.trimmingCharacters(in: .whitespacesAndNewlines).hasSuffix("rnx>") { return shown }
            Thread.sleep(forTimeInterval: 0.05)
        }
        throw TerminalTestError("the prompt never came back after \(text.debugDescription):\n\(screen())")
    }

    /// Waits until the session shows its `number`th prompt (the first is the one after the banner) with nothing after
    /// it, and returns the transcript.
    @discardableResult
    func waitForPrompt(number: Int) throws -> String {
        let deadline = Date().addingTimeInterval(PseudoTerminal.patience)
        while Date() < deadline {
            let shown = transcript()
            let lines = shown.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
            if lines.filter({ $0.hasPrefix("rnx>") }).count >= number, lines.last == "rnx>" { return shown }
            Thread.sleep(forTimeInterval: 0.1)
        }
        throw TerminalTestError("prompt \(number) never came:\n\(transcript())")
    }

    /// Runs a tmux command and returns what it printed. Spawned and waited for directly: the command that starts the
    /// server leaves it running with the client's files, which Foundation's `Process` waits on.
    @discardableResult
    private func tmux(_ arguments: [String]) throws -> String {
        let outputPath = directory.url.appendingPathComponent("tmux-output").path
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        let command = ["tmux", "-L", server, "-f", "/dev/null"] + arguments
        let cArguments: [UnsafeMutablePointer<CChar>?] = command.map { strdup($0) } + [nil]
        defer { cArguments.forEach { free($0) } }
        var child: pid_t = 0
        let spawned = posix_spawnp(&child, "tmux", &actions, nil, cArguments, environ)
        guard spawned == 0 else { throw TerminalTestError("cannot run tmux (make test installs it): \(String(cString: strerror(spawned)))") }
        var status: Int32 = 0
        while waitpid(child, &status, 0) < 0, errno == EINTR {}
        guard status == 0 else { throw TerminalTestError("tmux \(arguments.first ?? "") failed with status \(status)") }
        return (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
    }
}

struct TerminalTestError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
