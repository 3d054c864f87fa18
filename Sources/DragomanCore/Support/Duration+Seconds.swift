extension Duration {
    /// The duration in seconds, as the arithmetic of rates and frame counts wants it.
    public var inSeconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
