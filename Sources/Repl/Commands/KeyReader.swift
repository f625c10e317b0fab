import Foundation

/// Reads single key presses for `rnx walk`: raw terminal mode on a terminal (no Enter needed, Ctrl-C arrives as a
/// key), one line per answer otherwise (so scripted input works: an empty line is Enter).
struct KeyReader {
    /// A key press, reduced to what the walkthrough distinguishes.
    enum Key: Equatable {
        /// Enter (or an empty line).
        case enter
        /// A printable key, lower-cased.
        case character(Character)
        /// Ctrl-C, Ctrl-D or the end of input.
        case quit
    }

    /// The next key; on a terminal the mode is restored before returning.
    func next() -> Key {
        guard isatty(STDIN_FILENO) == 1 else { return nextLine() }
        var saved = termios()
        guard tcgetattr(STDIN_FILENO, &saved) == 0 else { return nextLine() }
        var raw = saved
        raw.c_lflag &= ~tcflag_t(ICANON | ECHO | ISIG)
        withUnsafeMutableBytes(of: &raw.c_cc) { bytes in
            bytes[Int(VMIN)] = 1
            bytes[Int(VTIME)] = 0
        }
        tcsetattr(STDIN_FILENO, TCSANOW, &raw)
        defer { tcsetattr(STDIN_FILENO, TCSANOW, &saved) }
        var byte: UInt8 = 0
        while true {
            let count = read(STDIN_FILENO, &byte, 1)
            if count < 0 && errno == EINTR { continue }
            guard count == 1 else { return .quit }
            switch byte {
            case 3, 4: return .quit
            case 10, 13: return .enter
            case 32...126: return .character(Character(UnicodeScalar(byte)).lowercased().first ?? " ")
            default: continue
            }
        }
    }

    private func nextLine() -> Key {
        guard let line = readLine(strippingNewline: true) else { return .quit }
        let trimmed = line.trimmingCharacters(in: .whitespaces).lowercased()
        guard let first = trimmed.first else { return .enter }
        return .character(first)
    }
}
