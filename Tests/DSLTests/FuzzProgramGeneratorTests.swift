// Program sources for FuzzInterpreterTests: a seeded generator of random but mostly well-formed programs
// (grammar-based), a byte- and token-level mutator of valid programs, and the seed corpus they start from.
// (The file name follows the Fuzz*Tests pattern; it holds no tests of its own.)
import Foundation

/// SplitMix64: a tiny, seeded, platform-independent random source, so a fuzz run can be replayed from its seed.
struct FuzzRandom {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A number in 0..<bound (bound > 0).
    mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }

    /// A number in range.
    mutating func within(_ range: ClosedRange<Int>) -> Int { range.lowerBound + below(range.count) }

    /// True with the given probability.
    mutating func chance(_ probability: Double) -> Bool { Double(next() >> 11) / Double(1 << 53) < probability }

    mutating func pick<T>(_ items: [T]) -> T { items[below(items.count)] }
}

/// Random programs from the language's grammar: statements (assignments of every form, if/elif/else,
/// bounded while and for loops, def with every parameter kind, return, del, assert, global, break,
/// continue) and expressions (literals from ordinary to extreme, f-strings with format specs, containers,
/// comprehensions, lambdas, operators, calls of builtins and methods with random arguments, tensors of
/// small random shapes). Loops run at most a few times, so programs finish quickly unless they recurse.
struct ProgramGenerator {
    var random: FuzzRandom
    /// Builtin function names to call (from the interpreter, so new builtins are fuzzed too).
    let builtins: [String]
    private var depthBudget = 0
    private var loopDepth = 0
    private var functionDepth = 0
    private var functions: [(name: String, arity: Int)] = []

    static let variables = ["x", "y", "z", "n", "s", "xs", "d", "t", "f", "a", "b", "i"]
    static let methods = [
        "append", "extend", "insert", "pop", "remove", "index", "count", "sort", "reverse", "copy", "clear",
        "keys", "values", "items", "get", "setdefault", "update", "upper", "lower", "strip", "split", "join",
        "replace", "startswith", "find", "format", "zfill", "center", "ljust", "splitlines", "isdigit",
        "item", "tolist", "numel", "size", "backward", "zero_grad", "detach", "sum", "mean", "max", "min",
        "argmax", "reshape", "flatten", "unsqueeze", "permute", "transpose", "matmul", "pow", "clamp", "exp",
        "log", "sqrt", "abs", "tanh", "sigmoid", "relu", "shape", "ndim", "dtype", "grad", "requires_grad",
        "is_leaf", "grad_fn", "T",
    ]
    static let extremeIntegers = [
        "0", "-1", "1", "2", "7", "-7", "255", "1_000", "0xff", "0b101", "0o17", "2147483647", "4294967296",
        "9223372036854775807", "-9223372036854775807", "(-9223372036854775807 - 1)", "3037000500",
    ]
    static let extremeFloats = ["0.0", "-0.0", "0.5", "1e-3", ".5", "1e308", "1e-320", "1e400", "inf", "-inf", "nan", "3.14", "2.5e10"]
    static let strings = [
        "''", "'a'", "\"hello world\"", "'a,b,,c'", "'  pad  '", "'\\n\\t\\\\'", "'\\x41\\u00e9'", "'é😀'",
        "r'raw\\n'", "'''tri\nple'''", "'{}'", "'{0} {x}'", "'{:>10}'", "'%d'", "'0123'", "'ab' * 3",
    ]
    static let formatSpecs = [
        "", ":.3f", ":>8", ":<5d", ":^9", ":+.2e", ":,", ":.1%", ":x", ":#b", ":08.3f", ":c", ":s", "!r", ":{n}", ":.{n}f", "=", ":e",
    ]

    init(seed: UInt64, builtins: [String]) {
        random = FuzzRandom(seed: seed)
        self.builtins = builtins
    }

    /// A whole program of a few top-level statements, usually after a prelude that defines every variable.
    mutating func program() -> String {
        functions = []
        var lines: [String] = []
        if random.chance(0.8) {
            lines.append(
                "x = 1; y = 2.5; z = 'z'; n = 3; s = 'abc'; xs = [1, 2, 3]; d = {'a': 1}; t = ones(2, 3); f = lambda v: v; a = 0; b = 1; i = 2")
        }
        for _ in 0..<random.within(1...8) {
            depthBudget = random.within(2...5)
            lines += statement(indent: 0)
        }
        if random.chance(0.5) { lines.append(expression()) }
        return lines.joined(separator: "\n") + (random.chance(0.5) ? "\n" : "")
    }

