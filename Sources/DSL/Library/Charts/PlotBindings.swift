import Basics
import Kernel
import Plot

/// The chart builtins: `plot`, `hist`, `confusion`, `images`, `savefig`, `show` and `live_plot`. Each chart builtin returns a
/// `Chart` drawn at once (so errors surface at the call) and shown as the value of an expression statement.
enum PlotBindings {
    static let group = BuiltinGroup(
        title: "Charts",
        functions: [
            BuiltinFunction(
                "plot",
                [
                    .required("data"), .optional("y", .none), .keywordOnly("labels", .none), .keywordOnly("title", .none),
                    .keywordOnly("xlabel", .none), .keywordOnly("ylabel", .none), .keywordOnly("logx", .none),
                    .keywordOnly("logy", false), .keywordOnly("steps", .none), .keywordOnly("per", "step"),
                ],
                doc: """
                    A line chart of numbers or of a training result.
                    plot(ys), plot(xs, ys), plot([ys1, ys2], labels=['a', 'b']), plot({'a': ys1, 'b': ys2}): lists or tensors (rows of a 2-D tensor are series).
                    plot(history, per='step'|'epoch', logy=True): training and validation loss, metrics below.
                    plot(lr_find_result): loss against learning rate on a log axis, suggestions marked.
                    plot(schedule, steps=n): learning rate (and momentum) over n steps.
                    """, plot),
            BuiltinFunction(
                "hist",
                [
                    .required("values"), .optional("bins", 30), .keywordOnly("title", .none), .keywordOnly("xlabel", .none),
                    .keywordOnly("ylabel", "count"),
                ],
                doc: "A histogram of the values of a tensor (any shape) or a list, in equal-width bins, e.g. hist(model.fc.weight, bins=50)."
            ) { args in
                let values = try histogramValues(try args.value("values"), args)
                let chart = Histogram(
                    values: values, binCount: try args.int("bins"), title: try args.optionalString("title"),
                    xLabel: try args.optionalString("xlabel"), yLabel: try args.optionalString("ylabel"))
                return .object(try args.interpreter.extensionState(ChartContext.self).present(chart, kind: .histogram))
            },
            BuiltinFunction(
                "confusion",
                [
                    .required("source"), .keywordOnly("labels", .none), .keywordOnly("normalize", false),
                    .keywordOnly("title", .none),
                ],
                doc: """
                    A confusion matrix as a heat map with the count in every cell: actual classes down, predicted across.
                    confusion(interp) for the result of interpret(); confusion(matrix, labels=[...]) for a square list of lists or 2-D tensor of counts.
                    normalize=True shows each actual class's fractions instead.
                    """, confusion),
            BuiltinFunction(
                "images",
                [
                    .required("source"), .optional("n", 16), .keywordOnly("labels", .none), .keywordOnly("classes", .none),
                    .keywordOnly("columns", .none), .keywordOnly("title", .none),
                ],
                doc: """
                    A grid of the first n images with their labels.
                    images(batch_tensor, labels=ys, classes=names), images((xs, ys)), images(dataset), images(interp) for the highest-loss samples captioned actual/predicted/probability.
                    Tensors are [N, C, H, W] (C = 1 or 3), or one [C, H, W] or [H, W] image.
                    """, images),
            BuiltinFunction(
                "savefig", [.required("path"), .optional("chart", .none), .keywordOnly("width", .none), .keywordOnly("height", .none)],
                doc: "Save the last chart drawn (or the given one) as PNG or SVG, chosen by the file's extension, e.g. savefig('loss.png')."
            ) { args in
                let context = args.interpreter.extensionState(ChartContext.self)
                let chart: ChartObject
                if try args.isNone("chart") {
                    guard let last = context.lastChart else {
                        throw DSLError(.value, "savefig(): no chart has been drawn yet; make one with plot(), hist(), confusion() or images()")
                    }
                    chart = last
                } else {
                    chart = try args.object("chart", as: ChartObject.self, expected: "a Chart")
                }
                try context.save(chart, to: try args.string("path"), width: try args.pixels("width"), height: try args.pixels("height"))
                return .none
            },
            BuiltinFunction(
                "show", [.optional("chart", .none)],
                doc: "Draw a chart now (the last one when none is given), e.g. inside a loop, where values are not shown."
            ) { args in
                let context = args.interpreter.extensionState(ChartContext.self)
                let chart: ChartObject
                if try args.isNone("chart") {
                    guard let last = context.lastChart else {
                        throw DSLError(.value, "show(): no chart has been drawn yet; make one with plot(), hist(), confusion() or images()")
                    }
                    chart = last
                } else {
                    chart = try args.object("chart", as: ChartObject.self, expected: "a Chart")
                }
                args.interpreter.write(chart.repr + "\n")
                return .none
            },
            LivePlotObject.function,
        ])

    /// The types of chart values, for the library's type list.
    static let types = [ChartObject.type, LivePlotObject.type]

    // MARK: - plot

