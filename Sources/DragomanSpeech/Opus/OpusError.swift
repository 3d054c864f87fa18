import COpus

/// A libopus call that failed: what Dragoman was doing, and libopus's error code.
public struct OpusError: Error, CustomStringConvertible {
    /// What was being done, e.g. "creating the encoder".
    public let operation: String
    /// The libopus error code (`OPUS_BAD_ARG`, `OPUS_INVALID_PACKET`, …).
    public let code: Int32

    public var description: String { "Opus failed \(operation): \(String(cString: opus_strerror(code)))" }

    /// libopus returns a count or a size on success and a negative code on failure: the one check
    /// every call goes through.
    @discardableResult
    static func check(_ result: Int32, _ operation: String) throws(OpusError) -> Int {
        guard result >= 0 else { throw OpusError(operation: operation, code: result) }
        return Int(result)
    }
}