    // MARK: Statements

    private mutating func statement(indent: Int) -> [String] {
        let pad = String(repeating: " ", count: indent)
        let compound = depthBudget > 0 && indent < 24
        switch random.below(compound ? 20 : 12) {
        case 0, 1, 2:
            return [pad + "\(random.pick(Self.variables)) = \(expression())"]
        case 3:
            return [pad + "\(random.pick(Self.variables)) \(random.pick(["+=", "-=", "*=", "/=", "//=", "%=", "**=", "@="])) \(expression())"]
        case 4:
            switch random.below(4) {
            case 0: return [pad + "a, b = \(expression()), \(expression())"]
            case 1: return [pad + "a, *b = \(expression())"]
            case 2: return [pad + "\(random.pick(["xs", "d", "t"]))[\(expression())] = \(expression())"]
            default: return [pad + "xs[\(smallInteger()):\(smallInteger())] = \(expression())"]
            }
        case 5:
            return [pad + "print(\(arguments()))"]
        case 6:
            return [pad + expression()]
        case 7:
            if loopDepth > 0 && random.chance(0.5) { return [pad + random.pick(["break", "continue"])] }
            if functionDepth > 0 && random.chance(0.6) { return [pad + "return" + (random.chance(0.7) ? " " + expression() : "")] }
            return [pad + random.pick(["pass", "del \(random.pick(Self.variables))", "assert \(expression()), \(random.pick(Self.strings))"])]
        case 8:
            if functionDepth > 1 && random.chance(0.5) { return [pad + "nonlocal \(random.pick(Self.variables))"] }
            if functionDepth > 0 { return [pad + "global \(random.pick(Self.variables))"] }
            return [
                pad
                    + "\(random.pick(Self.variables)) = \(random.pick(["[]", "{}", "''", "0", "[1, 2, 3]", "{'a': 1}", "(1, 'b')", "zeros(2, 3)", "None"]))"
            ]
        case 9:
            return [pad + "xs = [\(expression()), \(expression())]; d = {\(random.pick(Self.strings)): \(expression())}"]
        case 10:
            if let function = functions.isEmpty ? nil : random.pick(functions) {
                return [
                    pad
                        + "\(random.pick(Self.variables)) = \(function.name)(\((0..<function.arity).map { _ in expression() }.joined(separator: ", ")))"
                ]
            }
            return [pad + "t = tensor(\(nestedNumbers(depth: random.within(0...3))), requires_grad=\(random.pick(["True", "False"])))"]
        case 11:
            return [pad + "\(random.pick(Self.variables)) = \(tensorExpression())"]
        case 12, 13:
            depthBudget -= 1
            var lines = [pad + "if \(expression()):"] + block(indent: indent)
            for _ in 0..<random.within(0...2) { lines += [pad + "elif \(expression()):"] + block(indent: indent) }
            if random.chance(0.5) { lines += [pad + "else:"] + block(indent: indent) }
            depthBudget += 1
            return lines
        case 14:
            depthBudget -= 1
            let counter = "k\(indent)"
            loopDepth += 1
            let lines =
                [
                    pad + "\(counter) = 0",
                    pad + "while \(counter) < \(random.within(0...4))\(random.chance(0.5) ? " and " + operandExpression() : ""):",
                ]
                + block(indent: indent, startingWith: "\(counter) += 1")
            loopDepth -= 1
            depthBudget += 1
            return lines
        case 15, 16:
            depthBudget -= 1
            let (target, iterable) =
                random.chance(0.6)
                ? (
                    random.pick(["i", "x", "n"]),
                    random.pick([
                        "range(\(random.within(0...4)))", "[1, 'two', 3.0]", "'abc'", "reversed([3, 4])",
                        "xs", "d", "s", "t", "range(3, -3, -2)", "map(f, xs)", "filter(None, xs)",
                    ])
                )
                : (
                    random.pick(["a, b", "i, (a, b)", "*a, b", "a, *b"]),
                    random.pick([
                        "{'k': 1, 'v': 2}.items()", "enumerate(['p', 'q'])",
                        "zip([1, 2], 'ab')", "[(1, (2, 3))]", "enumerate(zip(xs, xs))",
                    ])
                )
            loopDepth += 1
            let lines = [pad + "for \(target) in \(iterable):"] + block(indent: indent)
            loopDepth -= 1
            depthBudget += 1
            return lines
        default:
            depthBudget -= 1
            let name = "fn\(functions.count)"
            let parameters = random.pick([["p"], ["p", "q=2"], ["*args"], ["p", "*rest", "k=None", "**kw"], [], ["p", "*", "q"], ["p=[]"]])
            let arity = parameters.filter { !$0.contains("=") && !$0.hasPrefix("*") }.count
            // A function body is not inside the loops around the definition.
            let outerLoops = loopDepth
            loopDepth = 0
            functionDepth += 1
            var lines = [pad + "def \(name)(\(parameters.joined(separator: ", "))):"]
            lines += block(indent: indent, startingWith: random.chance(0.3) ? "\"doc of \(name)\"" : nil)
            functionDepth -= 1
            loopDepth = outerLoops
            functions.append((name, arity))
            depthBudget += 1
            return lines
        }
    }

    /// The statements of a block, all at one deeper indentation (chosen at random), after `first` if given.
    private mutating func block(indent: Int, startingWith first: String? = nil) -> [String] {
        let inner = indent + random.pick([1, 2, 4, 4, 4, 8])
        var lines = first.map { [String(repeating: " ", count: inner) + $0] } ?? []
        for _ in 0..<random.within(1...3) { lines += statement(indent: inner) }
        return lines
    }

    // MARK: Expressions

    mutating func expression() -> String {
        depthBudget -= 1
        defer { depthBudget += 1 }
        if depthBudget <= 0 { return atom() }
        switch random.below(22) {
        case 0, 1, 2: return atom()
        case 3, 4:
            let op = random.pick([
                "+", "-", "*", "/", "//", "%", "**", "@", "<", "<=", ">", ">=", "==", "!=", "in", "not in",
                "is", "is not", "and", "or",
            ])
            return "\(operandExpression()) \(op) \(operandExpression())"
        case 5: return random.chance(0.7) ? "\(random.pick(["-", "+"]))\(operandExpression())" : "not \(operandExpression())"
        case 6: return "(\(expression()))"
        case 7: return "[\(items())]"
        case 8:
            let inside = items()
            return "(\(inside)\(random.chance(0.5) && !inside.isEmpty ? "," : ""))"
        case 9: return "{\((0..<random.within(0...3)).map { _ in "\(atom()): \(expression())" }.joined(separator: ", "))}"
        case 10: return "\(random.pick(builtins))(\(arguments()))"
        case 11: return "\(operand()).\(random.pick(Self.methods))\(random.chance(0.8) ? "(\(arguments()))" : "")"
        case 12: return "\(operand())[\(random.chance(0.6) ? expression() : slice())]"
        case 13:
            let variable = random.pick(["v", "w"])
            return
                "[\(variable) \(random.pick(["", "* 2", "+ 1"])) for \(variable) in \(random.pick(["range(4)", "xs", "'ab'", "[1, 2]"]))\(random.chance(0.4) ? " if \(variable)" : "")]"
        case 14: return "{v: \(expression()) for v in \(random.pick(["range(3)", "'xyz'"]))}"
        case 15: return "(lambda \(random.pick(["", "v", "v, w=1", "*v", "**v"])): \(expression()))"
        case 16: return "(\(operandExpression()) if \(operandExpression()) else \(operandExpression()))"
        case 17: return formatString()
        case 18: return tensorExpression()
        case 19:
            return
                "\(operandExpression()) \(random.pick(["<", "<=", "=="])) \(operandExpression()) \(random.pick(["<", "!=", "in"])) \(operandExpression())"
        case 20: return "(lambda v: \(expression()))(\(expression()))"
        default:
            return
                "\(random.pick(["int", "float", "str", "list", "tuple", "dict", "bool", "range", "type", "repr", "len", "sorted"]))(\(expression()))"
        }
    }

    private mutating func atom() -> String {
        switch random.below(9) {
        case 0, 1: return random.pick(Self.variables)
        case 2: return random.pick(Self.extremeIntegers)
        case 3: return random.pick(Self.extremeFloats)
        case 4: return random.pick(Self.strings)
        case 5: return random.pick(["True", "False", "None", "[]", "()", "{}", "pi", "e", "inf", "nan"])
        case 6: return smallInteger()
        case 7: return random.pick(builtins)
        default: return "\(random.within(0...9)).\(random.within(0...99))"
        }
    }

    /// An operand of an operator: an atom, or any expression in parentheses.
    private mutating func operandExpression() -> String {
        random.chance(0.5) ? atom() : "(\(expression()))"
    }

    private mutating func operand() -> String {
        random.chance(0.6) ? random.pick(Self.variables) : "(\(expression()))"
    }

    private mutating func smallInteger() -> String {
        String(random.within(-5...5))
    }

    private mutating func items() -> String {
        (0..<random.within(0...4)).map { _ in random.chance(0.1) ? "*\(operand())" : expression() }.joined(separator: ", ")
    }

    /// Call arguments: positional ones and `*` spreads, then keywords and `**` spreads (almost always in that order).
    private mutating func arguments() -> String {
        var positional: [String] = []
        var keywords: [String] = []
        for _ in 0..<random.within(0...3) {
            switch random.below(10) {
            case 0: positional.append("*\(operand())")
            case 1: keywords.append("**\(random.pick(["d", "{'key': 1}", "{}"]))")
            case 2, 3:
                keywords.append(
                    "\(random.pick(["key", "reverse", "dim", "keepdim", "start", "sep", "end", "default", "strict", "base", "requires_grad", "min", "max", "ndigits", "x", "bogus"]))=\(expression())"
                )
            default: positional.append(expression())
            }
        }
        let parts = random.chance(0.97) ? positional + keywords : keywords + positional
        return parts.joined(separator: ", ")
    }

    private mutating func slice() -> String {
        let parts = (0..<3).map { _ in random.chance(0.5) ? smallInteger() : "" }
        return random.chance(0.5) ? "\(parts[0]):\(parts[1])" : parts.joined(separator: ":")
    }

    private mutating func formatString() -> String {
        let fields = (0..<random.within(1...3)).map { _ in
            "{\(random.pick(Self.variables + ["1.5", "-7", "'q'", "n * 2"]))\(random.pick(Self.formatSpecs))}"
        }
        return "f\"\(fields.joined(separator: " - "))\(random.chance(0.1) ? "{{literal}}" : "")\""
    }

    /// A tensor from a creation builtin with a small random shape, or an operation on tensors.
    mutating func tensorExpression() -> String {
        let shape = (0..<random.within(0...3)).map { _ in String(random.pick([0, 1, 1, 2, 3, 4, -1])) }.joined(separator: ", ")
        switch random.below(10) {
        case 0: return "zeros(\(shape))"
        case 1: return "ones((\(shape)\(shape.contains(",") || shape.isEmpty ? "" : ",")), requires_grad=True)"
        case 2: return "randn(\(shape))"
        case 3: return "rand(\(shape))"
        case 4: return "full((\(shape)\(shape.contains(",") || shape.isEmpty ? "" : ",")), \(random.pick(Self.extremeFloats)))"
        case 5: return "arange(\(random.pick(["5", "0, 1, 0.25", "3, 0, -1", "0", "1, 2, 0", "-2.5, 2.5"])))"
        case 6: return "tensor(\(nestedNumbers(depth: random.within(0...3))))"
        case 7:
            return
                "\(random.pick(["stack", "cat"]))([\(random.pick(["randn(2, 3)", "ones(2, 3)", "zeros(3)", "t"])), \(random.pick(["randn(2, 3)", "ones(2, 3)", "zeros(2)", "t"]))], dim=\(smallInteger()))"
        case 8:
            let op = random.pick(["+", "-", "*", "/", "@", "**", "<", "=="])
            return
                "\(random.pick(["randn(2, 3)", "ones(3)", "t", "x", "tensor(2.0)"])) \(op) \(random.pick(["randn(3, 2)", "ones(2, 3)", "t", "2", "0.5", "zeros(1)"]))"
        default:
            return
                "(\(random.pick(["randn(2, 3, requires_grad=True)", "ones(4, requires_grad=True)", "t"])) * 2).\(random.pick(["sum", "mean", "relu", "exp"]))()"
        }
    }

    private mutating func nestedNumbers(depth: Int) -> String {
        if depth == 0 { return random.pick(["1", "2.5", "-3", "0", "1e30", "True", "'x'", "inf"]) }
        let count = random.within(0...3)
        // Mostly rectangular; sometimes ragged.
        let ragged = random.chance(0.15)
        return "[" + (0..<count).map { _ in nestedNumbers(depth: ragged ? random.within(0...depth - 1) : depth - 1) }.joined(separator: ", ") + "]"
    }
}

/// Mutations of valid programs: bit flips and random bytes (kept as text), deletion, repetition and
/// splicing of ranges (also from another program), insertion of tokens that stress the scanner and
/// parser (brackets, quotes, indentation, continuation, operators, keywords, exotic characters), and
/// numbers replaced by extreme ones.
enum ProgramMutator {
    static let insertions = [
        "(", ")", "[", "]", "{", "}", ":", ",", ".", ";", "\n", "\n    ", "\t", " ", "\\\n", "\\", "'", "\"",
        "'''", "\"\"\"", "f'{", "}", "{{", "#", "=", "==", "**", "*", "->", "@", "lambda", "def", "if ", "else",
        "elif", "for", "while", "in", "not", "return", "global x", "del", "assert", "yield", "import", "class",
        "\u{0}", "\r", "\r\n", "\u{FEFF}", "\u{200B}", "é", "😀", "\u{0301}", "\u{D7FF}", "\u{10FFFF}",
        "9" + String(repeating: "9", count: 30), "1e400", "0x", "1_", "0b2", "1.2.3", "0.", "...",
    ]
    static let numbers = [
        "0", "-1", "10**400", "2**63", "9223372036854775807", "-9223372036854775808", "1e308", "1e-400",
        "10**12", "100000", "3037000500", "4294967296", "255", "1.5", "nan", "inf",
    ]

