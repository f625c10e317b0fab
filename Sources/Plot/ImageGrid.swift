/// Several images side by side in rows, each with its caption, e.g. misclassified test samples.
///
/// On character terminals, where gnuplot cannot draw images, each pixel becomes a character
/// from a brightness ramp (` .:-=+*#%@`), so digits and shapes stay recognisable.
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
        try layoutScript(room: nil) { script, image, index in
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

    /// The character-terminal program `columns` wide: each pixel's brightness picks a character of
    /// the ramp inside gnuplot, so the data sent is still numbers only; the title and captions are
    /// shortened to fit.
    public func textScript(columns: Int) throws -> GnuplotScript {
        try layoutScript(room: TextRoom(columns: columns)) { script, image, index in
            let brightness = try image.brightness(index: index)
            var rows: [Double] = []
            rows.reserveCapacity(brightness.count * 3)
            for (pixel, value) in brightness.enumerated() {
                rows.append(Double(pixel % image.width))
                rows.append(Double(pixel / image.width))
                rows.append(value)
            }
            let block = script.dataBlock(columns: 3, values: rows)
            script.command("plot \(block) using 1:2:(substr(' .:-=+*#%@', int($3*9.99)+1, int($3*9.99)+1)) with labels notitle")
        }
    }

    /// The multiplot frame shared by both programs (`room` for characters); `plotImage` adds one picture's
    /// data and plot.
    private func layoutScript(room: TextRoom?, _ plotImage: (inout GnuplotScript, GridImage, Int) throws -> Void) throws -> GnuplotScript {
        guard !images.isEmpty else { throw PlotError.invalidChart("an image grid needs at least one image") }
        if let columns, columns < 1 { throw PlotError.invalidChart("an image grid needs at least 1 column, got \(columns)") }
        guard images.count <= 400 else { throw PlotError.invalidChart("an image grid shows at most 400 images, got \(images.count)") }

        var script = GnuplotScript()
        var layout = "set multiplot layout \(rowCount),\(columnCount)"
        if let title, !GnuplotText.sanitized(title).allSatisfy({ $0 == " " }) {
            layout += " title \(GnuplotText.quoted(TextRoom.fit(title, room) { $0.line })) noenhanced"
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
            let caption = TextRoom.fit(image.caption, room) { $0.caption(perRow: columnCount) }
            script.command("set title \(GnuplotText.quoted(caption)) noenhanced")
            script.command("set xrange [-0.5:\(Double(image.width) - 0.5)]")
            script.command("set yrange [\(Double(image.height) - 0.5):-0.5]")
            try plotImage(&script, image, index)
        }
        script.command("unset multiplot")
        return script
    }
}
