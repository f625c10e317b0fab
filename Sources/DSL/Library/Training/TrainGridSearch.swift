import Basics
import Foundation
import Kernel

/// `grid_search(grid, fn)`: calls `fn(**combination)` for every combination of the grid (through the Kernel's
/// `gridSearch`) and returns the trials sorted by a metric, best first.
///
/// `fn` returns a number (the column `score`), a dict {name: number}, or a History (its last epoch's metrics,
/// valid_loss and train_loss). The metric to sort by is `metric=`, or else the first entry of the first result;
/// lower is better for names containing "loss" or "error", higher otherwise, unless `higher_is_better=` says.
enum TrainGridSearch {
    static let parameters: [Parameter] = [
        .required("grid"), .required("fn"), .optional("metric", .none), .optional("higher_is_better", .none),
        .keywordOnly("quiet", false), .keywordOnly("tensorboard", .none),
    ]

    static let doc = """
        Call fn(name=value, ...) for every combination of grid ({name: [values]}) and return the trials best first.
        fn returns a number (column 'score'), a dict of numbers or a History; trials are sorted by metric (default: the first entry),
        lowest first for losses and errors unless higher_is_better says. A failing trial is recorded with its error; Ctrl-C stops after the current trial.
        tensorboard: a directory (default $RNX_TENSORBOARD_DIR, which `rnx run --tensorboard` sets) for TensorBoard's HParams dashboard: each trial is a run of its own,
        DIR/trial-03-lr=0.1,wd=0.0005, with its parameters, the metrics fn returned and its status, and every fit inside it writes its curves there.
        Example: grid_search({"lr": [0.01, 0.1], "wd": [0, 5e-4]}, train, tensorboard="runs/search"), then `tensorboard --logdir runs/search`.
        """

    /// The hidden metric the Kernel sorts by: the chosen metric, negated when lower is better.
    private static let sortKey = "_sort"

    static let type = DSLType(
        name: "GridSearchResult",
        doc: "What grid_search returns: the trials best first; prints as a table.",
        properties: [
            DSLProperty("best", doc: "The parameters of the best trial as a dict, or None if every trial failed.") { value in
                let search = try receiver(value)
                return try search.result.best.map { .dict(try search.parameterDict($0)) } ?? .none
            },
            DSLProperty("best_score", doc: "The sort metric of the best trial, or None.") { value in
                let search = try receiver(value)
                return search.result.best.flatMap { $0.metrics[search.metricName] }.map { .float($0) } ?? .none
            },
            DSLProperty("metric", doc: "The metric the trials are sorted by.") { .string(try receiver($0).metricName) },
            DSLProperty("trials", doc: "Every trial, best first, as a dict of its parameters, metrics, seconds and error.") { value in
                let search = try receiver(value)
                return .list(try search.result.trials.map { .dict(try search.trialDict($0)) })
            },
            DSLProperty("table", doc: "The trials as a Table.") { .object(try receiver($0).table) },
        ])

    static func run(_ args: Arguments) throws -> Value {
        let interpreter = args.interpreter
        let (grid, lookup) = try parseGrid(args)
        guard let fn = try args.optionalCallable("fn") else { throw args.typeError("fn", expected: "a function", found: .none) }
        var metricName = try args.optionalString("metric")
        var higherIsBetter = try args.isNone("higher_is_better") ? nil : try args.bool("higher_is_better")
        let quiet = try args.bool("quiet")
        let total = try combinationCount(grid)
        let state = interpreter.extensionState(TrainingState.self)
        // Only rank 0 writes TensorBoard events, as in fit.
        let board = try (args.optionalString("tensorboard") ?? ProcessInfo.processInfo.environment["RNX_TENSORBOARD_DIR"]).flatMap {
            DistributedRun.rank == 0 ? try GridSearchBoard(directory: $0, grid: grid) : nil
        }
        let outerTrialDirectory = state.tensorBoardTrialDirectory
        defer { state.tensorBoardTrialDirectory = outerTrialDirectory }
        let interruptsBefore = state.interruptedRuns
        var userStopped = false
        var metricOrder: [String] = []
        var number = 0

        let result = try Kernel.gridSearch(
            grid, sortBy: sortKey, higherIsBetter: true,
            interrupt: { userStopped || interpreter.interrupt.isRequested || state.interruptedRuns != interruptsBefore }
        ) { parameters in
            number += 1
            let arguments = parameters.keys.sorted().map { name in (name, parameters[name].flatMap { lookup[name]?[$0] } ?? .none) }
            let label = arguments.map { "\($0.0)=\($0.1.repr)" }.joined(separator: ", ")
            if let board { state.tensorBoardTrialDirectory = try board.startTrial(number: number, of: total, parameters: parameters) }
            let returned: Value
            do {
                returned = try interpreter.call(fn, [], keywords: arguments)
            } catch let error as DSLError {
                try board?.endTrial(metrics: [:], succeeded: false)
                if error.kind == .keyboardInterrupt { userStopped = true }
                if !quiet { interpreter.write("trial \(number)/\(total): \(label): \(error.kind.rawValue): \(error.message)\n") }
                throw TrialFailure(description: "\(error.kind.rawValue): \(error.message)")
            }
            let scores: [(name: String, value: Double)]
            do {
                scores = try self.scores(returned, metric: metricName)
            } catch {
                try board?.endTrial(metrics: [:], succeeded: false)
                throw error
            }
            try board?.endTrial(
                metrics: Dictionary(scores.map { ($0.name, $0.value) }, uniquingKeysWith: { first, _ in first }),
                succeeded: state.interruptedRuns == interruptsBefore)
            if metricName == nil { metricName = scores.first?.name }
            if higherIsBetter == nil, let name = metricName { higherIsBetter = !(name.contains("loss") || name.contains("error")) }
            for (name, _) in scores where !metricOrder.contains(name) { metricOrder.append(name) }
            var metrics = Dictionary(scores.map { ($0.name, $0.value) }, uniquingKeysWith: { first, _ in first })
            if let name = metricName, let value = metrics[name], !value.isNaN { metrics[sortKey] = higherIsBetter == false ? -value : value }
            if !quiet {
                let shown = scores.map { "\($0.name) \(String(format: "%.4f", $0.value))" }.joined(separator: ", ")
                interpreter.write("trial \(number)/\(total): \(label): \(shown)\n")
            }
            return metrics
        }
        try board?.finish()
        if userStopped || interpreter.interrupt.isRequested || state.interruptedRuns != interruptsBefore {
            if !quiet { interpreter.write("grid search interrupted after \(result.trials.count) of \(total) trials\n") }
            try interpreter.interrupt.settleEarlyStop()
        }
        let name = metricName ?? "score"
        return .object(
            GridSearchObject(
                result, lookup: lookup, metricName: name, higherIsBetter: higherIsBetter ?? true,
                metricOrder: [name] + metricOrder.filter { $0 != name }, interrupted: result.trials.count < total))
    }

