import Kernel

/// Reading layer and model configuration from builtin arguments: sizes given as an int or a (height, width) pair,
/// paddings given by name or in pixels, lists of ints, initialiser names and symbolic tensors.
extension Arguments {
    /// An int, or a pair of ints given as a tuple or list: `3` is `(3, 3)`, `(3, 5)` is 3 high and 5 wide.
    func pair(_ name: String) throws -> (Int, Int) {
        let argument = try value(name)
        if let size = argument.integerValue { return (size, size) }
        switch argument {
        case .list, .tuple:
            let items = try argument.elements()
            guard items.count == 2, let first = items[0].integerValue, let second = items[1].integerValue else {
                throw typeError(name, expected: "an int or a pair of ints (height, width)", found: argument)
            }
            return (first, second)
        default:
            throw typeError(name, expected: "an int or a pair of ints (height, width)", found: argument)
        }
    }

    /// An optional `pair`, nil when the argument is `None`.
    func optionalPair(_ name: String) throws -> (Int, Int)? {
        try isNone(name) ? nil : try pair(name)
    }

    /// `"same"`, `"valid"`, a number of pixels on every side (0 is `"valid"`) or a (rows, columns) pair.
    func padding(_ name: String) throws -> Padding {
        if case .string(let text) = try value(name) {
            return try Padding.named(text)
        }
        let (rows, columns) = try pair(name)
        guard rows >= 0, columns >= 0 else { throw valueError(name, "must not be negative, found (\(rows), \(columns))") }
        return rows == 0 && columns == 0 ? .valid : .explicit(rows: rows, columns: columns)
    }

    /// A number argument as Float, the Kernel's precision.
    func float(_ name: String) throws -> Float {
        Float(try double(name))
    }

    /// A list (or tuple) of ints.
    func intList(_ name: String) throws -> [Int] {
        try elements(name).map { item in
            guard let number = item.integerValue else { throw typeError(name, expected: "a list of ints", found: item) }
            return number
        }
    }

    /// A weight initialiser by name (`pytorch`, `kaiming_normal`, `he_normal`, `glorot_uniform`, …).
    func initializer(_ name: String) throws -> Initializer {
        let text = try string(name)
        return try Initializer.named(text)
    }

    /// One symbolic tensor, or a list of them.
    func symbolicTensors(_ name: String) throws -> [SymbolicTensor] {
        let argument = try value(name)
        let items: [Value]
        switch argument {
        case .list, .tuple: items = try argument.elements()
        default: items = [argument]
        }
        guard !items.isEmpty else { throw valueError(name, "must list at least one symbolic tensor") }
        return try items.map { item in
            guard case .object(let object as SymbolicObject) = item else {
                throw typeError(name, expected: "a SymbolicTensor from input() or a layer (or a list of them)", found: item)
            }
            return object.symbolic
        }
    }

    /// A per-sample shape: a list or tuple of ints, or one int.
    func sampleShape(_ name: String) throws -> [Int] {
        try TensorBindings.shape(from: try value(name), self, name)
    }
}
