import Basics
import Foundation

/// JSON text exactly as Jupyter saves a notebook (nbformat's `json.dumps(nb, sort_keys=True, indent=1,
/// ensure_ascii=False)`), so a notebook rnx writes and the same notebook saved again by JupyterLab do not differ in
/// layout: a one-space indent, `"key": value`, empty containers as `[]`/`{}`, non-ASCII text kept as it is.
/// Foundation's pretty printer writes `"key" : value` with two-space indents and blank lines in empty arrays.
///
/// ```swift
/// NotebookJSON.text(of: ["b": [1, "é"], "a": [String]()])
/// // {
/// //  "a": [],
/// //  "b": [
/// //   1,
/// //   "é"
/// //  ]
/// // }
/// ```
enum NotebookJSON {
    /// `value` (dictionaries with String keys, arrays, String, Bool, Int, Double and NSNull) as JSON text.
    static func text(of value: Any) -> String {
        var out = ""
        write(value, indent: 0, to: &out)
        return out
    }

    private static func write(_ value: Any, indent: Int, to out: inout String) {
        let inner = String(repeating: " ", count: indent + 1)
        let closing = String(repeating: " ", count: indent)
        switch value {
        case let object as [String: Any]:
            guard !object.isEmpty else { return out += "{}" }
            out += "{\n"
            for (index, key) in object.keys.sorted().enumerated() {
                out += inner
                out += JSONText.quoted(key)
                out += ": "
                write(object[key] ?? NSNull(), indent: indent + 1, to: &out)
                out += index == object.count - 1 ? "\n" : ",\n"
            }
            out += closing + "}"
        case let array as [Any]:
            guard !array.isEmpty else { return out += "[]" }
            out += "[\n"
            for (index, element) in array.enumerated() {
                out += inner
                write(element, indent: indent + 1, to: &out)
                out += index == array.count - 1 ? "\n" : ",\n"
            }
            out += closing + "]"
        case let string as String: out += JSONText.quoted(string)
        case let flag as Bool: out += flag ? "true" : "false"
        case let integer as Int: out += String(integer)
        case let number as Double: out += pythonRepr(number)
        default: out += "null"
        }
    }

    /// A float as Python's `repr` writes it (shortest round trip; Python's names for the non-finite values).
    private static func pythonRepr(_ number: Double) -> String {
        if number.isNaN { return "NaN" }
        if number.isInfinite { return number > 0 ? "Infinity" : "-Infinity" }
        return "\(number)"
    }
}
