extension GnuplotScript {
    /// `set <setting> '<text>' noenhanced` when `text` is non-empty after sanitising; otherwise
    /// nothing, so gnuplot's default (no title, no axis label) stays. In a character chart (`room`)
    /// the text is shortened to fit, since the dumb terminal would drop it.
    mutating func setLabel(_ setting: String, _ text: String?, room: TextRoom? = nil) {
        guard let text, !GnuplotText.sanitized(text).allSatisfy({ $0 == " " }) else { return }
        let fitted = TextRoom.fit(text, room) { setting == "ylabel" ? $0.yLabel : $0.line }
        command("set \(setting) \(GnuplotText.quoted(fitted)) noenhanced")
    }
}
