/// An image grid drawn as characters: each picture gets an equal share of the width, each character the mean
/// brightness of the pixels under it on the ramp ` .:-=+*#%@`. A picture narrower than its share is drawn a whole
/// number of characters a pixel, so every pixel column gets as many characters as the next (gnuplot's dumb
/// terminal, rounding label positions, left a blank column every few characters).
extension ImageGrid: TextDrawnChart {
    /// The brightness ramp, darkest first.
    static let ramp = Array(" .:-=+*#%@")

    /// The grid `width` columns wide: the title, then each row of pictures under their captions; `height` is
    /// ignored, pictures keep their proportions (a character is about twice as tall as wide).
    public func textDrawing(width: Int, height: Int, color: RenderTarget.TextColor) throws -> String? {
        try validate()
        let perRow = columnCount
        // One column between pictures.
        let slot = TextRoom(columns: width).caption(perRow: perRow)
        var lines: [String] = []
        if let title, !TextRoom.fitted(title, width).isEmpty { lines.append(TextCells.centred(title, width)) }
        var start = 0
        while start < images.count {
            let row = Array(images[start..<min(start + perRow, images.count)])
            let pictures = try row.enumerated().map { offset, image in try picture(image, index: start + offset, slot: slot) }
            lines.append(row.map { TextCells.cell(TextCells.centred($0.caption, slot), slot) }.joined(separator: " "))
            if lines.last?.allSatisfy({ $0 == " " }) == true { lines.removeLast() }
            let tallest = pictures.map(\.count).max() ?? 0
            for line in 0..<tallest {
                lines.append(
                    pictures.map { picture in
                        let text = line < picture.count ? picture[line] : ""
                        let left = (slot - (picture.first?.count ?? 0)) / 2
                        return TextCells.cell(String(repeating: " ", count: max(left, 0)) + text, slot)
                    }.joined(separator: " "))
            }
            start += perRow
        }
        return lines.map { $0.trimmingTrailingSpaces() }.joined(separator: "\n") + "\n"
    }

    /// One picture as lines of ramp characters at most `slot` wide.
    private func picture(_ image: GridImage, index: Int, slot: Int) throws -> [String] {
        let brightness = try image.brightness(index: index)
        let columns = image.width >= slot ? slot : image.width * (slot / image.width)
        let aspect = Double(image.height) / Double(image.width)
        let rows = min(max(Int((Double(columns) * aspect / 2).rounded()), 1), image.height)
        return (0..<rows).map { row in
            let top = row * image.height / rows
            let bottom = max((row + 1) * image.height / rows, top + 1)
            return String(
                (0..<columns).map { column -> Character in
                    let left = column * image.width / columns
                    let right = max((column + 1) * image.width / columns, left + 1)
                    var sum = 0.0
                    for y in top..<bottom {
                        for x in left..<right { sum += brightness[y * image.width + x] }
                    }
                    let mean = sum / Double((bottom - top) * (right - left))
                    return Self.ramp[min(max(Int(mean * 9.99), 0), Self.ramp.count - 1)]
                })
        }
    }
}
