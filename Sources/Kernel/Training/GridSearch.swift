import Foundation

/// One hyper-parameter value of a grid search.
public enum HyperParameter: Hashable, Codable, CustomStringConvertible {
    /// A whole number (epochs, batch size).
    case int(Int)
    /// A real number (learning rate, weight decay).
    case double(Double)
    /// A name (optimizer, schedule).
    case string(String)
    /// A switch.
    case bool(Bool)

    /// The value as written in tables: `3`, `0.001`, `adam`, `true`.
    public var description: String {
        switch self {
        case let .int(v): return String(v)
        case let .double(v): return "\(v)"
        case let .string(v): return v
        case let .bool(v): return v ? "true" : "false"
        }
    }

    /// The number, for `int` and `double`.
    public var number: Double? {
        switch self {
        case let .int(v): return Double(v)
        case let .double(v): return v
        default: return nil
        }
    }
}

/// The outcome of one combination.
public struct GridSearchTrial {
    /// The combination tried.
    public var parameters: [String: HyperParameter]
    /// What the user function reported (empty when it failed).
    public var metrics: [String: Double]
    /// The error message, when the trial failed.
    public var error: String?
    /// Wall-clock seconds the trial took.
    public var seconds: Double
}

/// All trials of a grid search, best first.
public struct GridSearchResult {
    /// Parameter names, in column order (sorted).
    public let parameterNames: [String]
    /// The metric trials are sorted by.
    public let sortMetric: String
    /// Whether larger values of `sortMetric` are better.
    public let higherIsBetter: Bool
    /// Trials sorted best first; failed trials and trials without the metric come last, in run order.
    public let trials: [GridSearchTrial]
    /// Whether the search was interrupted before every combination ran.
    public let interrupted: Bool

    /// The best trial, if any succeeded.
    public var best: GridSearchTrial? {
        trials.first { $0.error == nil && $0.metrics[sortMetric].map { !$0.isNaN } == true }
    }

    /// One row per trial: parameters, metrics, time (and the error of failed trials).
    public func table() -> String {
        let metricNames = [sortMetric] + Set(trials.flatMap(\.metrics.keys)).subtracting([sortMetric]).sorted()
        var table = TextTable(header: parameterNames + metricNames + ["time", "error"])
        for trial in trials {
            let parameters = parameterNames.map { trial.parameters[$0]?.description ?? "" }
            let metrics = metricNames.map { trial.metrics[$0].map(TextTable.number) ?? "" }
            table.append(parameters + metrics + [TextTable.duration(trial.seconds), trial.error ?? ""])
        }
        return table.render()
    }
}

/// Runs `trial` on every combination of `grid` (parameter names in sorted order, the last varying fastest) and
/// returns the results sorted by `metric`. A failing trial is recorded with its error and the search goes on;
/// an interrupt stops it between trials (pass the same check to `fit` inside `trial` to stop within one).
public func gridSearch(
    _ grid: [String: [HyperParameter]], sortBy metric: String, higherIsBetter: Bool = true,
    interrupt: InterruptCheck? = nil,
    trial: ([String: HyperParameter]) throws -> [String: Double]
) throws -> GridSearchResult {
    let names = grid.keys.sorted()
    for name in names where grid[name]?.isEmpty ?? true {
        throw KernelError.invalidArgument(op: "grid_search", message: "parameter '\(name)' has no values to try")
    }
    var combinations: [[String: HyperParameter]] = [[:]]
    for name in names {
        combinations = combinations.flatMap { partial in
            (grid[name] ?? []).map { value in partial.merging([name: value]) { _, new in new } }
        }
    }
    var trials: [GridSearchTrial] = []
    var interrupted = false
    for parameters in combinations {
        if interrupt?() == true {
            interrupted = true
            break
        }
        let clock = Stopwatch()
        do {
            let metrics = try trial(parameters)
            trials.append(GridSearchTrial(parameters: parameters, metrics: metrics, error: nil, seconds: clock.seconds))
        } catch {
            trials.append(GridSearchTrial(parameters: parameters, metrics: [:], error: "\(error)", seconds: clock.seconds))
        }
    }
    let ranked = trials.enumerated().sorted { a, b in
        let x = a.element.error == nil ? a.element.metrics[metric].flatMap { $0.isNaN ? nil : $0 } : nil
        let y = b.element.error == nil ? b.element.metrics[metric].flatMap { $0.isNaN ? nil : $0 } : nil
        switch (x, y) {
        case let (x?, y?) where x != y: return higherIsBetter ? x > y : x < y
        case (_?, nil): return true
        case (nil, _?): return false
        default: return a.offset < b.offset
        }
    }.map(\.element)
    return GridSearchResult(parameterNames: names, sortMetric: metric, higherIsBetter: higherIsBetter, trials: ranked, interrupted: interrupted)
}