    private static func plot(_ args: Arguments) throws -> Value {
        let data = try args.value("data")
        let labels = ChartLabels(
            title: try args.optionalString("title"), xLabel: try args.optionalString("xlabel"),
            yLabel: try args.optionalString("ylabel"))
        let logY = try args.bool("logy")
        let chart: Chart
        if case .object(let object) = data, let source = object as? HistoryChartSource {
            try onlyApplicable(["per", "logy"], to: data, args)
            let per = try args.string("per")
            guard let axis = ChartBuilders.HistoryAxis(rawValue: per) else {
                throw args.valueError("per", "must be 'step' or 'epoch', got \(Value.quote(per))")
            }
            chart = try ChartBuilders.history(source.chartHistory, per: axis, logY: logY, labels: labels)
        } else if case .object(let object) = data, let source = object as? LRFinderChartSource {
            try onlyApplicable(["logx", "logy"], to: data, args)
            let logX = try args.isNone("logx") ? true : try args.bool("logx")
            chart = try ChartBuilders.lrFinder(source.chartLRFinderResult, logX: logX, logY: logY, labels: labels)
        } else if case .object(let object) = data, let source = object as? ScheduleChartSource {
            try onlyApplicable(["steps", "logy"], to: data, args)
            let steps = try args.optionalInt("steps")
            if let steps, !(1...ChartBuilders.maximumScheduleSteps).contains(steps) {
                throw args.valueError("steps", "must be between 1 and \(ChartBuilders.maximumScheduleSteps), got \(steps)")
            }
            chart = try ChartBuilders.schedule(try source.chartScheduleValues(steps: steps), logY: logY, labels: labels)
        } else {
            try onlyApplicable(["y", "labels", "logx", "logy"], to: data, args)
            chart = try lines(data, args, logY: logY, labels: labels)
        }
        return .object(try args.interpreter.extensionState(ChartContext.self).present(chart, kind: .line))
    }

    /// Rejects the options of `plot` that mean nothing for `data`'s kind (title and axis labels always apply).
    private static func onlyApplicable(_ names: Set<String>, to data: Value, _ args: Arguments) throws {
        let optional = ["y", "labels", "logx", "logy", "steps", "per"]
        for name in optional where !names.contains(name) {
            guard try args.wasGiven(name) else { continue }
            let kind: String
            switch data {
            case .object: kind = ("AEIOU".contains(data.typeName.prefix(1)) ? "an " : "a ") + data.typeName
            default: kind = "a list or tensor"
            }
            throw args.valueError(name, "does not apply to \(kind); it takes: \(optional.filter(names.contains).joined(separator: ", "))")
        }
    }

    /// Series from plain numbers: `plot(ys)`, `plot(xs, ys)`, `plot([ys1, ys2])`, `plot(xs, [ys1, ys2])`, dicts.
    private static func lines(_ data: Value, _ args: Arguments, logY: Bool, labels: ChartLabels) throws -> LineChart {
        var series: [(name: String, values: [Double])]
        var xs: [Double]?
        if try args.isNone("y") {
            series = try ChartValues.series(data, args, "data")
        } else {
            xs = try ChartValues.numbers(data, args, "data")
            series = try ChartValues.series(try args.value("y"), args, "y")
        }
        if !(try args.isNone("labels")) {
            let names = try ChartValues.strings(try args.value("labels"), args, "labels")
            guard names.count == series.count else {
                throw args.valueError("labels", "has \(Plural.count(names.count, "name")) for \(series.count) series")
            }
            for index in series.indices { series[index].name = names[index] }
        } else if series.count > 1 {
            for index in series.indices where series[index].name.isEmpty { series[index].name = "series \(index + 1)" }
        }
        let lines = try series.map { line -> Series in
            guard let xs else { return Series(name: line.name, y: line.values) }
            guard xs.count == line.values.count else {
                throw DSLError(
                    .value,
                    "plot(): \(xs.count) x values but \(line.values.count) y values"
                        + (line.name.isEmpty ? "" : " in series \(Value.quote(line.name))"))
            }
            return Series(name: line.name, x: xs, y: line.values)
        }
        let logX = try args.isNone("logx") ? false : try args.bool("logx")
        return LineChart(series: lines, title: labels.title, xLabel: labels.xLabel, yLabel: labels.yLabel, logX: logX, logY: logY)
    }

    // MARK: - hist

    /// Every value of a tensor (any shape) or a list of numbers.
    private static func histogramValues(_ value: Value, _ args: Arguments) throws -> [Double] {
        if let tensor = ChartValues.tensor(value) {
            try ChartValues.checkSize(tensor.count, args, "values")
            return tensor.data.map(Double.init)
        }
        return try ChartValues.numbers(value, args, "values")
    }

    // MARK: - confusion

