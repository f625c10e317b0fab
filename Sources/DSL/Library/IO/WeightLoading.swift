import Kernel

/// `load(model, path, ...)` and `model.load_weights(path, ...)`: one implementation, one report.
enum WeightLoading {
    /// The parameters both share after the model.
    static let parameters: [Parameter] = [.required("path"), .optional("strict", true), .optional("rename", .none)]

    /// Their documentation, naming the receiver as the builtin does.
    static func doc(model: String) -> String {
        """
        Read weights and batch-norm statistics from a safetensors file (saved by rnx or by PyTorch's safetensors.torch.save_file) into \(model), in place; returns a LoadReport (loaded, missing, unexpected, mismatched) that prints as a table.
        strict=True (default) refuses, changing nothing, unless the names and shapes match exactly, listing every problem at once; strict=False loads what fits and reports the rest (a new head keeps its weights). \
        rename maps file names to model names: a dict of prefixes, e.g. rename={'linear.': 'fc.'}, or a function of the name. torchvision's ResNet names are rnx's: a torchvision checkpoint loads into resnet18() as it is; PyTorch's num_batches_tracked counters set the batch norms' counts (save writes them, so torch loads rnx's files strictly).
        """
    }

    /// Loads into `model` from the arguments `path`, `strict` and `rename`.
    static func load(_ model: Model, _ args: Arguments) throws -> Value {
        let path = try ModelMethods.path(args)
        let rename = try renaming(args)
        let report = try model.loadWeights(path, strict: try args.bool("strict"), rename: rename)
        return .object(LoadReportObject(report, path: path))
    }

    /// The `rename` argument as a function of the file name: the longest matching prefix of a dict is replaced,
    /// a function is called with the name and must return a string.
    private static func renaming(_ args: Arguments) throws -> ((String) throws -> String)? {
        let value = try args.value("rename")
        switch value {
        case .none:
            return nil
        case .dict(let dict):
            let prefixes = try dict.entries.map { key, replacement -> (String, String) in
                guard case .string(let from) = key, case .string(let to) = replacement else {
                    throw args.typeError("rename", expected: "a dict of str prefixes to str prefixes", found: offending(key, replacement))
                }
                return (from, to)
            }.sorted { $0.0.count > $1.0.count }
            return { name in
                guard let (from, to) = prefixes.first(where: { name.hasPrefix($0.0) }) else { return name }
                return to + name.dropFirst(from.count)
            }
        case .function, .builtin, .method:
            return { name in
                let result = try args.call(value, [.string(name)])
                guard case .string(let renamed) = result else {
                    throw DSLError(.type, "rename(\(Value.quote(name))) must return a str, not \(result.typeName)")
                }
                return renamed
            }
        default:
            throw args.typeError("rename", expected: "a dict of prefixes or a function of the name", found: value)
        }
    }

    /// The offending one of a key and its value, for the message.
    private static func offending(_ key: Value, _ value: Value) -> Value {
        if case .string = key { return value }
        return key
    }
}

/// The result of `load`: which tensors were loaded and which did not line up, printed as a short table.
final class LoadReportObject: DSLObject {
    let report: WeightLoadReport
    let path: String

    init(_ report: WeightLoadReport, path: String) {
        self.report = report
        self.path = path
    }

    static let type = DSLType(
        name: "LoadReport",
        doc:
            "What load() or m.load_weights() did: loaded, missing (in the model, not the file), unexpected (in the file, not the model) and mismatched (same name, other shape) names.",
        properties: [
            DSLProperty("loaded", doc: "Model names that received values, in model order.") { value in
                names(try receiver(value).report.loaded)
            },
            DSLProperty("missing", doc: "Model names the file lacks (kept as they were).") { value in names(try receiver(value).report.missing) },
            DSLProperty("unexpected", doc: "File names (after rename) the model lacks (ignored).") { value in
                names(try receiver(value).report.unexpected)
            },
            DSLProperty("mismatched", doc: "(name, model shape, file shape) for tensors whose shapes differ (kept as they were).") { value in
                .list(
                    try receiver(value).report.mismatched.map {
                        .tuple([.string($0.name), .tuple($0.model.map { .int($0) }), .tuple($0.file.map { .int($0) })])
                    })
            },
        ])

    private static func names(_ list: [String]) -> Value { .list(list.map { .string($0) }) }

    private static func receiver(_ value: Value) throws -> LoadReportObject {
        guard case .object(let object) = value, let report = object as? LoadReportObject else {
            throw DSLError(.type, "expected a LoadReport, not \(value.typeName)")
        }
        return report
    }

    var dslType: DSLType { LoadReportObject.type }

    var description: String {
        let total = report.loaded.count + report.missing.count + report.mismatched.count
        var table = TextTable(header: ["", "count", "names"])
        table.append(["loaded", "\(report.loaded.count)", LoadReportObject.shortList(report.loaded)])
        table.append(["missing", "\(report.missing.count)", LoadReportObject.shortList(report.missing)])
        table.append(["unexpected", "\(report.unexpected.count)", LoadReportObject.shortList(report.unexpected)])
        table.append([
            "mismatched", "\(report.mismatched.count)",
            LoadReportObject.shortList(report.mismatched.map { "\($0.name) (model \(shapeString($0.model)), file \(shapeString($0.file)))" }),
        ])
        return "LoadReport: \(report.loaded.count) of \(total) model tensors loaded from \(TerminalText.escaped(path))\n" + table.render()
    }

    var summary: String {
        "<LoadReport: \(report.loaded.count) loaded, \(report.missing.count) missing, \(report.unexpected.count) unexpected, \(report.mismatched.count) mismatched>"
    }

    /// The first three names and how many more, so a row stays one line.
    private static func shortList(_ names: [String]) -> String {
        let shown = names.prefix(3).map(TerminalText.escaped).joined(separator: ", ")
        return names.count > 3 ? shown + ", … (\(names.count - 3) more)" : shown
    }
}
