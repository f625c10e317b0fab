/// Renders `docs/language.md`: a hand-written tour of the syntax followed by the builtin and type reference
/// generated from the library's registry (the same text `help` shows). A test checks the committed file is current.
public enum LanguageReference {
    /// The command that rewrites docs/language.md from the registry.
    public static let regenerateCommand = "RNX_WRITE_DOCS=1 swift test --filter DSLTests.LanguageReferenceTests"

    /// The complete markdown reference for `library`.
    public static func markdown(for library: Library = .standard) -> String {
        var text = """
            # The rnx language

            <!-- Generated from Sources/DSL (LanguageReference.swift and the builtin registry); do not edit by hand.
                 Regenerate with: \(regenerateCommand) -->

            rnx scripts (`.rnx`) and the REPL use a small Python-like language. If you know Python, you know it:
            the differences are listed at the end of the syntax section. Every builtin is available without import.
            In the REPL, `help()` lists the builtins and `help(name)` shows the entries below.


            """
        text += syntax
        text += "\n## Builtin functions\n"
        for group in library.groups {
            text += "\n### \(group.title)\n\n"
            for function in group.functions {
                text += "- `\(function.signature)` — \(inline(function.doc))\n"
            }
            for constant in group.constants {
                text += "- `\(constant.name)` — \(inline(constant.doc))\n"
            }
        }
        text += "\n## Types\n"
        for type in library.types {
            text += "\n### \(type.name)\n\n\(inline(type.doc))\n"
            if let constructor = type.constructor {
                text += "\n- `\(constructor.signature)` — \(inline(constructor.doc))\n"
            }
            if !type.properties.isEmpty {
                text += "\nAttributes:\n\n"
                for property in type.properties { text += "- `.\(property.name)` — \(inline(property.doc))\n" }
            }
            if !type.methods.isEmpty {
                text += "\nMethods:\n\n"
                for method in type.methods { text += "- `\(method.signature)` — \(inline(method.doc))\n" }
            }
        }
        return text
    }

    private static func inline(_ doc: String) -> String {
        doc.replacingOccurrences(of: "\n", with: " ")
    }

    private static let syntax = """
        ## Syntax

        ### Lines, blocks and comments

        A statement ends at the end of its line; `;` separates statements on one line. Blocks are indented
        (any consistent amount) after a line ending in `:`. Inside `()`, `[]` and `{}` lines may be broken
        freely, and a `\\` at the end of a line continues it. `#` starts a comment.

        ```python
        for epoch in range(3):   # a block
            loss = 1 / (epoch + 1)
            if loss < 0.5: print("small")
        total = (1 +
                 2)
        ```

        ### Values

        | Kind | Examples |
        | --- | --- |
        | int (64-bit; overflow is an error) | `42`, `-7`, `1_000_000`, `0xff`, `0b101` |
        | float | `3.14`, `1e-3`, `.5`, `inf`, `nan` |
        | bool, None | `True`, `False`, `None` |
        | str | `'single'`, `"double"`, `'''triple'''`, `r'raw \\n'`, escapes `\\n \\t \\\\ \\' \\" \\xhh \\uhhhh` |
        | f-string | `f"{name}: {loss:.4f} ({ratio:.1%}) {count:>5d} {x=}"` |
        | list, tuple, dict | `[1, 2]`, `(1, 2)`, `1, 2`, `()`, `(1,)`, `{'lr': 0.1, 'epochs': 3}` |
        | range | `range(10)`, `range(2, 10, 2)` (lazy) |

        Lists and dicts are shared, not copied, by assignment (`b = a` then `b.append(1)` changes `a`).
        f-string fields take Python format specs: `[[fill]align][sign][#][0][width][,][.precision][type]` with
        types `d b o x X c` for ints, `f e g %` for numbers, `s` for strings; `!r` shows the repr.

        ### Expressions, by increasing precedence

        | Operators | Meaning |
        | --- | --- |
        | `lambda x, y=1: x + y` | anonymous function |
        | `a if condition else b` | conditional |
        | `or`, `and`, `not` | boolean logic (short-circuit; `or`/`and` return an operand) |
        | `<  <=  >  >=  ==  !=  in  not in  is  is not` | comparison, chainable: `0 <= i < n` |
        | `+  -` | addition, subtraction, concatenation |
        | `*  /  //  %  @` | multiplication (repetition), true division, floor division, modulo, matrix product |
        | `-x  +x` | negation |
        | `**` | power (right-associative; `-2 ** 2 == -4`) |
        | `f(x, key=v, *args, **kwargs)`, `x[i]`, `x[a:b:c]`, `x.name` | call, index, slice, attribute |

        `/` always gives a float; `//` and `%` round toward negative infinity as in Python. Indices may be negative
        (`xs[-1]` is the last element) and slices take steps (`xs[::-1]` reverses). Comprehensions build lists and
        dicts: `[x * x for x in xs if x > 0]`, `{k: v for k, v in pairs}`; `sum(x for x in xs)` works too.

        ### Statements

        ```python
        x = 1                       # assignment; a = b = 0; a, b = b, a; first, *rest = xs
        x += 2                      # also -= *= /= //= %= **= @=
        xs[0] = 5; d["key"] = 1     # index assignment (slices too: xs[1:3] = [7, 8])
        del d["key"]                # delete an item or a name
        if x > 2:
            pass
        elif x < 0:
            pass
        else:
            pass
        while x > 0:
            x -= 1
            if x == 5: break        # also continue
        for i, name in enumerate(["a", "b"]):
            print(i, name)
        assert x == 0, "x should be zero"
        ```

        ### Functions

        ```python
        def train(model, epochs=1, *callbacks, lr=0.1, **options):
            "The first string in the body documents the function (help(train) shows it)."
            for epoch in range(epochs):
                pass
            return model

        train(m, 3, lr=0.01)
        square = lambda x: x * x
        ```

        Defaults are evaluated once, when `def` runs. Functions see the variables of the scopes they were defined in;
        assignment creates a local variable unless the name is declared `global` (or `nonlocal` for an enclosing
        function's variable).

        ### Errors

        Every error names its position, quotes the line and points at the column; runtime errors add the chain of
        function calls that led to them:

        ```
        train.rnx:12:7: error: ZeroDivisionError: division by zero
            x = a / b
                  ^
        ```

        An error stops the current statement; everything that ran before it stays (in the REPL, earlier variables
        keep their values). Ctrl-C stops a running statement with `KeyboardInterrupt`. Recursion deeper than
        1000 calls and nesting deeper than 200 levels are reported as errors.

        ### Differences from Python

        - No `import` (everything is built in), no classes, no `try`/`except`/`raise`, no `with`, no generators
          (`yield`), no sets, no bitwise operators.
        - Integers are 64-bit: results that do not fit raise `OverflowError` (use floats for huge numbers).
        - `enumerate`, `zip`, `map`, `filter` and `reversed` are lazy and can be iterated once; generator
          expressions (`(x for x in xs)`) are evaluated eagerly into lists; `dict.keys()`, `.values()` and
          `.items()` return lists.

        """
}
