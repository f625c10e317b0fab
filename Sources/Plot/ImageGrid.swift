/// Several images side by side in rows, each with its caption, e.g. misclassified test samples.
///
/// On character terminals, where gnuplot cannot draw images, each character shows the brightness of the
/// pixels under it on a ramp (` .:-=+*#%@`), so digits and shapes stay recognisable (`ImageGridText.swift`).
/// ```swift
/// let grid = ImageGrid(images: samples.map { GridImage(width: 28, height: 28, pixels: $0.pixels,
///                                                      caption: "true 3 / pred 5 / 0.91") },
///                      columns: 4, title: "worst predictions")
/// ```
public struct ImageGrid: Chart, Equatable {
    /// The pictures, laid out left to right, top to bottom.
    public var images: [GridImage]
    /// Pictures per row; nil: a near-square layout.
    public var columns: Int?
    /// Text above the whole grid.
    public var title: String?

    /// A grid of `images`.
    public init(images: [GridImage], columns: Int? = nil, title: String? = nil) {
        self.images = images
        self.columns = columns
        self.title = title
    }

    /// Pictures per row actually used.
    public var columnCount: Int {
        if let columns { return max(1, min(columns, images.count)) }
        var count = 1
        while count * count < images.count { count += 1 }
        return count
    }

    /// Rows of pictures actually used.
    public var rowCount: Int { (images.count + columnCount - 1) / columnCount }

    /// The gnuplot program: a multiplot with one image plot per picture.
    public func script() throws -> GnuplotScript {
        try layoutScript { script, image, index in
            switch image.channels {
            case .gray:
                let block = script.dataBlock(columns: image.width, values: try image.normalizedPixels(index: index))
                script.command("plot \(block) matrix with image pixels notitle")
            case .rgb:
                let pixels = try image.normalizedPixels(index: index)
                var rows: [Double] = []
                rows.reserveCapacity(image.width * image.height * 5)
                for row in 0..<image.height {
                    for column in 0..<image.width {
                        let start = (row * image.width + column) * 3
                        rows.append(Double(column))
                        rows.append(Double(row))
                        for channel in 0..<3 { rows.append((pixels[start + channel] * 255).rounded()) }
                    }
                }
                let block = script.dataBlock(columns: 5, values: rows)
                script.command("plot \(block) using 1:2:3:4:5 with rgbimage pixels notitle")
            }
        }
    }

    /// The multiplot frame; `plotImage` adds one picture's data and plot.
    private func layoutScript(_ plotImage: (inout GnuplotScript, GridImage, Int) throws -> Void) throws -> GnuplotScript {
        try validate()

        var script = GnuplotScript()
        var layout = "set multiplot layout \(rowCount),\(columnCount)"
        if let title, !GnuplotText.sanitized(title).allSatisfy({ $0 == " " }) {
            layout += " title \(GnuplotText.quoted(title)) noenhanced"
        }
        script.command(layout)
        script.command("unset key")
        script.command("unset tics")
        script.command("unset border")
        script.command("unset colorbox")
        script.command("set size ratio -1")
        script.command("set palette gray")
        script.command("set cbrange [0:1]")
        for (index, image) in images.enumerated() {
            script.command("set title \(GnuplotText.quoted(image.caption)) noenhanced")
            script.command("set xrange [-0.5:\(Double(image.width) - 0.5)]")
            script.command("set yrange [\(Double(image.height) - 0.5):-0.5]")
            try plotImage(&script, image, index)
        }
        script.command("unset multiplot")
        return script
    }

    /// Checks the grid as both ways of drawing it need.
    func validate() throws {
        guard !images.isEmpty else { throw PlotError.invalidChart("an image grid needs at least one image") }
        if let columns, columns < 1 { throw PlotError.invalidChart("an image grid needs at least 1 column, got \(columns)") }
        guard images.count <= 400 else { throw PlotError.invalidChart("an image grid shows at most 400 images, got \(images.count)") }
    }
}
