import Foundation

/// A grid search for TensorBoard's HParams dashboard (`grid_search(..., tensorboard="runs/search")`): each trial is
/// a run of its own, `<directory>/trial-03-lr=0.1,wd=0.0005`, holding the trial's hyper-parameters (session start),
/// the metrics it returned as scalars and whether it succeeded (session end); training inside the trial writes its
/// curves there too. `finish` writes the experiment (every parameter's values and the metric tags) in `directory`
/// itself, as `hp.hparams_config` does, so the dashboard shows the runs side by side.
public final class GridSearchBoard {
    /// The directory holding the trials' runs.
    public let directory: String
    private let grid: [String: [HyperParameter]]
    /// The event file in `directory` that receives the experiment.
    private let experiment: TensorBoardEventFile
    private var trial: TensorBoardEventFile?
    private var metricNames: [String] = []

    /// A board for a search over `grid` in `directory`, created now (so an unwritable directory stops the search
    /// before its first trial).
    public init(directory: String, grid: [String: [HyperParameter]]) throws {
        self.directory = directory
        self.grid = grid
        experiment = try TensorBoardEventFile(directory: directory)
    }

    /// Starts trial `number` of `total` (counting from 1) with `parameters`: creates its run directory, writes the
    /// session start there and returns the directory.
    public func startTrial(number: Int, of total: Int, parameters: [String: HyperParameter]) throws -> String {
        let name = Self.runName(number: number, of: total, parameters: parameters)
        let run = (directory as NSString).appendingPathComponent(name)
        let file = try TensorBoardEventFile(directory: run)
        file.hparamsSessionStart(parameters, group: name)
        try file.flush()
        trial = file
        return run
    }

    /// Ends the running trial: its metrics as scalars (step 0, tagged by name) and its status.
    public func endTrial(metrics: [String: Double], succeeded: Bool) throws {
        guard let file = trial else { return }
        trial = nil
        for name in metrics.keys.sorted() {
            guard let value = metrics[name] else { continue }
            file.scalar(name, value, step: 0)
            if !metricNames.contains(name) { metricNames.append(name) }
        }
        file.hparamsSessionEnd(succeeded: succeeded)
        try file.flush()
    }

    /// Writes the experiment in `directory`: every parameter with the values of the grid, and the metrics any
    /// trial reported.
    public func finish() throws {
        experiment.hparamsExperiment(grid.keys.sorted().map { ($0, grid[$0] ?? []) }, metrics: metricNames)
        try experiment.flush()
    }

    /// `trial-03-lr=0.1,wd=0.0005`: the number padded to the width of `total` (at least two digits) so runs sort in
    /// order, then the parameters; characters a file name cannot hold (or that a shell or TensorBoard's run filter
    /// would trip on) become `_`, and the name stays within 200 bytes.
    static func runName(number: Int, of total: Int, parameters: [String: HyperParameter]) -> String {
        let width = max(2, String(total).count)
        let digits = String(number)
        let prefix = "trial-" + String(repeating: "0", count: max(0, width - digits.count)) + digits
        let text = parameters.keys.sorted().map { "\($0)=\(parameters[$0]?.description ?? "")" }.joined(separator: ",")
        let safe = String(
            String.UnicodeScalarView(
                text.unicodeScalars.map { scalar in
                    scalar.properties.isAlphabetic || scalar.properties.numericType != nil || "=,.+-_".unicodeScalars.contains(scalar)
                        ? scalar : "_"
                }))
        var name = safe.isEmpty ? prefix : prefix + "-" + safe
        while name.utf8.count > 200 { name.removeLast() }
        return name
    }
}
