import XCTest
@testable import Plot

/// The exact gnuplot programs each chart kind generates.
final class ScriptGoldenTests: XCTestCase {
    func testLineChartWithTwoSeriesAndLegend() throws {
        XCTAssertEqual(
            try SampleCharts.lossCurve.script().text,
            """
            set title 'Loss per epoch' noenhanced
            set xlabel 'epoch' noenhanced
            set ylabel 'loss' noenhanced
            set grid
            set key above noenhanced
            $rnx0 << e
            1.0 2.0
            2.0 1.2
            3.0 0.8
            4.0 0.6
            e
            $rnx1 << e
            1.0 2.1
            2.0 1.5
            3.0 1.1
            4.0 1.0
            e
            plot $rnx0 using 1:2 with lines title 'train' noenhanced, $rnx1 using 1:2 with lines title 'valid' noenhanced

            """)
    }

    func testLearningRateFinderOnLogXWithMarkedSuggestion() throws {
        XCTAssertEqual(
            try SampleCharts.lrFinder.script().text,
            """
            set title 'LR finder' noenhanced
            set xlabel 'learning rate' noenhanced
            set ylabel 'loss' noenhanced
            set logscale x
            set format x '%g'
            set grid
            set key above noenhanced
            $rnx0 << e
            1e-05 2.3
            0.0001 2.2
            0.001 1.4
            0.01 0.9
            0.1 3.5
            e
            set arrow 1 from first 0.001, graph 0 to first 0.001, graph 0.999 nohead dashtype 2 back
            set label 1 'suggested' at first 0.001, graph 0.05 offset character 1, 0 noenhanced front
            $rnx1 << e
            0.001 1.4
            e
            plot $rnx0 using 1:2 with lines title 'loss' noenhanced, $rnx1 using 1:2 with points pointtype 7 pointsize 1.5 notitle

            """)
    }

    func testLogYAndUnnamedSeriesWithoutLegend() throws {
        let chart = LineChart(series: [Series(name: "", y: [4, 2, 1], style: .linesPoints)], logY: true)
        XCTAssertEqual(
            try chart.script().text,
            """
            set logscale y
            set format y '%g'
            set grid
            unset key
            $rnx0 << e
            0.0 4.0
            1.0 2.0
            2.0 1.0
            e
            plot $rnx0 using 1:2 with linespoints notitle

            """)
    }

    func testHistogramAsCentredBoxes() throws {
        XCTAssertEqual(
            try SampleCharts.histogram.script().text,
            """
            set title 'Weights' noenhanced
            set xlabel 'value' noenhanced
            set ylabel 'count' noenhanced
            unset key
            set style fill solid 0.5 border
            set yrange [0:*]
            $rnx0 << e
            0.5 1.0 1.0
            1.5 2.0 1.0
            2.5 3.0 1.0
            3.5 3.0 1.0
            e
            plot $rnx0 using 1:2:3 with boxes notitle

            """)
    }

    func testConfusionMatrixWithClassLabelsAndCounts() throws {
        XCTAssertEqual(
            try SampleCharts.confusion.script().text,
            """
            set title 'Confusion' noenhanced
            set xlabel 'predicted' noenhanced
            set ylabel 'true' noenhanced
            unset key
            unset colorbox
            set palette defined (0 '#ffffff', 1 '#3b75af')
            set xrange [-0.5:1.5]
            set yrange [1.5:-0.5]
            set xtics noenhanced ('cat' 0, 'dog' 1)
            set ytics noenhanced ('cat' 0, 'dog' 1)
            set tics scale 0
            $rnx0 << e
            5.0 1.0
            2.0 7.0
            e
            plot $rnx0 matrix with image notitle, $rnx0 matrix using 1:2:(sprintf('%g', $3)) with labels notitle

            """)
    }

    func testImageGridOfGrayAndRGBImages() throws {
        XCTAssertEqual(
            try SampleCharts.images.script().text,
            """
            set multiplot layout 1,2 title 'Samples' noenhanced
            unset key
            unset tics
            unset border
            unset colorbox
            set size ratio -1
            set palette gray
            set cbrange [0:1]
            set title 'true 1 / pred 7 / 0.91' noenhanced
            set xrange [-0.5:1.5]
            set yrange [1.5:-0.5]
            $rnx0 << e
            0.0 0.5
            0.5 1.0
            e
            plot $rnx0 matrix with image pixels notitle
            set title 'red over blue' noenhanced
            set xrange [-0.5:1.5]
            set yrange [1.5:-0.5]
            $rnx1 << e
            0.0 0.0 255.0 0.0 0.0
            1.0 0.0 255.0 0.0 0.0
            0.0 1.0 0.0 0.0 255.0
            1.0 1.0 0.0 0.0 255.0
            e
            plot $rnx1 using 1:2:3:4:5 with rgbimage pixels notitle
            unset multiplot

            """)
    }

    func testTerminalLinesForEveryTarget() throws {
        XCTAssertEqual(try RenderTarget.text(width: 80, height: 24, color: .plain).terminalCommand(), "set terminal dumb size 80,24 mono")
        XCTAssertEqual(try RenderTarget.text(width: 80, height: 24, color: .ansi).terminalCommand(), "set terminal dumb size 80,24 ansi")
        XCTAssertEqual(try RenderTarget.text(width: 80, height: 24, color: .ansiRGB).terminalCommand(), "set terminal dumb size 80,24 ansirgb")
        XCTAssertEqual(try RenderTarget.text(width: 80, height: 24, color: .ansi256).terminalCommand(), "set terminal dumb size 80,24 ansi256")
        XCTAssertEqual(try RenderTarget.sixel(width: 640, height: 480).terminalCommand(), "set terminal sixelgd size 640,480 truecolor noenhanced")
        XCTAssertEqual(try RenderTarget.png(width: 800, height: 600).terminalCommand(), "set terminal pngcairo size 800,600 noenhanced")
        XCTAssertEqual(
            try RenderTarget.svg(width: 800, height: 600).terminalCommand(), "set terminal svg size 800,600 noenhanced background '#ffffff'")
    }

    func testSizesOutOfRangeAreRefused() {
        XCTAssertThrowsError(try RenderTarget.text(width: 3, height: 24, color: .plain).terminalCommand()) { error in
            XCTAssertEqual("\(error)", "plot: chart size must be 10...1000 × 5...500 characters, got 3 × 24")
        }
        XCTAssertThrowsError(try RenderTarget.png(width: 800, height: 0).terminalCommand())
    }
}
