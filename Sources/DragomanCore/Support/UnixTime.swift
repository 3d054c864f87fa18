import Foundation

/// Unix time in whole seconds, the protocol's `timestamp`.
public enum UnixTime {
    public static var now: Int { Int(Date().timeIntervalSince1970) }
    /// Unix time in milliseconds: the `publishedAt` of captions and speech, by which a client
    /// (or `dragoman bench fanout`) measures how far behind it is.
    public static var milliseconds: Int { Int((Date().timeIntervalSince1970 * 1000).rounded()) }
}
