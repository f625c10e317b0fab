import ArgumentParser
import DSL
import Foundation

/// The `rnx` command: the REPL by default, plus `run`, `walk` and `check` for `.rnx` notebooks.
@main
struct Rnx: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rnx",
        abstract: "Define, train and chart ResNets in a Python-like language: a notebook-style REPL and script runner.",
        discussion: """
            .rnx files are notebooks in Jupytext percent format: cells separated by '# %%' lines, markdown cells \
            marked '# %% [markdown]' with every line commented ('# ').

            Without a subcommand rnx starts the REPL (type :help there); with piped input it runs the input, stopping \
            at the first error; 'rnx exp.rnx' runs a notebook as 'rnx run exp.rnx' does.
            """,
        version: rnxVersion,
        subcommands: [
            ReplCommandLine.self, RunCommandLine.self, WalkCommandLine.self, CheckCommandLine.self, ConvertCommandLine.self, KernelCommandLine.self,
        ],
        defaultSubcommand: ReplCommandLine.self
    )

    static func main() {
        ProcessSetup.prepareForTraining()
        main(nil)
    }
}

/// `rnx` / `rnx repl`: the interactive REPL, or the piped-input runner when stdin is not a terminal.
struct ReplCommandLine: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "repl",
        abstract: "Start the REPL (the default). With piped input: run it, no prompts, exit status 1 after any error.",
        discussion: "History is kept in ~/.rnx_history (or $RNX_HISTORY); a multi-line block is one entry, recalled whole by up-arrow.")

    @Option(name: .customLong("load"), help: ArgumentHelp("Load a notebook's cells first (then :cells, :next).", valueName: "file.rnx"))
    var notebook: String?

    @Argument(
        parsing: .captureForPassthrough,
        help: ArgumentHelp("A notebook to run instead, as 'rnx run file.rnx [options]' does (like 'python exp.py').", valueName: "file.rnx"))
    var script: [String] = []

    func run() throws {
        if !script.isEmpty {
            let run = try RunCommandLine.parse(script)
            return try run.run()
        }
        // Piped input gets plain output: no prompts and no escape codes, even when stdout is a terminal.
        let context = try CommandContext(plain: isatty(STDIN_FILENO) != 1)
        if let notebook { try context.reporting { try context.session.load(notebook) } }
        if isatty(STDIN_FILENO) == 1 {
            context.loop.runInteractive()
        } else {
            let status = context.loop.runPiped()
            if status != 0 { throw ExitCode(status) }
        }
    }
}

/// `rnx run exp.rnx`: runs a notebook's code cells in order and stops at the first error.
struct RunCommandLine: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a notebook's code cells in order; exit status 1 at the first error (reported as file:line:col).",
        discussion: """
            --set pins a global before the script runs: the script's own top-level 'epochs = 8' (also inside \
            top-level if/for/while blocks) still evaluates its right-hand side but keeps the --set value; \
            'epochs += 1', loop variables and functions assigning a 'global' still change it. A name the script \
            never assigns is defined all the same (like papermill parameters, so one --set list fits many \
            scripts); when the script does not mention the name at all, rnx warns (with a "did you mean").
            """)

    @Argument(help: ArgumentHelp("The notebook to run.", valueName: "file.rnx"))
    var file: String

    @Option(help: ArgumentHelp("Only these cells, numbered from 1 as ':cells' shows them: 3, 2-4, 1,3 or all.", valueName: "cells"))
    var cells: String?

    @Option(
        name: .customLong("set"),
        help: ArgumentHelp(
            "Pin a global before the script runs, e.g. --set lr=0.05 (repeatable). The script's own top-level 'lr = ...' does not override it. Values are rnx expressions: quote strings (--set 'name=\"a\"').",
            valueName: "name=value"))
    var overrides: [String] = []

    @Option(help: ArgumentHelp("Also save every chart into this directory.", valueName: "dir"))
    var charts: String?

    @Option(help: ArgumentHelp("Append training metrics as JSON lines to this file.", valueName: "run.jsonl"))
    var log: String?

    @Option(
        name: .customLong("to"),
        help: ArgumentHelp(
            "Also write the executed notebook: .ipynb (nbformat 4.5, outputs and charts embedded) or .html (one self-contained page). Written up to the failing cell when one fails, or the cell Ctrl-C stopped.",
            valueName: "out.ipynb"))
    var output: String?

    @Option(help: ArgumentHelp("Write TensorBoard event files of every fit into this directory (fit's tensorboard= default).", valueName: "dir"))
    var tensorboard: String?

    @Option(
        help: ArgumentHelp(
            "Train data-parallel on this many processes: runs the script under mpirun -np N (Open MPI); fit shards the data and averages gradients, rank 0 prints.",
            valueName: "N"))
    var np: Int?

    func run() throws {
        if let np {
            guard np >= 1 else { throw ValidationError("--np must be at least 1, found \(np)") }
            if np > 1 && DistributedRun.size == 1 { try MPILauncher.run(ranks: np, arguments: rankArguments) }
        }
        if DistributedRun.size > 1 { TerminationNotice.install(rank: DistributedRun.rank, size: DistributedRun.size) }
        let context = try CommandContext()
        do {
            try context.reporting {
                try ScriptRunner(session: context.session).run(
                    file: file, cells: cells, overrides: overrides, charts: charts, log: log, output: output, tensorboard: tensorboard)
            }
        } catch let stop as ExitCode where stop.rawValue == ReplError.interruptedExitCode {
            // Ctrl-C reached every rank, and fit stops them all after the same batch: none waits for another.
            DistributedRun.finish()
            throw stop
        } catch {
            // The other ranks may be waiting for this one inside a collective call: end them all.
            TerminationNotice.remove()
            DistributedRun.abortIfStarted(code: 1)
            throw error
        }
        DistributedRun.finish()
    }

    /// This command line for each rank (without --np).
    private var rankArguments: [String] {
        var arguments = ["run", file]
        if let cells { arguments += ["--cells", cells] }
        for option in overrides { arguments += ["--set", option] }
        if let charts { arguments += ["--charts", charts] }
        if let log { arguments += ["--log", log] }
        if let output { arguments += ["--to", output] }
        if let tensorboard { arguments += ["--tensorboard", tensorboard] }
        return arguments
    }
}

