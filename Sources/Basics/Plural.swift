/// A count with its noun in the right number, for every message that counts something: `1 batch`, `3 batches`,
/// `1 epoch`, `0 cells`. In Basics so that the Kernel's and Plot's messages count as the DSL's and the REPL's do.
public enum Plural {
    /// `count` and `singular`, or its plural (`plural`, by default the singular with `s`, or `es` after s, x, sh and
    /// tch: `batches`, but `epochs`).
    ///
    ///     Plural.count(1, "batch")  // "1 batch"
    ///     Plural.count(2, "batch")  // "2 batches"
    public static func count(_ count: Int, _ singular: String, plural: String? = nil) -> String {
        "\(count) " + (count == 1 ? singular : plural ?? regularPlural(of: singular))
    }

    private static func regularPlural(of noun: String) -> String {
        ["s", "x", "sh", "tch"].contains(where: noun.hasSuffix) ? noun + "es" : noun + "s"
    }
}
