import DragomanCore
import Foundation

/// How an Amazon Transcribe stream failed.
public enum AmazonTranscribeError: Error, CustomStringConvertible {
    /// Transcribe sent an exception (`BadRequestException`, `LimitExceededException`…), which
    /// ends the stream.
    case exception(type: String, message: String)
    /// The connection ended before the end of the audio was sent.
    case closedEarly
    /// The last results had not come this long after the end of the audio.
    case timedOut(after: Duration)

    public var description: String {
        switch self {
        case .exception(let type, let message): "Amazon Transcribe: \(type): \(message)"
        case .closedEarly: "Amazon Transcribe closed the stream before the end of the audio"
        case .timedOut(let wait): "Amazon Transcribe had not finished \(wait) after the end of the audio"
        }
    }

    /// The error a message of type `exception` stands for (or `error`, the event-stream format's
    /// own); `nil` for any other message.
    init?(_ message: AWSEventStreamMessage) {
        switch message[header: ":message-type"]?.stringValue {
        case "exception":
            let json = try? JSONDecoder().decode(JSONValue.self, from: Data(message.payload))
            self = .exception(
                type: message[header: ":exception-type"]?.stringValue ?? "exception",
                message: json?["Message"]?.stringValue ?? String(decoding: message.payload, as: UTF8.self))
        case "error":
            self = .exception(
                type: message[header: ":error-code"]?.stringValue ?? "error", message: message[header: ":error-message"]?.stringValue ?? "")
        default:
            return nil
        }
    }
}
