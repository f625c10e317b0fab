import Plot

/// The kernel's logo for Jupyter's launcher: "rnx" in white on a blue square, drawn by gnuplot like every chart.
struct KernelLogo: Chart {
    /// Width and height in pixels.
    let size: Int

    var title: String? { nil }

    func script() throws -> GnuplotScript {
        var script = GnuplotScript()
        for line in [
            "unset border", "unset tics", "unset key", "set margins 0,0,0,0", "set xrange [0:1]", "set yrange [0:1]",
            "set object 1 rectangle from screen 0,0 to screen 1,1 fillcolor rgb '#1f5fbf' fillstyle solid 1.0 noborder behind",
            "set label 1 'rnx' at screen 0.5,0.5 center textcolor rgb '#ffffff' font 'Sans Bold,\(max(size * 3 / 10, 6))'",
            // A constant outside the y range draws nothing: the plot command only makes gnuplot draw the page.
            "plot 2 notitle",
        ] {
            script.command(line)
        }
        return script
    }
}
