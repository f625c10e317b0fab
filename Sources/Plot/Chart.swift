/// Anything rnx can draw: it describes itself as a gnuplot program body.
///
/// The body sets titles, axes and data and ends with the plot command(s); it never chooses the
/// terminal or the output file, which belong to the session.
public protocol Chart {
    /// The text shown above the chart, if any; also what the chart is called in listings and reprs.
    var title: String? { get }

    /// Checks the specification and returns the gnuplot commands and data that draw it.
    func script() throws -> GnuplotScript

    /// The program for character output `columns` wide: text is shortened to fit (gnuplot's dumb
    /// terminal drops what does not), and charts that draw images use a character-based stand-in.
    func textScript(columns: Int) throws -> GnuplotScript
}

extension Chart {
    /// A chart without text of its own draws the same way on every terminal.
    public func textScript(columns: Int) throws -> GnuplotScript {
        try script()
    }
}
