import Foundation
import HummingbirdCore

/// A query string as HTML forms and the browser's `URLSearchParams` write it
/// (`application/x-www-form-urlencoded`): `name=value` pairs joined by `&`, a space as `+`, other
/// bytes percent-encoded. Every query of the server is read this way, so a passcode typed with a
/// space (`river+walk`) is the passcode the speaker set (`river walk`).
enum FormQuery {
    /// The parameters of `query`, decoded; the first of a repeated name wins.
    static func decode(_ query: some StringProtocol) -> [String: String] {
        var parameters: [String: String] = [:]
        for pair in query.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = decodeComponent(parts[0])
            guard !name.isEmpty, parameters[name] == nil else { continue }
            parameters[name] = parts.count > 1 ? decodeComponent(parts[1]) : ""
        }
        return parameters
    }

    /// One name or value: `+` is a space, then `%XX` is the byte it encodes. A malformed escape
    /// (`%zz`, or bytes that are not UTF-8) is kept as it was written rather than dropped.
    static func decodeComponent(_ text: some StringProtocol) -> String {
        let spaced = text.replacingOccurrences(of: "+", with: " ")
        return spaced.removingPercentEncoding ?? spaced
    }
}

extension URI {
    /// The query's parameters, form-decoded (`FormQuery`).
    var formQuery: [String: String] { FormQuery.decode(query ?? "") }
}