    /// The error recorded for a failed trial: kind and message, without the source quote of a rendered error.
    private struct TrialFailure: Error, CustomStringConvertible {
        let description: String
    }

    /// How many combinations the grid has. The Kernel builds them all before the first trial (a dict of one value
    /// per parameter each), so a grid beyond the memory limit is refused first, and a product that overflows an
    /// int (10 parameters of 100 values) is refused rather than trapping.
    private static func combinationCount(_ grid: [String: [HyperParameter]]) throws -> Int {
        var total = 1
        for values in grid.values {
            let (product, overflow) = total.multipliedReportingOverflow(by: values.count)
            total = overflow ? .max : product
        }
        let sizes = grid.keys.sorted().map { "\(grid[$0]?.count ?? 0)" }.joined(separator: " × ")
        // A dictionary entry (a name, a value and hashing room) takes about four Values.
        try ContainerLimit.check(
            copies: total, of: 4 * grid.count, text: false,
            of: "grid_search(): the \(total == .max ? "more than \(Int.max)" : "\(total)") combinations (\(sizes))")
        return total
    }

    /// The grid as Kernel hyper-parameters, and the language value behind each.
    private static func parseGrid(_ args: Arguments) throws -> ([String: [HyperParameter]], [String: [HyperParameter: Value]]) {
        let value = try args.value("grid")
        guard case .dict(let dict) = value, dict.count > 0 else {
            throw args.typeError("grid", expected: "a non-empty dict {name: [values]}", found: value)
        }
        var grid: [String: [HyperParameter]] = [:]
        var lookup: [String: [HyperParameter: Value]] = [:]
        for entry in dict.entries {
            guard case .string(let name) = entry.key else {
                throw args.valueError("grid", "keys must be parameter names (str), got \(entry.key.repr)")
            }
            let values: [Value]
            switch entry.value {
            case .list, .tuple, .range: values = try entry.value.elements()
            default: values = [entry.value]
            }
            guard !values.isEmpty else { throw args.valueError("grid", "parameter '\(name)' has no values to try") }
            var parameters: [HyperParameter] = []
            var map: [HyperParameter: Value] = [:]
            for item in values {
                let parameter = hyperParameter(item, taken: map)
                parameters.append(parameter)
                map[parameter] = item
            }
            grid[name] = parameters
            lookup[name] = map
        }
        return (grid, lookup)
    }

    /// The dict {name: value} argument `name` as hyper-parameters (nil for None), e.g. fit's `hparams=`.
    static func hyperParameters(_ args: Arguments, _ name: String) throws -> [String: HyperParameter]? {
        let value = try args.value(name)
        if case .none = value { return nil }
        guard case .dict(let dict) = value else { throw args.typeError(name, expected: "a dict {name: value}", found: value) }
        var parameters: [String: HyperParameter] = [:]
        for entry in dict.entries {
            guard case .string(let key) = entry.key else { throw args.valueError(name, "keys must be parameter names (str), got \(entry.key.repr)") }
            parameters[key] = hyperParameter(entry.value, taken: [:])
        }
        return parameters
    }

