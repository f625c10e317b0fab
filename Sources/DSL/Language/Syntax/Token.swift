/// The kinds of tokens the scanner produces; punctuation and keywords carry their spelling as raw value.
enum TokenKind: String {
    case identifier = "name"
    case integer = "integer"
    case float = "number"
    case string = "string"
    case formatString = "f-string"
    case newline = "end of line"
    case indent = "indented block"
    case dedent = "end of block"
    case end = "end of input"

    case leftParen = "("
    case rightParen = ")"
    case leftBracket = "["
    case rightBracket = "]"
    case leftBrace = "{"
    case rightBrace = "}"
    case comma = ","
    case colon = ":"
    case semicolon = ";"
    case dot = "."
    case arrow = "->"
    case assign = "="
    case plus = "+"
    case minus = "-"
    case star = "*"
    case doubleStar = "**"
    case slash = "/"
    case doubleSlash = "//"
    case percent = "%"
    case at = "@"
    case plusAssign = "+="
    case minusAssign = "-="
    case starAssign = "*="
    case slashAssign = "/="
    case doubleSlashAssign = "//="
    case percentAssign = "%="
    case doubleStarAssign = "**="
    case atAssign = "@="
    case equal = "=="
    case notEqual = "!="
    case less = "<"
    case lessEqual = "<="
    case greater = ">"
    case greaterEqual = ">="

    case kwAnd = "and"
    case kwOr = "or"
    case kwNot = "not"
    case kwIn = "in"
    case kwIs = "is"
    case kwIf = "if"
    case kwElif = "elif"
    case kwElse = "else"
    case kwFor = "for"
    case kwWhile = "while"
    case kwBreak = "break"
    case kwContinue = "continue"
    case kwDef = "def"
    case kwReturn = "return"
    case kwLambda = "lambda"
    case kwPass = "pass"
    case kwAssert = "assert"
    case kwDel = "del"
    case kwGlobal = "global"
    case kwNonlocal = "nonlocal"
    case kwTrue = "True"
    case kwFalse = "False"
    case kwNone = "None"
    // Python keywords rnx reserves but does not implement; the parser explains instead of failing obscurely.
    case kwImport = "import"
    case kwFrom = "from"
    case kwClass = "class"
    case kwTry = "try"
    case kwExcept = "except"
    case kwFinally = "finally"
    case kwRaise = "raise"
    case kwWith = "with"
    case kwAs = "as"
    case kwYield = "yield"
    case kwAsync = "async"
    case kwAwait = "await"

    /// Keywords by spelling.
    static let keywords: [String: TokenKind] = {
        let all: [TokenKind] = [
            .kwAnd, .kwOr, .kwNot, .kwIn, .kwIs, .kwIf, .kwElif, .kwElse, .kwFor, .kwWhile, .kwBreak, .kwContinue,
            .kwDef, .kwReturn, .kwLambda, .kwPass, .kwAssert, .kwDel, .kwGlobal, .kwNonlocal, .kwTrue, .kwFalse,
            .kwNone, .kwImport, .kwFrom, .kwClass, .kwTry, .kwExcept, .kwFinally, .kwRaise, .kwWith, .kwAs,
            .kwYield, .kwAsync, .kwAwait,
        ]
        return Dictionary(uniqueKeysWithValues: all.map { ($0.rawValue, $0) })
    }()

    /// Keywords that start a compound statement (its block may continue on following lines).
    var startsCompoundStatement: Bool {
        switch self {
        case .kwIf, .kwElif, .kwElse, .kwFor, .kwWhile, .kwDef: return true
        default: return false
        }
    }

    /// How the token is named in "expected …" messages.
    var displayName: String {
        switch self {
        case .identifier, .integer, .float, .string, .formatString, .newline, .indent, .dedent, .end: return rawValue
        default: return "'\(rawValue)'"
        }
    }
}

/// One piece of an f-string: literal text or a replacement field `{expression!conversion:spec}`.
enum FormatStringPart {
    case literal(String)
    case field(FormatStringField)
}

/// A replacement field of an f-string as scanned; the parser turns `expression` into a syntax tree.
struct FormatStringField {
    /// The expression's source text.
    let expression: String
    /// Where the expression text starts in the source.
    let line: Int
    let column: Int
    /// `r` or `s` after `!`, if given.
    let conversion: Character?
    /// The format spec after `:`; it may itself contain replacement fields, as in `{x:{width}}`.
    let spec: [FormatStringPart]
    /// For `{x=}`: the text `x=` printed before the value.
    let debugText: String?
}

/// The literal payload of a token.
enum TokenValue {
    case none
    case integer(Int)
    case float(Double)
    case string(String)
    case formatString([FormatStringPart])
}

/// One token with its position.
struct Token {
    let kind: TokenKind
    /// The token's spelling in the source (for names: the name).
    let text: String
    let line: Int
    let column: Int
    var value: TokenValue = .none
}