/// `rnx walk lesson.rnx`: the teaching walkthrough.
struct WalkCommandLine: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "walk",
        abstract: "Walk through a lesson: markdown is rendered, each code cell is shown and runs on Enter.",
        discussion: "Keys: " + Walkthrough.choices + ". The REPL follows with the lesson's variables.")

    @Argument(help: ArgumentHelp("The lesson notebook.", valueName: "lesson.rnx"))
    var file: String

    func run() throws {
        let context = try CommandContext()
        try context.reporting { try context.session.load(file) }
        let walkthrough = Walkthrough(session: context.session, keys: KeyReader(), editor: .fromEnvironment())
        guard walkthrough.walk() == .repl else { return }
        if isatty(STDIN_FILENO) == 1 {
            context.loop.runInteractive(showBanner: false)
        } else {
            context.loop.runPiped()
        }
    }
}

/// `rnx check file.rnx`: syntax and name check without running.
struct CheckCommandLine: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check every code cell of notebooks without running them; exit status 1 when any has an error.",
        discussion: """
            Reports syntax errors, then (once every cell parses) each name that is used but never defined: \
            top-level code must define a name before using it (as when the cells run in order); code inside \
            a function may use any name the file defines. Every problem is listed as file:line:col.
            """)

    @Argument(help: ArgumentHelp("The notebooks to check.", valueName: "file.rnx"))
    var files: [String]

    @Option(
        name: .customLong("set"),
        help: ArgumentHelp(
            "A global 'rnx run --set' would pin, e.g. --set lr=0.05 (repeatable): the name counts as defined, and the value must be a valid rnx expression.",
            valueName: "name=value"))
    var overrides: [String] = []

    func run() throws {
        let context = try CommandContext()
        try context.reporting { try context.session.engine.setOverrides(overrides) }
        var failed = false
        for file in files {
            do {
                if try !NotebookChecker(console: context.session.console).check(file: file, settings: context.session.engine.overrideNames) {
                    failed = true
                }
            } catch {
                context.session.console.failure("\(error)")
                failed = true
            }
        }
        if failed { throw ExitCode.failure }
    }
}

/// `rnx convert in out`: between `.rnx` and `.ipynb` without running anything (or to a static `.html` page).
struct ConvertCommandLine: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "convert",
        abstract: "Convert a notebook between .rnx (Jupytext percent format) and .ipynb, or to .html, without running it.",
        discussion: """
            Markdown cells become '# %% [markdown]' cells with commented lines and back; outputs of an .ipynb are \
            dropped (run 'rnx run exp.rnx --to out.ipynb' to execute). Converting back and forth gives the same file.
            """)

    @Argument(help: ArgumentHelp("The notebook to read.", valueName: "in.rnx|in.ipynb"))
    var input: String

    @Argument(help: ArgumentHelp("The file to write.", valueName: "out.ipynb|out.rnx|out.html"))
    var output: String

    func run() throws {
        let context = try CommandContext()
        try context.reporting {
            _ = try NotebookDocument.Format(path: output, writing: true)
            let notebook = try NotebookDocument.read(input)
            try NotebookDocument.write(notebook, to: output, title: URL(fileURLWithPath: input).lastPathComponent)
        }
    }
}