    /// Numbers, strings and bools as themselves; other values (functions, optimizers) by their text, made unique.
    private static func hyperParameter(_ value: Value, taken: [HyperParameter: Value]) -> HyperParameter {
        switch value {
        case .bool(let flag): return .bool(flag)
        case .int(let number): return .int(number)
        case .float(let number): return .double(number)
        case .string(let text): return .string(text)
        default:
            var candidate = HyperParameter.string(value.description)
            var copy = 2
            while let other = taken[candidate], !(other == value) {
                candidate = .string("\(value.description) (\(copy))")
                copy += 1
            }
            return candidate
        }
    }

    /// What a trial returned, as named numbers in order.
    private static func scores(_ value: Value, metric: String?) throws -> [(name: String, value: Double)] {
        switch value {
        case .int(let number):
            return [(metric ?? "score", Double(number))]
        case .float(let number):
            return [(metric ?? "score", number)]
        case .dict(let dict):
            return try dict.entries.map { entry in
                guard case .string(let name) = entry.key, let number = entry.value.numericValue else {
                    throw DSLError(
                        .type,
                        "grid_search: fn must return a number, a dict {name: number} or a History; the dict has \(entry.key.repr): \(entry.value.repr)"
                    )
                }
                return (name, number)
            }
        case .object(let object as HistoryObject):
            let history = object.history
            guard let last = history.epochs.last else { return [] }
            return zip(history.metricNames, last.metrics).map { ($0, $1) } + (last.validLoss.map { [("valid_loss", $0)] } ?? []) + [
                ("train_loss", last.trainLoss)
            ]
        case .object(let object as TensorObject) where object.tensor.count == 1:
            return [(metric ?? "score", Double(try object.tensor.item()))]
        default:
            throw DSLError(.type, "grid_search: fn must return a number, a dict {name: number} or a History, not \(value.typeName)")
        }
    }

    private static func receiver(_ value: Value) throws -> GridSearchObject {
        guard case .object(let object) = value, let wrapped = object as? GridSearchObject else {
            throw DSLError(.type, "expected a GridSearchResult, not \(value.typeName)")
        }
        return wrapped
    }
}

/// The result of `grid_search` as a language value.
final class GridSearchObject: DSLObject {
    let result: GridSearchResult
    let lookup: [String: [HyperParameter: Value]]
    let metricName: String
    let higherIsBetter: Bool
    /// The metric columns, sort metric first.
    let metricOrder: [String]
    let interrupted: Bool

    init(
        _ result: GridSearchResult, lookup: [String: [HyperParameter: Value]], metricName: String, higherIsBetter: Bool,
        metricOrder: [String], interrupted: Bool
    ) {
        self.result = result
        self.lookup = lookup
        self.metricName = metricName
        self.higherIsBetter = higherIsBetter
        self.metricOrder = metricOrder
        self.interrupted = interrupted
    }

    var dslType: DSLType { TrainGridSearch.type }

    var description: String {
        let direction = higherIsBetter ? "higher is better" : "lower is better"
        var text = "grid search: \(Plural.count(result.trials.count, "trial")), sorted by \(metricName) (\(direction))"
        if interrupted { text += ", interrupted" }
        return text + "\n" + table.description
    }

    var summary: String { String(description.prefix { $0 != "\n" }) }

    func length() throws -> Int? { result.trials.count }

    func item(at index: Value) throws -> Value? {
        .dict(try trialDict(result.trials[try Operations.position(index, count: result.trials.count, typeName: "GridSearchResult")]))
    }

    /// The trials, best first, as dicts.
    func makeIterator() throws -> ValueIterator? {
        var position = 0
        return ValueIterator { [self] in
            guard position < result.trials.count else { return nil }
            defer { position += 1 }
            return .dict(try trialDict(result.trials[position]))
        }
    }

    /// One row per trial: parameters, metrics, time, error.
    var table: TableObject {
        let hasErrors = result.trials.contains { $0.error != nil }
        let columns = result.parameterNames + metricOrder + ["time"] + (hasErrors ? ["error"] : [])
        let rows = result.trials.map { trial -> [Value] in
            let parameters = result.parameterNames.map { name in trial.parameters[name].flatMap { lookup[name]?[$0] } ?? .none }
            let metrics = metricOrder.map { trial.metrics[$0].map { Value.float($0) } ?? .none }
            return parameters + metrics + [.string(TextTable.duration(trial.seconds))] + (hasErrors ? [trial.error.map { .string($0) } ?? .none] : [])
        }
        return TableObject(columns: columns, rows: rows)
    }

    func parameterDict(_ trial: GridSearchTrial) throws -> DictObject {
        try DictObject(result.parameterNames.map { name in (.string(name), trial.parameters[name].flatMap { lookup[name]?[$0] } ?? .none) })
    }

    func trialDict(_ trial: GridSearchTrial) throws -> DictObject {
        let dict = try parameterDict(trial)
        for name in metricOrder { if let value = trial.metrics[name] { try dict.set(.string(name), .float(value)) } }
        try dict.set("seconds", .float(trial.seconds))
        try dict.set("error", trial.error.map { .string($0) } ?? .none)
        return dict
    }
}
