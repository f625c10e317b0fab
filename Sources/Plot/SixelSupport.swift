import Foundation

/// Whether charts may be shown as sixel graphics in the terminal.
public enum SixelMode: Equatable {
    /// Decide from the environment and the terminal's answer.
    case automatic
    /// Always use sixel graphics.
    case on
    /// Never use sixel graphics (text charts instead).
    case off
}

/// Detects sixel support from the environment and the terminal's reply to a device-attributes query.
public enum SixelSupport {
    /// Environment variable forcing detection: `1` (also `on`, `yes`, `true`) or `0` (`off`, `no`, `false`).
    public static let environmentVariable = "RNX_SIXEL"

    /// The query to write to the terminal ("primary device attributes"); a terminal that can show
    /// sixels lists attribute 4 in its reply, e.g. `ESC [ ? 62 ; 4 ; 22 c`.
    public static let deviceAttributesQuery = "\u{1B}[c"

    /// Whether to draw sixels: a setting other than `.automatic` decides; otherwise `RNX_SIXEL`
    /// if it holds a yes/no value, then a `TERM` containing "sixel", then attribute 4 in `terminalAnswer`.
    public static func isSupported(mode: SixelMode = .automatic, environment: [String: String], terminalAnswer: String?) -> Bool {
        switch mode {
        case .on: return true
        case .off: return false
        case .automatic: break
        }
        switch environment[environmentVariable]?.lowercased() {
        case "1", "on", "yes", "true": return true
        case "0", "off", "no", "false": return false
        default: break
        }
        if let term = environment["TERM"], term.lowercased().contains("sixel") { return true }
        guard let terminalAnswer else { return false }
        return deviceAttributes(in: terminalAnswer).contains(4)
    }

    /// The attribute numbers in a primary device-attributes reply (`ESC [ ? a ; b ; ... c`);
    /// empty if `answer` holds no such reply.
    public static func deviceAttributes(in answer: String) -> [Int] {
        guard let start = answer.range(of: "\u{1B}[?"),
            let end = answer[start.upperBound...].firstIndex(of: "c")
        else { return [] }
        return answer[start.upperBound..<end].split(separator: ";").compactMap { Int($0) }
    }
}
