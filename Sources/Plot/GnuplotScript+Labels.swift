extension GnuplotScript {
    /// `set <setting> '<text>' noenhanced` when `text` is non-empty after sanitising; otherwise
    /// nothing, so gnuplot's default (no title, no axis label) stays. In a character chart (`room`)
    /// the text is shortened to fit, since the dumb terminal would drop it.
    mutating func setLabel(_ setting: String, _ text: String?, room: TextRoom? = nil) {
        guard let text, !GnuplotText.sanitized(text).allSatisfy({ $0 == " " }) else { return }
        let fitted = TextRoom.fit(text, room) { setting == "ylabel" ? $0.yLabel : $0.line }
        command("set \(setting) \(GnuplotText.quoted(fitted)) noenhanced")
    }

    /// A y label for a character chart whose row names are known (a heat map): the dumb terminal writes the
    /// label in the left margin and drops it when the margin is too narrow, so the margin is widened to hold
    /// the label (up to `TextRoom.marginLabel` characters) and the widest row name.
    mutating func setLeftMarginLabel(_ text: String, rowLabels: [String], room: TextRoom) {
        guard !GnuplotText.sanitized(text).allSatisfy({ $0 == " " }) else { return }
        let fitted = TextRoom.fitted(text, room.marginLabel)
        let widestRow = rowLabels.map { GnuplotText.sanitized($0).unicodeScalars.count }.max() ?? 1
        command("set lmargin \(max(fitted.unicodeScalars.count, widestRow) + 4)")
        command("set ylabel \(GnuplotText.quoted(fitted)) noenhanced")
    }
}
