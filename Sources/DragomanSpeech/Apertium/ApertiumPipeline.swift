import Foundation
import Logging
import Metrics

/// One long-lived Apertium pipeline process for one language pair.
///
/// Starting a pipeline loads its dictionaries, which takes a good fraction of a second, so
/// a pipeline is started once and fed every sentence. The stages run with `-z` (flush at
/// each NUL), but some stage still reads ahead and would hold the last sentence back; so,
/// like Apertium's server APY, each request is the text, a NUL, a unique marker and a NUL,
/// and the answer is everything up to the marker coming out the other end.
///
/// An actor so requests are written whole and in order; they are pipelined: a request does
/// not wait for the previous answer before being written.
actor ApertiumPipeline {
    /// A started pipeline process.
    private struct Running {
        let process: ChildProcess
        let input: FileHandle
        let output: ApertiumPipelineOutput
    }

    let pair: TranslationPair
    private let command: String
    private let timeout: Duration
    private let logger: Logger
    private var running: Running?
    private var requestCount = 0

    /// Prepares, without starting it yet, the pipeline that runs `command` for `pair`.
    init(pair: TranslationPair, command: String, timeout: Duration, logger: Logger) {
        self.pair = pair
        self.command = command
        self.timeout = timeout
        self.logger = logger
    }

    deinit {
        if let running { Self.stop(running) }
    }

    /// Translates one text.
    func translate(_ text: String) async throws -> String {
        let running = try self.running ?? start()
        requestCount += 1
        let id = requestCount
        let marker = Array("[/dragoman:\(id)]".utf8) + [0]
        // The newline lets the last stage see the sentence's end (without it, some pairs drop
        // the final full stop); the marker is an Apertium superblank, which every stage passes
        // through untouched.
        let request = Array(Self.escaped(text).utf8) + [0x0A, 0] + marker
        let timer = Task { [timeout] in  // isolated to this actor, like the method
            try await Task.sleep(for: timeout)
            self.timedOut(running)
        }
        defer { timer.cancel() }
        do {
            let answer = try await running.output.answer(id: id, terminator: marker, request: request, input: running.input)
            return Self.cleaned(answer)
        } catch let error as ApertiumError {
            restart(running, because: error)
            throw error
        }
    }

    /// Starts the pipeline if it is not running, and waits until it answers.
    func prepare() async throws {
        _ = try await translate(".")
    }

    private func start() throws -> Running {
        // Writing to a pipeline that has just died raises SIGPIPE, whose default action ends
        // the whole server; ignore it (as servers generally do) and let the write throw.
        signal(SIGPIPE, SIG_IGN)
        let process: ChildProcess
        do {
            process = try ChildProcess(shellCommand: command)
        } catch {
            throw ApertiumError.launchFailed(pair, reason: "\(error)")
        }
        let collector = ApertiumPipelineOutput(pair: pair)
        let reader = process.output
        let pair = pair
        // A plain thread blocking in read(2): one per pipeline, idle between sentences.
        let thread = Thread {
            var buffer = [UInt8](repeating: 0, count: 65_536)
            while true {
                let count = buffer.withUnsafeMutableBytes { read(reader.fileDescriptor, $0.baseAddress, $0.count) }
                if count > 0 {
                    collector.receive(buffer[..<count])
                } else if count == 0 || errno != EINTR {
                    collector.fail(with: .pipelineExited(pair))
                    process.reap()
                    return
                }
            }
        }
        thread.name = "apertium \(pair)"
        thread.start()
        let running = Running(process: process, input: process.input, output: collector)
        self.running = running
        logger.info("started Apertium pipeline", metadata: ["pair": "\(pair)", "pid": "\(process.processIdentifier)"])
        return running
    }

    private func timedOut(_ timedOut: Running) {
        guard running?.process === timedOut.process else { return }
        timedOut.output.fail(with: .timedOut(pair))
    }

    /// Replaces a failed pipeline with a fresh one, so the next request finds it ready.
    private func restart(_ failed: Running, because error: ApertiumError) {
        guard running?.process === failed.process else { return }
        logger.warning("restarting Apertium pipeline", metadata: ["pair": "\(pair)", "error": "\(error)"])
        Counter(label: "dragoman_engine_restarts_total", dimensions: [("engine", "apertium")]).increment()
        Self.stop(failed)
        running = nil
        _ = try? start()
    }

    private static func stop(_ running: Running) {
        running.output.fail(with: .pipelineExited(running.output.pair))
        // The shell leads its own process group: kill every stage, including one that hangs.
        running.process.killGroup()
        try? running.input.close()
    }

    /// Escapes the characters that mean something in Apertium's stream format, as its
    /// plain-text deformatter does, and keeps NUL and line breaks out of the request.
    static func escaped(_ text: String) -> String {
        var escaped = ""
        escaped.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "\\", "[", "]", "^", "$", "/", "@", "<", ">", "{", "}":
                escaped.append("\\")
                escaped.append(character)
            case "\0": continue
            case _ where character.isNewline: escaped.append(" ")
            default: escaped.append(character)
            }
        }
        return escaped
    }

    /// Turns an answer into plain text: drops the NULs, undoes escaping, removes the marks
    /// Apertium puts before words it could not handle (`*` unknown, `#` not generated, `@`
    /// not in the bilingual dictionary), which listeners should not see, and the double
    /// spaces left where a stage dropped a word.
    static func cleaned(_ answer: [UInt8]) -> String {
        let text = String(decoding: answer.filter { $0 != 0 }, as: UTF8.self)
        var cleaned = ""
        var previous: Character?
        var escaping = false
        var iterator = text.makeIterator()
        var next = iterator.next()
        while let character = next {
            next = iterator.next()
            if escaping {
                escaping = false
            } else if character == "\\" {
                escaping = true
                continue
            } else if "*#@".contains(character), previous.map({ !$0.isLetter && !$0.isNumber }) ?? true,
                next?.isLetter == true || next?.isNumber == true
            {
                continue
            } else if character == " " && previous == " " {
                continue
            }
            cleaned.append(character)
            previous = character
        }
        return cleaned.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