    static func mutate(_ program: String, other: String, using random: inout FuzzRandom) -> String {
        var scalars = Array(program.unicodeScalars)
        for _ in 0..<random.within(1...4) {
            switch random.below(9) {
            case 0 where !scalars.isEmpty:
                let index = random.below(scalars.count)
                let flipped = scalars[index].value ^ (1 << UInt32(random.below(7)))
                scalars[index] = Unicode.Scalar(flipped) ?? "?"
            case 1:
                scalars.insert(contentsOf: random.pick(insertions).unicodeScalars, at: random.below(scalars.count + 1))
            case 2 where !scalars.isEmpty:
                let start = random.below(scalars.count)
                scalars.removeSubrange(start..<min(scalars.count, start + random.within(1...12)))
            case 3 where !scalars.isEmpty:
                let start = random.below(scalars.count)
                let chunk = scalars[start..<min(scalars.count, start + random.within(1...40))]
                scalars.insert(contentsOf: chunk, at: random.below(scalars.count + 1))
            case 4:
                let donor = Array(other.unicodeScalars)
                guard !donor.isEmpty else { break }
                let start = random.below(donor.count)
                let cut = random.below(scalars.count + 1)
                scalars = Array(scalars[..<cut]) + donor[start..<min(donor.count, start + random.within(1...80))]
            case 5:
                // Replace a run of digits by an extreme number.
                let digits = scalars.indices.filter { scalars[$0].isASCII && scalars[$0].properties.numericType != nil }
                guard !digits.isEmpty else { break }
                let start = random.pick(digits)
                var end = start
                while end < scalars.count && scalars[end].isASCII && scalars[end].properties.numericType != nil { end += 1 }
                scalars.replaceSubrange(start..<end, with: random.pick(numbers).unicodeScalars)
            case 6 where !scalars.isEmpty:
                scalars[random.below(scalars.count)] = Unicode.Scalar(UInt8(random.within(0...127)))
            case 7:
                // Re-indent a line.
                let newlines = scalars.indices.filter { scalars[$0] == "\n" }
                guard !newlines.isEmpty else { break }
                let line = random.pick(newlines)
                scalars.insert(contentsOf: String(repeating: random.pick([" ", "\t"]), count: random.within(1...9)).unicodeScalars, at: line + 1)
            default:
                scalars = Array(scalars.prefix(random.below(scalars.count + 1)))
            }
        }
        return String(String.UnicodeScalarView(scalars))
    }
}

/// Valid programs that together touch every part of the language; the mutator starts from these.
enum SeedCorpus {
    static let programs: [String] = [
        "x = 2\ny = x * 21\ny",
        "def fib(n):\n    return n if n < 2 else fib(n - 1) + fib(n - 2)\nfib(10)",
        "xs = [3, 1, 2]\nxs.sort(reverse=True)\nxs.append(len(xs))\nprint(xs, sep=', ', end='')",
        "d = {'lr': 0.1, 'epochs': 3}\nfor key, value in d.items():\n    print(f\"{key}: {value!r:>8}\")",
        "total = 0\ni = 0\nwhile i < 10:\n    i += 1\n    if i % 2 == 0:\n        continue\n    total += i\n    if total > 20: break\ntotal",
        "squares = [v * v for v in range(6) if v % 2]\ninverse = {v: k for k, v in enumerate(squares)}\nsum(squares), inverse",
        "f = lambda a, b=2, *rest, **kw: (a + b, rest, kw)\nf(1, 3, 4, 5, key='k')",
        "s = 'Hello, World'\n'-'.join(s.lower().split(', ')).replace('o', '0').center(20, '*')",
        "def counter():\n    count = 0\n    def step():\n        nonlocal count\n        count += 1\n        return count\n    return step\nc = counter()\nc(); c()\nc()",
        "g = 1\ndef bump():\n    global g\n    g *= 10\nbump()\ng",
        "first, *rest = [1, 2, 3, 4]\na, (b, c) = 1, (2, 3)\nrest[::-1], a + b + c",
        "t = randn(2, 3, requires_grad=True)\nloss = (t * t).sum()\nloss.backward()\nt.grad.shape",
        "w = ones(3, 2)\nx = arange(6).reshape(2, 3)\ny = x @ w\ny.tolist(), y.mean(dim=0).tolist()",
        "a = tensor([[1, 2], [3, 4]])\nb = stack([a, a.T], dim=0)\ncat([b, b], dim=1).shape, b.permute(2, 0, 1).flatten(1).size()",
        "seed(3)\nr = rand(4)\nr.clamp(min=0.2, max=0.8).max().item() <= 0.8",
        "assert 1 < 2 <= 2 != 3, 'chained comparisons'\nnot (1 in [1, 2]) or 3 not in (1, 2)",
        "x = 7\nif x > 5:\n    y = 'big'\nelif x > 2:\n    y = 'medium'\nelse:\n    y = 'small'\ny.upper()",
        "print(format(0.25, '.1%'), format(255, '#x'), f'{3.14159:8.2f}|{42:<6d}|{\"s\":^5}|{1234567:,}')",
        "xs = list(range(10))\ndel xs[2:5]\nxs[0] = 'zero'\nxs.insert(1, None)\nxs.pop(), xs.index(None), xs.count(9)",
        "words = sorted(['pear', 'Apple', 'fig'], key=lambda w: (len(w), w.lower()))\nlist(map(len, words)), list(filter(None, [0, 1, '', 'a']))",
        "m = max([3, 9, 2], key=lambda v: -v)\nmin(4, 2, 8), m, abs(-3.5), round(2.675, 2), 0 if False else 1",
        "n = int('ff', 16) + int(3.9) + int('-12')\nfloat('1e-3'), str(n), bool([]), repr('q'), chr(ord('a') + 1)",
        "def apply(fn, *args, scale=1, **options):\n    \"Calls fn.\"\n    return fn(*args, **options) * scale\napply(lambda a, b=0: a - b, 5, b=2, scale=3)",
        "x = 1 if None else 2\ny = [] or {} or 'fallback'\nz = 0 and 1\nx, y, z, isinstance(x, (int, float)), type(y) == str",
        "grid = [[r * 3 + c for c in range(3)] for r in range(3)]\ncolumns = list(zip(*grid))\nfor row in grid:\n    print(*row)\ncolumns",
        "s = \"\"\"multi\nline\"\"\"\nlines = s.splitlines()\nr'\\d+' + 'tab\\there' + '\\u00e9\\x41'",
        "h = help\nh(len)\nlog(8, 2), sqrt(16), exp(0), floor(-1.5), ceil(1.2), isnan(nan), isinf(-inf), log10(1000)",
        "x = 5\nx += 1; x -= 2; x *= 3; x //= 2; x %= 4; x **= 3\nx /= 2\nx",
        "def outer(v):\n    def inner(w=v * 2):\n        return w\n    return inner\nouter(4)()",
        "stack = []\nfor ch in '(a[b]{c})':\n    if ch in '([{':\n        stack.append(ch)\n    elif ch in ')]}':\n        stack.pop()\nlen(stack) == 0",
    ]
}
