/// Anything rnx can draw: it describes itself as a gnuplot program body.
///
/// The body sets titles, axes and data and ends with the plot command(s); it never chooses the
/// terminal or the output file, which belong to the session.
public protocol Chart {
    /// Checks the specification and returns the gnuplot commands and data that draw it.
    func script() throws -> GnuplotScript

    /// The program for character output, where gnuplot cannot draw images; the same as
    /// `script()` unless a chart needs a character-based stand-in.
    func textScript() throws -> GnuplotScript
}

extension Chart {
    /// Most charts draw the same way on every terminal.
    public func textScript() throws -> GnuplotScript {
        try script()
    }
}
