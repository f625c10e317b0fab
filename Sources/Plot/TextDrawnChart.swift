/// A chart that draws itself as characters, without gnuplot, where gnuplot's dumb terminal cannot do it well: it
/// fills image cells with one character each (a heat map becomes a wall of `X`, pictures lose a column every few
/// characters). `GnuplotSession.render` asks it first for every text target.
public protocol TextDrawnChart: Chart {
    /// The drawing `width` columns wide, with `color`'s colours; `height` is the room the chart was given, which a
    /// drawing needing fewer lines does not fill. Nil when it cannot draw at this width: gnuplot then draws
    /// `textScript(columns:)`.
    func textDrawing(width: Int, height: Int, color: RenderTarget.TextColor) throws -> String?
}

/// Text laid out in character cells: widths counted in Unicode scalars (as gnuplot counts them), user text
/// cleaned of control characters first.
enum TextCells {
    /// Columns `text` takes.
    static func width(_ text: String) -> Int { text.unicodeScalars.count }

    /// `text` cleaned and cut to `room` columns (ending in `…` when cut), then padded with spaces to `room`,
    /// on the left when `rightAligned`.
    static func cell(_ text: String, _ room: Int, rightAligned: Bool = false) -> String {
        guard room > 0 else { return "" }
        let fitted = TextRoom.fitted(text, room)
        let padding = String(repeating: " ", count: max(room - width(fitted), 0))
        return rightAligned ? padding + fitted : fitted + padding
    }

    /// `text` cleaned, cut to `room` and centred in it.
    static func centred(_ text: String, _ room: Int) -> String {
        let fitted = TextRoom.fitted(text, max(room, 1))
        let left = max((room - width(fitted)) / 2, 0)
        return String(repeating: " ", count: left) + fitted
    }
}
