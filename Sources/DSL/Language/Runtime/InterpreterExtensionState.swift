/// State a library area keeps for one interpreter (the charts' gnuplot session and settings, the training
/// display's style): made by `Interpreter.extensionState(_:)` on first use and dropped with the interpreter, so
/// two interpreters never share it and nothing outlives them.
protocol InterpreterExtensionState: AnyObject {
    /// The state of an interpreter that has not used the area yet.
    init()
}

extension Interpreter {
    /// This interpreter's instance of `State`, made on first use; the type itself is the key.
    func extensionState<State: InterpreterExtensionState>(_ type: State.Type = State.self) -> State {
        extensionStates.withLock { states in
            let key = ObjectIdentifier(type)
            // Only this function stores under `key`, always an instance of `State`.
            if let state = states[key] as? State { return state }
            let state = State()
            states[key] = state
            return state
        }
    }
}
