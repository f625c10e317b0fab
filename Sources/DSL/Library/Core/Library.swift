/// A named value provided by the language, e.g. `pi`.
public struct BuiltinConstant {
    /// The global name.
    public let name: String
    /// Its value.
    public let value: Value
    /// One-line documentation.
    public let doc: String

    /// Creates a constant.
    public init(_ name: String, _ value: Value, doc: String) {
        self.name = name
        self.value = value
        self.doc = doc
    }
}

/// Builtins that belong together in the documentation (e.g. "Math", "Tensors").
public struct BuiltinGroup {
    /// Section title in `help()` and the reference.
    public let title: String
    /// The functions, in documentation order.
    public let functions: [BuiltinFunction]
    /// The constants, in documentation order.
    public let constants: [BuiltinConstant]

    /// Creates a group.
    public init(title: String, functions: [BuiltinFunction], constants: [BuiltinConstant] = []) {
        self.title = title
        self.functions = functions
        self.constants = constants
    }
}

/// Everything an interpreter provides without import: builtin groups and documented types.
/// Types are global names too (`int`, `list`, `Tensor`, …), for calling, `isinstance` and `help`.
///
/// To add builtins from a binding file, define a `BuiltinGroup` (and `DSLType`s for wrapped objects) in
/// `Library/<domain>/` and list them in `standard` below.
public struct Library {
    /// Builtin functions and constants by section.
    public var groups: [BuiltinGroup]
    /// Types whose methods and properties are documented (and, with a constructor, callable).
    public var types: [DSLType]

    /// Creates a library.
    public init(groups: [BuiltinGroup], types: [DSLType]) {
        self.groups = groups
        self.types = types
    }

    /// The full standard library.
    public static let standard = Library(
        groups: [
            CoreBuiltins.group, IterationBuiltins.group, NumericBuiltins.group, TensorBindings.group, TensorFileBindings.group,
            FunctionalLossBindings.group,
        ]
            + ModelBindings.groups + [PlotBindings.group, HelpBuiltins.group],
        types: CoreTypes.documented + [TensorBindings.type] + ModelBindings.types + [LoadReportObject.type] + PlotBindings.types
    )
    .adding(groups: TrainingLibrary.groups, types: TrainingLibrary.types)

    /// The builtin function called `name` (or the constructor of the type called `name`).
    public func function(named name: String) -> BuiltinFunction? {
        for group in groups {
            if let function = group.functions.first(where: { $0.name == name }) { return function }
        }
        return types.first { $0.name == name }?.constructor
    }

    /// The builtin constant called `name`.
    public func constant(named name: String) -> BuiltinConstant? {
        groups.lazy.compactMap { $0.constants.first { $0.name == name } }.first
    }

    /// The documented type called `name`.
    public func type(named name: String) -> DSLType? {
        types.first { $0.name == name }
    }
}
