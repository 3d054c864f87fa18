import CPocketSphinx
import Foundation

/// Owns one pocketsphinx decoder (`ps_decoder_t`) and frees it in `deinit`.
///
/// A decoder is not thread-safe. It is `@unchecked Sendable` only so the recognizer's pool
/// can hand it from one session to the next: exactly one session uses it at a time, always
/// under that session's lock, and the pool touches idle decoders only.
final class PocketSphinxDecoder: @unchecked Sendable {
    private let decoder: OpaquePointer
    /// The argument strings: the configuration's hash table keeps pointers to them as keys,
    /// so they must outlive the decoder.
    private let arguments: [UnsafeMutablePointer<CChar>?]
    private var inUtterance = false

    /// Loads the acoustic model, language model and dictionary named in `model`.
    init(model: PocketSphinxRecognizer.Model) throws {
        for path in [model.acousticModel, model.languageModel, model.dictionary]
        where !FileManager.default.fileExists(atPath: path) {
            throw PocketSphinxError.missingModel(path: path)
        }
        // cmd_ln_init is variadic and cannot be called from Swift; cmd_ln_parse_r takes an argv.
        let words: [String] = [
            "-hmm", model.acousticModel,
            "-lm", model.languageModel,
            "-dict", model.dictionary,
            "-logfn", "/dev/null",
        ]
        var arguments = words.map { strdup($0) }
        guard let config = cmd_ln_parse_r(nil, ps_args(), Int32(arguments.count), &arguments, 1) else {
            arguments.forEach { free($0) }
            throw PocketSphinxError.initializationFailed("invalid configuration")
        }
        // ps_init retains the configuration; drop our reference whatever happens.
        defer { cmd_ln_free_r(config) }
        guard let decoder = ps_init(config) else {
            arguments.forEach { free($0) }
            throw PocketSphinxError.initializationFailed("could not load the model in \(model.acousticModel)")
        }
        self.decoder = decoder
        self.arguments = arguments
    }

    deinit {
        ps_free(decoder)
        arguments.forEach { free($0) }
    }

    /// Starts an utterance, ending one left open by a session that was abandoned.
    func startUtterance() throws {
        if inUtterance { try endUtterance() }
        try check(ps_start_utt(decoder), "ps_start_utt")
        inUtterance = true
    }

    /// Decodes samples of the current utterance.
    func process(_ samples: ArraySlice<Int16>) throws {
        try samples.withUnsafeBufferPointer { buffer in
            try check(ps_process_raw(decoder, buffer.baseAddress, buffer.count, 0, 0), "ps_process_raw")
        }
    }

    /// The best hypothesis so far (or final, after ``endUtterance()``); empty when none.
    func hypothesis() -> String {
        var score: Int32 = 0
        guard let text = ps_get_hyp(decoder, &score) else { return "" }
        return String(cString: text)
    }

    /// Ends the current utterance, completing its search.
    func endUtterance() throws {
        guard inUtterance else { return }
        inUtterance = false
        try check(ps_end_utt(decoder), "ps_end_utt")
    }

    /// The one place decoder status codes become errors: pocketsphinx returns a negative
    /// number on failure.
    private func check(_ status: Int32, _ function: String) throws {
        if status < 0 { throw PocketSphinxError.callFailed(function: function, status: status) }
    }
}
