/// The types of the builtin values. Methods live in BuiltinsString/BuiltinsList/BuiltinsDict.
enum CoreTypes {
    static let none = DSLType(name: "NoneType", doc: "The type of None, the absence of a value.")
    static let bool = DSLType(
        name: "bool", doc: "True or False.",
        constructor: BuiltinFunction("bool", [.optional("x", false)], doc: "The truth value of x (False for 0, empty and None).") { args in
            .bool(try args.bool("x"))
        })
    static let int = DSLType(
        name: "int", doc: "64-bit integers; arithmetic that overflows raises OverflowError.",
        constructor: BuiltinFunction(
            "int", [.optional("x", 0), .optional("base", .none)],
            doc: "Convert a number (truncating toward zero) or a string (in the given base) to an integer.",
            Conversions.int))
    static let float = DSLType(
        name: "float", doc: "Double-precision floating point numbers.",
        constructor: BuiltinFunction(
            "float", [.optional("x", 0.0)],
            doc: "Convert a number or a string such as '1e-3', 'inf' or 'nan' to a float.",
            Conversions.float))
    static let str = DSLType(
        name: "str", doc: "Immutable text; index and slice by character.",
        constructor: BuiltinFunction("str", [.optional("x", "")], doc: "The text form of x, as print shows it.") { args in
            .string(try args.value("x").text(quoted: false))
        },
        methods: StringMethods.all)
    static let list = DSLType(
        name: "list", doc: "A mutable sequence; shared when assigned, copied with list(xs) or xs.copy().",
        constructor: BuiltinFunction("list", [.optional("iterable", .tuple([]))], doc: "A new list with the elements of iterable.") { args in
            .list(try args.elements("iterable"))
        },
        methods: ListMethods.all)
    static let tuple = DSLType(
        name: "tuple", doc: "An immutable sequence, written (a, b) or a, b.",
        constructor: BuiltinFunction("tuple", [.optional("iterable", .tuple([]))], doc: "A tuple with the elements of iterable.") { args in
            .tuple(try args.elements("iterable"))
        },
        methods: ListMethods.tupleMethods)
    static let dict = DSLType(
        name: "dict", doc: "A mutable mapping from keys to values that keeps insertion order.",
        constructor: BuiltinFunction(
            "dict", [.optional("mapping", .none), .keywords("entries")],
            doc: "A new dict from a dict or a list of (key, value) pairs, plus keyword entries.",
            Conversions.dict),
        methods: DictMethods.all)
    static let range = DSLType(
        name: "range", doc: "An arithmetic progression of integers, produced lazily.",
        constructor: BuiltinFunction(
            "range", [.required("start"), .optional("stop", .none), .optional("step", 1)],
            doc: "range(stop) counts 0, 1, ..., stop-1; range(start, stop, step) counts from start by step up to (not including) stop.",
            Conversions.range))
    static let slice = DSLType(name: "slice", doc: "The start:stop:step of an index expression.")
    static let function = DSLType(name: "function", doc: "A function defined with def or lambda.")
    static let builtin = DSLType(name: "builtin", doc: "A function provided by rnx.")
    static let method = DSLType(name: "method", doc: "A builtin method bound to the value it was looked up on.")
    static let type = DSLType(name: "type", doc: "A type, as returned by type(x); call it to convert or construct.")
    static let iterator = DSLType(name: "iterator", doc: "A lazy sequence from enumerate, zip, map, filter or reversed; it can be iterated once.")

    /// Types listed in `help()` and the reference.
    static let documented: [DSLType] = [bool, int, float, str, list, tuple, dict, range]
}

extension Value {
    /// The value's type descriptor.
    public var dslType: DSLType {
        switch self {
        case .none: return CoreTypes.none
        case .bool: return CoreTypes.bool
        case .int: return CoreTypes.int
        case .float: return CoreTypes.float
        case .string: return CoreTypes.str
        case .list: return CoreTypes.list
        case .tuple: return CoreTypes.tuple
        case .dict: return CoreTypes.dict
        case .range: return CoreTypes.range
        case .slice: return CoreTypes.slice
        case .function: return CoreTypes.function
        case .builtin: return CoreTypes.builtin
        case .method: return CoreTypes.method
        case .type: return CoreTypes.type
        case .object(let object): return object.dslType
        }
    }

    /// The name of the value's type, as used in messages: `int`, `list`, `Tensor`.
    public var typeName: String { dslType.name }
}
