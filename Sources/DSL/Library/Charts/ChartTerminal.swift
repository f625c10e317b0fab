import Foundation
import Plot
#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// What the chart builtins need to know about the terminal standard output goes to: whether it is one, its size,
/// whether it shows colours, and whether it shows sixel graphics.
enum ChartTerminal {
    /// The size of a terminal in characters and, when the terminal reports it, in pixels.
    struct Geometry: Equatable {
        var columns: Int
        var rows: Int
        var pixelWidth: Int?
        var pixelHeight: Int?
    }

    /// Used when standard output is not a terminal and `COLUMNS`/`LINES` are unset.
    static let fallback = Geometry(columns: 80, rows: 24)

    /// Whether standard output is a terminal.
    static var outputIsTerminal: Bool { OutputTerminal.isTerminal(STDOUT_FILENO) }

    /// The terminal's size from the kernel (TIOCGWINSZ), else `COLUMNS` × `LINES`, else 80 × 24.
    static func geometry(environment: [String: String]) -> Geometry {
        var size = winsize()
        let status = withUnsafeMutablePointer(to: &size) { ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), $0) }
        if status == 0, size.ws_col > 0, size.ws_row > 0 {
            return Geometry(
                columns: Int(size.ws_col), rows: Int(size.ws_row),
                pixelWidth: size.ws_xpixel > 0 ? Int(size.ws_xpixel) : nil,
                pixelHeight: size.ws_ypixel > 0 ? Int(size.ws_ypixel) : nil)
        }
        let columns = environment["COLUMNS"].flatMap(Int.init).flatMap { $0 > 0 ? $0 : nil }
        let rows = environment["LINES"].flatMap(Int.init).flatMap { $0 > 0 ? $0 : nil }
        return Geometry(columns: columns ?? fallback.columns, rows: rows ?? fallback.rows)
    }

    /// The colours a text chart may use under `mode`: none when off (or, for `.auto`, when output is not a
    /// terminal, `NO_COLOR` is set or `TERM` is `dumb`); 24-bit when `COLORTERM` says the terminal has them, 256
    /// when `TERM` does (`xterm-256color`).
    static func textColor(mode: PlotSettings.Mode, environment: [String: String]) -> RenderTarget.TextColor {
        switch mode {
        case .off: return .plain
        case .on: break
        case .auto:
            guard outputIsTerminal, environment["NO_COLOR"] == nil, let term = environment["TERM"], !term.isEmpty, term != "dumb" else {
                return .plain
            }
        }
        let depth = environment["COLORTERM"]?.lowercased()
        if depth == "truecolor" || depth == "24bit" { return .ansiRGB }
        return environment["TERM"]?.contains("256color") == true ? .ansi256 : .ansi
    }

    /// Whether charts are drawn as sixel graphics under `mode`; `.auto` uses `RNX_SIXEL`, `TERM`, then the
    /// terminal's answer to the device-attributes query (`answer` when the host gave one, else asked once).
    static func showsSixel(mode: PlotSettings.Mode, environment: [String: String], answer: String?) -> Bool {
        switch mode {
        case .on: return true
        case .off: return false
        case .auto:
            // When the environment decides (RNX_SIXEL, TERM), the terminal's answer cannot change the outcome.
            let withAttribute = SixelSupport.isSupported(environment: environment, terminalAnswer: "\u{1B}[?4c")
            let withoutAnswer = SixelSupport.isSupported(environment: environment, terminalAnswer: nil)
            if withAttribute == withoutAnswer { return withoutAnswer }
            guard outputIsTerminal else { return false }
            return SixelSupport.isSupported(environment: environment, terminalAnswer: answer ?? probedAnswer)
        }
    }

    /// Turns off the echo of keys typed on the terminal (standard input) and returns the settings to restore, or nil
    /// when standard input is not a terminal. A live chart needs this: Enter pressed while it is shown would echo a
    /// line feed, move everything up a line and leave the chart's top line behind when it is redrawn. What is typed
    /// still waits for the prompt.
    static func silenceEcho() -> termios? {
        guard isatty(STDIN_FILENO) == 1 else { return nil }
        var saved = termios()
        guard tcgetattr(STDIN_FILENO, &saved) == 0, saved.c_lflag & tcflag_t(ECHO) != 0 else { return nil }
        var quiet = saved
        quiet.c_lflag &= ~tcflag_t(ECHO)
        return tcsetattr(STDIN_FILENO, TCSANOW, &quiet) == 0 ? saved : nil
    }

    /// Puts back the terminal settings `silenceEcho` returned.
    static func restoreEcho(_ saved: termios) {
        var settings = saved
        tcsetattr(STDIN_FILENO, TCSANOW, &settings)
    }

    /// The terminal's reply to the device-attributes query, asked at most once per process.
    private static let probedAnswer: String? = askDeviceAttributes()

    /// Writes the device-attributes query and reads the reply (`ESC [ ? … c`) for up to 300 ms, with the terminal
    /// briefly in non-canonical, no-echo mode; nil when standard input or output is not a terminal or nothing came.
    private static func askDeviceAttributes() -> String? {
        guard isatty(STDIN_FILENO) == 1, outputIsTerminal else { return nil }
        var saved = termios()
        guard tcgetattr(STDIN_FILENO, &saved) == 0 else { return nil }
        var raw = saved
        raw.c_lflag &= ~tcflag_t(ICANON | ECHO)
        withUnsafeMutableBytes(of: &raw.c_cc) { controls in
            controls[Int(VMIN)] = 0
            controls[Int(VTIME)] = 0
        }
        guard tcsetattr(STDIN_FILENO, TCSANOW, &raw) == 0 else { return nil }
        defer { tcsetattr(STDIN_FILENO, TCSANOW, &saved) }

        let query = Array(SixelSupport.deviceAttributesQuery.utf8)
        guard query.withUnsafeBytes({ write(STDOUT_FILENO, $0.baseAddress, $0.count) }) == query.count else { return nil }
        var reply: [UInt8] = []
        let deadline = DispatchTime.now().uptimeNanoseconds + 300_000_000
        while reply.count < 256 {
            let now = DispatchTime.now().uptimeNanoseconds
            guard now < deadline else { break }
            var watch = pollfd(fd: STDIN_FILENO, events: Int16(POLLIN), revents: 0)
            guard poll(&watch, 1, Int32((deadline - now) / 1_000_000) + 1) > 0 else { break }
            var byte: UInt8 = 0
            guard read(STDIN_FILENO, &byte, 1) == 1 else { break }
            reply.append(byte)
            // The reply ends with 'c' once its "ESC [ ?" has arrived.
            if byte == UInt8(ascii: "c"), String(decoding: reply, as: UTF8.self).contains("\u{1B}[?") { break }
        }
        return reply.isEmpty ? nil : String(decoding: reply, as: UTF8.self)
    }
}
