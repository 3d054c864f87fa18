import CQRencode
import Foundation

/// A QR code symbol encoded by libqrencode, drawn as SVG for the join link of a session.
/// Owns the C `QRcode` and frees it when it goes away.
final class QRCode {
    /// How much of the symbol may be damaged or covered and still be read.
    enum ErrorCorrection {
        case low, medium, quartile, high

        var level: QRecLevel {
            switch self {
            case .low: QR_ECLEVEL_L
            case .medium: QR_ECLEVEL_M
            case .quartile: QR_ECLEVEL_Q
            case .high: QR_ECLEVEL_H
            }
        }
    }

    /// libqrencode could not encode the text; `errno` says why (`ERANGE`: too long for a QR code).
    struct EncodingError: Error, CustomStringConvertible {
        var code: Int32
        var description: String { "libqrencode could not encode the text: \(String(cString: strerror(code)))" }
    }

    private let symbol: UnsafeMutablePointer<QRcode>

    /// Modules (dots) per side, without the quiet zone.
    let width: Int

    /// Encodes `text` as UTF-8 bytes, in the smallest version that holds it.
    init(_ text: String, errorCorrection: ErrorCorrection = .medium) throws(EncodingError) {
        symbol = try Self.check(QRcode_encodeString(text, 0, errorCorrection.level, QR_MODE_8, 1))
        width = Int(symbol.pointee.width)
    }

    deinit {
        QRcode_free(symbol)
    }

    /// Whether the module at column `x`, row `y` is dark (bit 0 of libqrencode's module byte).
    func isDark(x: Int, y: Int) -> Bool {
        symbol.pointee.data[y * width + x] & 1 == 1
    }

    /// The symbol as a standalone SVG document: one path of dark runs on a white square with a
    /// quiet zone of `quietZone` modules, one unit per module, scaled by whoever shows it.
    func svg(quietZone: Int = 4, title: String? = nil) -> String {
        let side = width + 2 * quietZone
        var path = ""
        for y in 0..<width {
            var x = 0
            while x < width {
                guard isDark(x: x, y: y) else {
                    x += 1
                    continue
                }
                let start = x
                while x < width, isDark(x: x, y: y) { x += 1 }
                path += "M\(start + quietZone) \(y + quietZone)h\(x - start)v1h-\(x - start)z"
            }
        }
        let label = title.map { "<title>\(Self.escaped($0))</title>" } ?? ""
        return """
            <svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 \(side) \(side)" shape-rendering="crispEdges" role="img">\
            \(label)<rect width="\(side)" height="\(side)" fill="#fff"/><path fill="#000" d="\(path)"/></svg>
            """
    }

    /// The one check of libqrencode's results: `NULL` means failure, with the reason in `errno`.
    private static func check(_ result: UnsafeMutablePointer<QRcode>?) throws(EncodingError) -> UnsafeMutablePointer<QRcode> {
        guard let result else { throw EncodingError(code: errno) }
        return result
    }

    private static func escaped(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }
}
