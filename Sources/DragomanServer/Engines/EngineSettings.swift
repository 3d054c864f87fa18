/// The settings that choose and reach the speech engines (`recognizer`, `translator`,
/// `synthesizer` and each engine's own), part of ``ServerConfiguration``. Each is documented by
/// its key in `ServerConfiguration.engineKeys` and in docs/configuration.md and docs/engines.md.
public struct EngineSettings: Sendable {
    /// The recognizer per source language, as an ``EngineChoice`` (`pocketsphinx`, `wyoming`, `openai`, `aws`).
    public var recognizer = "pocketsphinx"
    /// The translator per target language (`apertium`, `libretranslate`, `openai`, `aws`).
    public var translator = "apertium"
    /// The synthesizer per target language (`espeak`, `wyoming`, `openai`, `aws`).
    public var synthesizer = "espeak"

    public var wyomingRecognizerURI = "tcp://127.0.0.1:10300"
    public var wyomingRecognizerCommand = ""
    public var wyomingRecognizerLanguages = "en"
    /// Seconds of new audio between re-decodes of the window under way: with Dragoman's own
    /// Whisper sidecar a decode of a few seconds of speech takes 0.15–0.5 s on two cores, so
    /// twice a second keeps committed words about 2.1 s behind a speaker who never pauses
    /// (docs/engines.md).
    public var wyomingPartialInterval = 0.5
    public var wyomingSynthesizerURI = "tcp://127.0.0.1:10200"
    public var wyomingSynthesizerCommand = ""
    public var wyomingSynthesizerVoices = "en=en_US-joe-medium"

    public var openaiBaseURL = "https://api.openai.com/v1"
    public var openaiAPIKey = ""
    public var openaiTranscriptionModel = "whisper-1"
    /// 0: a paid API charges each request, and a transcription of the segment under way every
    /// second would multiply the bill; a local server (whisper.cpp's) can take 1 or less.
    public var openaiPartialInterval = 0.0
    public var openaiChatModel = "gpt-4o-mini"
    public var openaiSpeechModel = "tts-1"
    public var openaiSpeechVoice = "alloy"
    public var openaiLanguages = "en,es,fr,de,it,pt,nl,ca"

    public var libreTranslateURL = "http://127.0.0.1:5000"
    public var libreTranslateAPIKey = ""
    public var libreTranslateLanguages = "en,es,fr,de,it,pt"

    public var awsRegion = "us-east-1"
    public var awsAccessKeyID = ""
    public var awsSecretAccessKey = ""
    public var awsSessionToken = ""
    public var awsEndpoint = ""
    public var awsLanguages = "en,es,fr,de,it,pt"
    public var awsPollyVoices = "en=Joanna,es=Lucia,fr=Lea,de=Vicki,it=Bianca,pt=Ines"
    public var awsTranscribeLanguages = "en=en-US,es=es-US,fr=fr-FR,de=de-DE,it=it-IT,pt=pt-BR"

    public init() {}
}
