/// How many characters each kind of text may take in a character chart of `columns` columns.
///
/// gnuplot's dumb terminal leaves out (without a word) any title, label or legend entry that does not
/// fit where it belongs, so charts drawn as text shorten such text themselves, ending it with `…`.
/// The room for each kind was measured with gnuplot 5.4's dumb terminal.
public struct TextRoom: Equatable {
    /// Width of the whole chart in characters.
    public let columns: Int

    /// Room for a chart of `columns` columns.
    public init(columns: Int) {
        self.columns = columns
    }

    /// A line across the whole chart: the title, the x label, a label inside the plot.
    public var line: Int { max(columns, 1) }

    /// The y label: the dumb terminal cannot turn text, so it writes the label across the left margin,
    /// centred on the second column; anything longer than this is dropped.
    public var yLabel: Int { 5 }

    /// The y label of a chart that widens its left margin for it (a heat map): a quarter of the width, at
    /// most 16 characters.
    public var marginLabel: Int { min(max(columns / 4, 5), 16) }

    /// A legend entry in the key above the plot: the line with the entry's sample and the spacing
    /// around it take 12 columns.
    public var legendEntry: Int { max(columns - 12, 3) }

    /// A marker's label, written beside its line inside the plot: half the width, so that a long label
    /// still leaves most of the plot readable.
    public var markerLabel: Int { max(columns / 2, 3) }

    /// The caption of one picture when `perRow` pictures share a row.
    public func caption(perRow: Int) -> Int { max(columns / max(perRow, 1) - 1, 3) }

    /// `text` cut to `room` characters (the last being `…`) when it is longer; control characters become
    /// spaces first and trailing spaces are dropped, as the chart would not show them.
    public static func fitted(_ text: String, _ room: Int) -> String {
        var clean = GnuplotText.sanitized(text)
        while clean.last == " " { clean.removeLast() }
        // gnuplot counts code points; a Character may hold several (combining marks), so count those.
        guard clean.unicodeScalars.count > room else { return clean }
        var kept = ""
        var used = 0
        for character in clean {
            let width = character.unicodeScalars.count
            guard used + width <= room - 1 else { break }
            kept.append(character)
            used += width
        }
        return kept + "…"
    }

    /// `text` fitted to `room` when there is a room (a character chart), unchanged otherwise.
    public static func fit(_ text: String, _ room: TextRoom?, _ kind: (TextRoom) -> Int) -> String {
        guard let room else { return text }
        return fitted(text, kind(room))
    }
}
