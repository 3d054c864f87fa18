/// The 64-bit FNV-1a hash: stable across processes and machines (unlike `Hasher`), for the web
/// pages' ETags and the sessions' advisory locks that every node must compute alike.
public enum FNV1a {
    /// The hash of `bytes`.
    public static func hash(_ bytes: some Sequence<UInt8>) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes {
            hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3
        }
        return hash
    }
}
