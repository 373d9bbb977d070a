/// The keyboard device as the system calls see it. Kernel context only (interrupt signals
/// blocked). It never blocks: each call says whether the reader got its bytes, must wait for the
/// next keyboard interrupt, or will never get any because input has ended. Queueing readers in
/// arrival order and blocking them is the scheduler's job.
public final class Keyboard<Source: KeySource> {
    public private(set) var discipline = LineDiscipline()
    public var source: Source

    public init(source: Source) {
        self.source = source
    }

    /// getchar(): the next byte, not echoed.
    public func getchar() -> KeyboardRead<UInt8> {
        if let byte = discipline.getchar(from: &source) { return .ready(byte) }
        return source.isAtEnd ? .endOfInput : .wait
    }

    /// readline(size, buf) for the reader at the head of the queue; echoes to `console` and
    /// flushes it, since the person typing must see each key at once.
    public func readline(size: Int, echoingTo console: Console) -> KeyboardRead<[UInt8]> {
        let progress = discipline.readline(size: size, from: &source)
        if !progress.echo.isEmpty {
            console.echo(progress.echo)
            console.flush()
        }
        if let line = progress.line { return .ready(line) }
        guard source.isAtEnd else { return .wait }
        if let partial = discipline.finishAtEndOfInput(size: size) { return .ready(partial) }
        return .endOfInput
    }
}

/// The outcome of one attempt to read from the keyboard.
public enum KeyboardRead<Value: Equatable>: Equatable {
    case ready(Value)
    /// Nothing yet: block the reader until the next keyboard interrupt (or, for input that
    /// `HostKeys.needsPolling`, just try again).
    case wait
    /// Input has ended and nothing is left for this reader: the machine halts (README).
    case endOfInput
}
