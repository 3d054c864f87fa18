import DragomanCore
import Foundation
import Testing

@testable import DragomanServer

/// The web pages the server serves itself (`WebController`) and the join link's QR code.
/// Tests/Browser drives the pages in a real browser; these check what the server sends.
@Suite("Web pages")
struct WebPagesTests {
    /// The pages only load what the server itself serves.
    static let contentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; media-src 'self' blob:; connect-src 'self' ws: wss:; "
        + "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"

    @Test func pagesAreHTMLWithAContentSecurityPolicy() async throws {
        try await TestServer.run { server in
            for path in ["/", "/speak", "/s/golden-eagle-427", "/interpret/golden-eagle-427"] {
                let response = try await server.http(.GET, path)
                #expect(response.code == 200, "\(path)")
                #expect(response.headers["Content-Type"].first == "text/html; charset=utf-8", "\(path)")
                #expect(response.headers["Content-Security-Policy"] == [Self.contentSecurityPolicy], "\(path)")
                #expect(response.headers["Referrer-Policy"] == ["no-referrer"], "\(path)")
                #expect(response.headers["X-Content-Type-Options"] == ["nosniff"], "\(path)")
                #expect(response.body.contains("<!doctype html>"), "\(path)")
                // A page the browser has already keeps its policy when answered 304.
                let tag = try #require(response.headers["ETag"].first)
                let again = try await server.http(.GET, path, headers: [("If-None-Match", tag)])
                #expect(again.code == 304, "\(path)")
                #expect(again.headers["Content-Security-Policy"] == [Self.contentSecurityPolicy], "\(path)")
                #expect(again.headers["ETag"] == [tag], "\(path)")
            }
            // Every page loads only the server's own files.
            for path in ["/", "/speak", "/s/golden-eagle-427", "/interpret/golden-eagle-427"] {
                let body = try await server.http(.GET, path).body
                #expect(!body.contains("http://") && !body.contains("https://"), "\(path) refers to another site")
            }
        }
    }

    @Test func assetsHaveTheirContentTypes() async throws {
        try await TestServer.run { server in
            let expected = [
                "/assets/listen/main.js": "text/javascript; charset=utf-8",
                "/assets/speak/main.js": "text/javascript; charset=utf-8",
                "/assets/interpret/main.js": "text/javascript; charset=utf-8",
                "/assets/capture-worklet.js": "text/javascript; charset=utf-8",
                "/assets/app.css": "text/css; charset=utf-8",
                "/assets/icon.svg": "image/svg+xml",
            ]
            for (path, type) in expected {
                let response = try await server.http(.GET, path)
                #expect(response.code == 200, "\(path)")
                #expect(response.headers["Content-Type"].first == type, "\(path)")
                #expect(response.headers["X-Content-Type-Options"].first == "nosniff", "\(path)")
                #expect(response.headers["Content-Security-Policy"].isEmpty, "\(path): the policy is the pages'")
            }
            #expect(try await server.http(.GET, "/assets/missing.js").code == 404)
            #expect(try await server.http(.GET, "/assets/..%2FWeb%2Findex.html").code == 404)
            #expect(try await server.http(.GET, "/assets/listen/..%2F..%2Findex.html").code == 404)
            #expect(try await server.http(.GET, "/assets/listen/missing.js").code == 404)
        }
    }

    @Test func unchangedAssetsAreAnswered304() async throws {
        try await TestServer.run { server in
            let first = try await server.http(.GET, "/assets/common.js")
            let tag = try #require(first.headers["ETag"].first)
            #expect(first.headers["Cache-Control"].first == "no-cache")
            let again = try await server.http(.GET, "/assets/common.js", headers: [("If-None-Match", tag)])
            #expect(again.code == 304)
            #expect(again.body.isEmpty)
            #expect(again.headers["ETag"] == [tag])
            #expect(again.headers["Cache-Control"] == ["no-cache"])
            #expect(try await server.http(.GET, "/assets/common.js", headers: [("If-None-Match", "\"other\"")]).code == 200)
        }
    }

    @Test func qrCodeOfAJoinLink() async throws {
        try await TestServer.run(configure: { $0.publicURL = "http://192.168.1.20:8080" }) { server in
            let sessionId = try await server.createSession()
            let response = try await server.http(.GET, "/v1/sessions/\(sessionId)/qr.svg")
            #expect(response.code == 200)
            #expect(response.headers["Content-Type"].first == "image/svg+xml")
            #expect(response.body.hasPrefix("<svg xmlns=\"http://www.w3.org/2000/svg\""))
            #expect(response.body.contains("<title>http://192.168.1.20:8080/s/\(sessionId)</title>"))
            #expect(try await server.http(.GET, "/v1/sessions/no-such-100/qr.svg").code == 404)
        }
    }

    @Test func qrCodeSymbol() throws {
        let link = "http://192.168.1.20:8080/s/golden-eagle-427"
        let code = try QRCode(link)
        // 43 bytes at level M need version 3 or 4: 29 or 33 modules a side.
        #expect([29, 33].contains(code.width))
        // The three finder patterns: a dark 7×7 ring around a 3×3 dark centre.
        for (left, top) in [(0, 0), (code.width - 7, 0), (0, code.width - 7)] {
            for y in 0..<7 {
                for x in 0..<7 {
                    let ring = x == 0 || y == 0 || x == 6 || y == 6
                    let centre = (2...4).contains(x) && (2...4).contains(y)
                    #expect(code.isDark(x: left + x, y: top + y) == (ring || centre))
                }
            }
        }
        let svg = code.svg(quietZone: 4, title: link)
        #expect(svg.contains("viewBox=\"0 0 \(code.width + 8) \(code.width + 8)\""))
        #expect(svg.contains("<title>\(link)</title>"))
        // The top-left finder's first row is one run of seven modules.
        #expect(svg.contains("M4 4h7v1h-7z"))
    }

    @Test func textTooLongForAQRCodeIsAnError() {
        #expect(throws: QRCode.EncodingError.self) { try QRCode(String(repeating: "x", count: 8_000)) }
    }
}
