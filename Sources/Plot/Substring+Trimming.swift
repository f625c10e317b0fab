extension Substring {
    /// The text without leading and trailing whitespace (gnuplot indents its messages with spaces and tabs).
    func trimmingSpaces() -> String {
        String(drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
    }
}
