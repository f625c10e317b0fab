/// Line charts stacked top to bottom in one picture, each with its own y axis: a loss above the metrics, a
/// learning rate above the momentum (as fastai draws them), where one axis would flatten the smaller values.
///
/// ```swift
/// let chart = ChartPanels(panels: [LineChart(series: [loss], title: "loss"), LineChart(series: [accuracy])])
/// ```
public struct ChartPanels: Chart, Equatable {
    /// The charts, top first.
    public var panels: [LineChart]
    /// Text above the whole stack, drawn once over all panels.
    public var heading: String?
    /// Whether every panel spans the same x range, that of all their points (matplotlib's `sharex`): a loss at every
    /// step above an accuracy at each epoch's last step would otherwise start at different x.
    public var sharesX: Bool

    /// Stacked `panels`, top first, optionally under one `heading`, optionally on one x range.
    public init(panels: [LineChart], heading: String? = nil, sharesX: Bool = false) {
        self.panels = panels
        self.heading = heading
        self.sharesX = sharesX
    }

    /// The heading, or else the top panel's title.
    public var title: String? { heading ?? panels.first?.title }

    /// A gnuplot multiplot with one panel a row; `reset` between panels, so one panel's settings (log axes,
    /// markers) never leak into the next.
    public func script() throws -> GnuplotScript {
        try script(room: nil) { try $0.script() }
    }

    /// The program for a character chart `columns` wide: every panel's text, and the title, shortened to fit.
    public func textScript(columns: Int) throws -> GnuplotScript {
        let room = TextRoom(columns: columns)
        return try script(room: room) { try $0.textScript(columns: columns) }
    }

    private func script(room: TextRoom?, panelScript: (LineChart) throws -> GnuplotScript) throws -> GnuplotScript {
        guard !panels.isEmpty else { throw PlotError.invalidChart("nothing to draw: no panels") }
        var script = GnuplotScript()
        var layout = "set multiplot layout \(panels.count),1"
        if let heading, !GnuplotText.sanitized(heading).allSatisfy({ $0 == " " }) {
            layout += " title \(GnuplotText.quoted(TextRoom.fit(heading, room) { $0.line })) noenhanced"
        }
        script.command(layout)
        let xRange = try sharedXRange()
        for (index, panel) in panels.enumerated() {
            if index > 0 {
                script.command("reset")
                script.command("set encoding utf8")
            }
            if let xRange { script.command(xRange) }
            Self.append(try panelScript(panel), to: &script)
        }
        script.command("unset multiplot")
        return script
    }

    /// `set xrange [low:high]` over every point of every panel when the panels share x (and there is a range).
    private func sharedXRange() throws -> String? {
        guard sharesX else { return nil }
        let logX = panels.contains { $0.logX }
        let xs = panels.flatMap { panel in
            panel.series.flatMap { line in zip(line.x, line.y).filter { $0.isFinite && $1.isFinite && (!logX || $0 > 0) }.map(\.0) }
        }
        guard let low = xs.min(), let high = xs.max(), low < high else { return nil }
        return "set xrange [\(try GnuplotText.number(low, "x")):\(try GnuplotText.number(high, "x"))]"
    }

    /// Appends `part`'s steps to `script`. Datablocks get the next free names of `script`, so the references
    /// to them in `part`'s commands are renamed (outside quoted text, which is the user's).
    private static func append(_ part: GnuplotScript, to script: inout GnuplotScript) {
        var renamed: [String: String] = [:]
        for step in part.steps {
            switch step {
            case .dataBlock(let name, let columns, let values):
                renamed["$" + name] = script.dataBlock(columns: columns, values: values)
            case .command(let line):
                script.command(renamingBlocks(in: line, renamed))
            }
        }
    }

    /// `line` with every datablock reference `$name` outside single-quoted strings replaced by its new name.
    /// gnuplot writes a quote inside a single-quoted string as `''`, which toggles the state twice and so keeps it.
    static func renamingBlocks(in line: String, _ renamed: [String: String]) -> String {
        guard !renamed.isEmpty else { return line }
        var result = ""
        var quoted = false
        var index = line.startIndex
        while index < line.endIndex {
            let character = line[index]
            if character == "'" { quoted.toggle() }
            if !quoted, character == "$" {
                var end = line.index(after: index)
                while end < line.endIndex, line[end].isLetter || line[end].isNumber || line[end] == "_" { end = line.index(after: end) }
                let reference = String(line[index..<end])
                result += renamed[reference] ?? reference
                index = end
                continue
            }
            result.append(character)
            index = line.index(after: index)
        }
        return result
    }
}
