extension ConfigurationKey {
    /// An ``EngineChoice``: checked when read, so a misspelt engine stops the server at start.
    static func engineChoice(
        _ name: String, _ summary: String, _ path: WritableKeyPath<ServerConfiguration, String> & Sendable, known: Set<String>
    ) -> ConfigurationKey {
        ConfigurationKey(name: name, summary: summary, defaultValue: { $0[keyPath: path] }) { configuration, text throws(ConfigurationError) in
            do throws(ConfigurationError) {
                _ = try EngineChoice(parsing: text, known: known)
            } catch {
                throw ConfigurationError(description: "\(name): \(error.description)")
            }
            configuration[keyPath: path] = text
        }
    }
}

extension ServerConfiguration {
    /// The settings of the speech engines, listed after the others (docs/engines.md explains them).
    static let engineKeys: [ConfigurationKey] = [
        .engineChoice(
            "recognizer", "Speech recognizer per source language: pocketsphinx, wyoming, openai or aws; e.g. pocketsphinx,en=wyoming.",
            \.engineSettings.recognizer, known: EngineChoice.recognizers),
        .engineChoice(
            "translator", "Translator per target language: apertium, libretranslate, openai or aws; e.g. apertium,de=libretranslate.",
            \.engineSettings.translator, known: EngineChoice.translators),
        .engineChoice(
            "synthesizer", "Speech synthesizer per target language: espeak, wyoming, openai or aws; e.g. espeak,en=wyoming.", \.engineSettings.synthesizer,
            known: EngineChoice.synthesizers),
        .string(
            "wyomingRecognizerURI", "tcp://host:port of the Wyoming speech recognizer (Dragoman's Whisper sidecar, or wyoming-faster-whisper).",
            \.engineSettings.wyomingRecognizerURI),
        .string(
            "wyomingRecognizerCommand",
            "Command that starts the recognizer sidecar listening at wyomingRecognizerURI; Dragoman supervises it. Empty: connect to one already running.",
            \.engineSettings.wyomingRecognizerCommand),
        .string(
            "wyomingRecognizerLanguages", "Comma-separated languages the Wyoming recognizer's model transcribes.", \.engineSettings.wyomingRecognizerLanguages),
        .number(
            "wyomingPartialInterval",
            "Seconds of new audio between re-decodes of the Wyoming recognizer's window, whose hypotheses are committed as they settle; 0: whole segments, decoded when they end. 2 for a service whose decode costs a second or more (the stock wyoming-faster-whisper).",
            \.engineSettings.wyomingPartialInterval),
        .string("wyomingSynthesizerURI", "tcp://host:port of the Wyoming speech synthesizer (wyoming-piper).", \.engineSettings.wyomingSynthesizerURI),
        .string(
            "wyomingSynthesizerCommand",
            "Command that starts the synthesizer sidecar listening at wyomingSynthesizerURI; Dragoman supervises it. Empty: connect to one already running.",
            \.engineSettings.wyomingSynthesizerCommand),
        .string(
            "wyomingSynthesizerVoices", "The Wyoming synthesizer's voice per language, LANGUAGE=VOICE, comma-separated.",
            \.engineSettings.wyomingSynthesizerVoices),
        .string(
            "openaiBaseURL", "Base URL of an OpenAI-compatible API (OpenAI, whisper.cpp's server, LocalAI, vLLM, llama.cpp's server).",
            \.engineSettings.openaiBaseURL),
        .string("openaiAPIKey", "Bearer key of the OpenAI-compatible API; empty sends none.", \.engineSettings.openaiAPIKey),
        .string("openaiTranscriptionModel", "Model for /audio/transcriptions.", \.engineSettings.openaiTranscriptionModel),
        .number(
            "openaiPartialInterval",
            "Seconds of new audio between transcriptions of the segment under way by the openai recognizer, whose hypotheses are committed as they settle; 0: once, when the segment ends (each is a request).",
            \.engineSettings.openaiPartialInterval),
        .string("openaiChatModel", "Model for /chat/completions (translation).", \.engineSettings.openaiChatModel),
        .string("openaiSpeechModel", "Model for /audio/speech.", \.engineSettings.openaiSpeechModel),
        .string("openaiSpeechVoice", "Voice for /audio/speech.", \.engineSettings.openaiSpeechVoice),
        .string("openaiLanguages", "Comma-separated languages the OpenAI-compatible engines are used for.", \.engineSettings.openaiLanguages),
        .string("libreTranslateURL", "Base URL of a LibreTranslate server.", \.engineSettings.libreTranslateURL),
        .string("libreTranslateAPIKey", "LibreTranslate API key; empty sends none.", \.engineSettings.libreTranslateAPIKey),
        .string("libreTranslateLanguages", "Comma-separated languages LibreTranslate translates between.", \.engineSettings.libreTranslateLanguages),
        .string("awsRegion", "AWS region of Amazon Transcribe, Translate and Polly.", \.engineSettings.awsRegion),
        .string("awsAccessKeyID", "AWS access key id.", \.engineSettings.awsAccessKeyID),
        .string("awsSecretAccessKey", "AWS secret access key.", \.engineSettings.awsSecretAccessKey),
        .string("awsSessionToken", "AWS session token, for temporary credentials; empty for none.", \.engineSettings.awsSessionToken),
        .string(
            "awsEndpoint",
            "Base URL that replaces https://SERVICE.REGION.amazonaws.com (a proxy or a local emulator), Transcribe's WebSocket included (http:// and ws:// stand for each other); empty for AWS itself.",
            \.engineSettings.awsEndpoint),
        .string("awsLanguages", "Comma-separated languages Amazon Translate translates between.", \.engineSettings.awsLanguages),
        .string("awsPollyVoices", "Amazon Polly voice per language, LANGUAGE=VOICE, comma-separated.", \.engineSettings.awsPollyVoices),
        .string(
            "awsTranscribeLanguages", "Amazon Transcribe language code per language it recognizes, LANGUAGE=CODE, comma-separated.",
            \.engineSettings.awsTranscribeLanguages),
    ]
}
