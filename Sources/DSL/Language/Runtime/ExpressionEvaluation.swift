extension Interpreter {
    /// The value of `source`, which must be one expression (no statement, no assignment), evaluated in the global
    /// scope, as Python's `eval`: what a notebook frontend asks with `user_expressions`. Throws `DSLError`.
    ///
    ///     try interpreter.evaluate(expression: "x * 2", file: "<expression>")   // .int(84) when x is 42
    public func evaluate(expression source: String, file: String) throws -> Value {
        let program = try Parser.parse(source, source: SourceText(name: file, text: source))
        guard program.statements.count == 1, case .expression = program.statements[0].kind else {
            throw DSLError(.syntax, "expected one expression, found \(program.statements.isEmpty ? "nothing" : "a statement")")
        }
        return try execute(source: source, file: file) ?? .none
    }
}