    private static func confusion(_ args: Arguments) throws -> Value {
        let source = try args.value("source")
        let labels = ChartLabels(title: try args.optionalString("title"))
        let normalized = try args.bool("normalize")
        let chart: HeatMap
        if case .object(let object) = source, let interpretation = object as? InterpretationChartSource {
            guard try args.isNone("labels") else {
                throw args.valueError("labels", "does not apply to \(source.typeName): its class names are used")
            }
            let analysis = interpretation.chartInterpretation
            chart = ChartBuilders.confusion(
                analysis.confusion.map { $0.map(Double.init) }, classNames: analysis.classNames,
                normalized: normalized, labels: labels)
        } else {
            // A square matrix of n rows has n * n cells: refused before its rows are read.
            if let tensor = ChartValues.tensor(source), tensor.rank == 2 {
                let (cells, overflow) = tensor.shape[0].multipliedReportingOverflow(by: tensor.shape[0])
                try ChartValues.checkSize(overflow ? .max : cells, args, "source", unit: "cells")
            }
            let rows = try ChartValues.series(source, args, "source").map(\.values)
            guard rows.allSatisfy({ $0.count == rows.count }) else {
                throw args.valueError(
                    "source",
                    "must be a square matrix (one row and one column per class), got \(rows.count) rows of lengths \(Set(rows.map(\.count)).sorted())"
                )
            }
            let names =
                try args.isNone("labels") ? (0..<rows.count).map(String.init) : try ChartValues.strings(try args.value("labels"), args, "labels")
            guard names.count == rows.count else {
                throw args.valueError("labels", "has \(Plural.count(names.count, "class name")) for a \(rows.count)×\(rows.count) matrix")
            }
            chart = ChartBuilders.confusion(rows, classNames: names, normalized: normalized, labels: labels)
        }
        return .object(try args.interpreter.extensionState(ChartContext.self).present(chart, kind: .heatmap))
    }

    // MARK: - images

    private static func images(_ args: Arguments) throws -> Value {
        let source = try args.value("source")
        let count = try args.int("n")
        guard (1...ChartImages.maximumCount).contains(count) else {
            throw args.valueError("n", "must be between 1 and \(ChartImages.maximumCount), got \(count)")
        }
        let columns = try args.optionalInt("columns")
        if let columns, columns < 1 { throw args.valueError("columns", "must be at least 1, got \(columns)") }
        var title = try args.optionalString("title")
        let pictures: [GridImage]
        if case .object(let object) = source, let interpretation = object as? InterpretationChartSource {
            try rejectLabels(for: source, args)
            guard let samples = interpretation.chartInterpretedSamples else {
                throw DSLError(.value, "images(): this \(source.typeName) does not keep its images; show the data with images(data) instead")
            }
            pictures = try ChartBuilders.topLosses(interpretation.chartInterpretation, samples: samples, count: count)
            title = title ?? "top losses (actual/predicted/probability)"
        } else if case .object(let object) = source, let data = object as? ImagesChartSource {
            try rejectLabels(for: source, args)
            let samples = try data.chartImages(count: count)
            let names = samples.labels.map { $0 >= 0 && $0 < samples.classNames.count ? samples.classNames[$0] : String($0) }
            pictures = try ChartImages.pictures(samples.images, captions: names, count: count)
        } else {
            var batch = source
            var labels: Value? = try args.isNone("labels") ? nil : try args.value("labels")
            let parts = (try? source.elements()) ?? []
            if ChartValues.tensor(source) == nil, parts.count == 2, ChartValues.tensor(parts[0]) != nil {
                guard labels == nil else {
                    throw args.valueError("labels", "was given twice: the source is already an (images, labels) pair")
                }
                batch = parts[0]
                labels = parts[1]
            }
            guard let tensor = ChartValues.tensor(batch) else {
                throw args.typeError("source", expected: "an image tensor, an (images, labels) pair, a data set or an interpretation", found: source)
            }
            let captions = try labels.map { try self.captions($0, args) }
            pictures = try ChartImages.pictures(tensor, captions: captions, count: count)
        }
        let grid = ImageGrid(images: pictures, columns: columns, title: title)
        return .object(try args.interpreter.extensionState(ChartContext.self).present(grid, kind: .images))
    }

    private static func rejectLabels(for source: Value, _ args: Arguments) throws {
        for name in ["labels", "classes"] where !(try args.isNone(name)) {
            throw args.valueError(name, "does not apply to \(source.typeName): it names its classes itself")
        }
    }

    /// Captions from labels: strings as they are; class indices as the names in `classes` (or as numbers).
    private static func captions(_ labels: Value, _ args: Arguments) throws -> [String] {
        let names = try args.isNone("classes") ? nil : try ChartValues.strings(try args.value("classes"), args, "classes")
        let elements: [Value]
        if let tensor = ChartValues.tensor(labels) {
            elements = tensor.data.map { .float(Double($0)) }
        } else {
            guard ChartValues.isSequence(labels) else { throw args.typeError("labels", expected: "a list or tensor of labels", found: labels) }
            elements = try labels.elements()
        }
        return try elements.map { element in
            if case .string(let text) = element { return text }
            guard let number = element.numericValue, let index = Int(exactly: number) else {
                throw args.typeError("labels", expected: "class indices or strings", found: element)
            }
            guard let names else { return String(index) }
            guard names.indices.contains(index) else {
                throw args.valueError("labels", "holds class \(index), but classes has \(names.count) names")
            }
            return names[index]
        }
    }
}
