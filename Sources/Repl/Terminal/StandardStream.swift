// C's `stdout` and `stderr` are mutable globals to Swift 6, which cannot see that they are set before `main` and
// never changed, and that stdio locks each stream itself so any thread may write to one. This file imports only
// the C library, so this `@preconcurrency` covers just these two reads.
@preconcurrency import Glibc

/// C's standard streams, for the REPL's writes that must interleave with readline's (which uses the same streams).
enum StandardStream {
    /// C's `stdout`.
    static var output: UnsafeMutablePointer<FILE> { stdout }
    /// C's `stderr`.
    static var error: UnsafeMutablePointer<FILE> { stderr }
}
