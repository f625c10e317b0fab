extension GnuplotScript {
    /// `set <setting> '<text>' noenhanced` when `text` is non-empty after sanitising; otherwise
    /// nothing, so gnuplot's default (no title, no axis label) stays.
    mutating func setLabel(_ setting: String, _ text: String?) {
        guard let text, !GnuplotText.sanitized(text).allSatisfy({ $0 == " " }) else { return }
        command("set \(setting) \(GnuplotText.quoted(text)) noenhanced")
    }
}
