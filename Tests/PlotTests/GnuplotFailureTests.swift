import Foundation
import XCTest
@testable import Plot

/// A missing, broken, hanging or killed gnuplot gives one clear error and never crashes rnx.
final class GnuplotFailureTests: XCTestCase {
    private func assertPlotError(
        _ expression: @autoclosure () throws -> Any, contains parts: [String],
        file: StaticString = #filePath, line: UInt = #line
    ) {
        XCTAssertThrowsError(try expression(), file: file, line: line) { error in
            XCTAssertTrue(error is PlotError, "\(error)", file: file, line: line)
            for part in parts {
                XCTAssertTrue("\(error)".contains(part), "'\(error)' lacks '\(part)'", file: file, line: line)
            }
        }
    }

    func testNonexistentExecutableTellsHowToInstall() {
        let session = GnuplotSession(executablePath: "/nonexistent/gnuplot")
        assertPlotError(
            try session.renderText(SampleCharts.histogram, width: 40, height: 10),
            contains: ["gnuplot is not installed", "'/nonexistent/gnuplot'", "apt-get install gnuplot-nox"])
        XCTAssertNil(session.processID)
    }

    func testEnvironmentVariableNamesTheExecutable() {
        let session = GnuplotSession(environment: ["RNX_GNUPLOT": "/nonexistent/gp", "PATH": "/usr/bin:/bin"])
        assertPlotError(
            try session.renderText(SampleCharts.histogram, width: 40, height: 10),
            contains: ["'/nonexistent/gp' from RNX_GNUPLOT", "apt-get install gnuplot-nox"])
    }

    func testGnuplotMissingFromPath() throws {
        let directory = try makeScratchDirectory(self)
        let session = GnuplotSession(environment: ["PATH": directory])
        assertPlotError(
            try session.render(SampleCharts.histogram, to: .png(width: 64, height: 64)),
            contains: ["gnuplot on PATH", "apt-get install gnuplot-nox"])
    }

    func testFileThatIsNotExecutableIsNotRun() throws {
        let directory = try makeScratchDirectory(self)
        let path = directory + "/gnuplot"
        try "echo hi".write(toFile: path, atomically: true, encoding: .utf8)
        assertPlotError(
            try GnuplotSession(executablePath: path).renderText(SampleCharts.histogram, width: 40, height: 10),
            contains: ["not installed or not executable"])
    }

    func testGnuplotThatExitsAtOnceIsReportedAsStopped() throws {
        let directory = try makeScratchDirectory(self)
        let fake = try makeScript(in: directory, named: "gnuplot", body: "echo 'broken install' >&2; exit 3")
        let session = GnuplotSession(executablePath: fake)
        assertPlotError(
            try session.renderText(SampleCharts.histogram, width: 40, height: 10),
            contains: ["gnuplot stopped while drawing", "exited with status 3", "apt-get install gnuplot-nox"])
        XCTAssertNil(session.processID)
    }

    func testGnuplotThatHangsIsStoppedAfterTheTimeout() throws {
        let directory = try makeScratchDirectory(self)
        let fake = try makeScript(in: directory, named: "gnuplot", body: "exec sleep 60")
        let session = GnuplotSession(executablePath: fake, timeoutSeconds: 0.2)
        assertPlotError(
            try session.renderText(SampleCharts.histogram, width: 40, height: 10),
            contains: ["did not finish within 0.2 s", "the next chart starts it again"])
        XCTAssertNil(session.processID)
    }

    func testGnuplotThatStopsReadingIsStoppedWhileDataIsStillBeingSent() throws {
        let directory = try makeScratchDirectory(self)
        let fake = try makeScript(in: directory, named: "gnuplot", body: "exec sleep 60")
        let session = GnuplotSession(executablePath: fake, timeoutSeconds: 0.2)
        // About 1 MB of numbers: far more than a pipe holds, so sending blocks until the deadline.
        let big = LineChart(series: [Series(name: "big", y: (0..<20_000).map(Double.init))])
        assertPlotError(try session.renderText(big, width: 40, height: 10), contains: ["did not finish within 0.2 s"])
    }

    func testKilledGnuplotIsRestartedForTheNextChart() throws {
        let session = GnuplotSession()
        _ = try session.renderText(SampleCharts.histogram, width: 40, height: 10)
        let first = try XCTUnwrap(session.processID)
        XCTAssertEqual(kill(first, SIGKILL), 0)
        var waited = 0
        while session.processID != nil && waited < 500 {
            usleep(10_000)
            waited += 1
        }
        XCTAssertNil(session.processID)
        XCTAssertTrue(try session.renderText(SampleCharts.histogram, width: 40, height: 10).contains("Weights"))
        let second = try XCTUnwrap(session.processID)
        XCTAssertNotEqual(first, second)
    }

    func testChartRightAfterAKillFailsCleanlyOrRestarts() throws {
        let session = GnuplotSession()
        _ = try session.renderText(SampleCharts.histogram, width: 40, height: 10)
        let first = try XCTUnwrap(session.processID)
        XCTAssertEqual(kill(first, SIGKILL), 0)
        do {
            _ = try session.renderText(SampleCharts.histogram, width: 40, height: 10)
        } catch let error as PlotError {
            guard case .gnuplotStopped = error else { return XCTFail("unexpected \(error)") }
        }
        XCTAssertTrue(try session.renderText(SampleCharts.histogram, width: 40, height: 10).contains("Weights"))
        XCTAssertNotEqual(session.processID, first)
    }

    func testStoppedSessionStartsAgain() throws {
        let session = GnuplotSession()
        _ = try session.renderText(SampleCharts.histogram, width: 40, height: 10)
        session.stop()
        XCTAssertNil(session.processID)
        XCTAssertTrue(try session.renderText(SampleCharts.histogram, width: 40, height: 10).contains("Weights"))
    }

    func testGnuplotErrorsAreReportedAndTheSessionRecovers() throws {
        let session = GnuplotSession()
        assertPlotError(
            try session.renderText(RawChart(lines: ["plot no_such_variable"]), width: 40, height: 10),
            contains: ["gnuplot rejected the chart", "undefined variable: no_such_variable"])
        XCTAssertTrue(try session.renderText(SampleCharts.histogram, width: 40, height: 10).contains("Weights"))
    }

    func testWarningsAreNotErrors() {
        let messages = """
                     line 0: warning: Terminal canvas area too small to hold plot.
            \t    Check plot boundary and font sizes.
            Warning: empty x range [0:0], adjusting to [-1:1]
            "$rnx0" line 3: bad data on line 3 of file $rnx0
            """
        XCTAssertEqual(GnuplotMessages.errors(in: messages), ["\"$rnx0\" line 3: bad data on line 3 of file $rnx0"])
    }
}
