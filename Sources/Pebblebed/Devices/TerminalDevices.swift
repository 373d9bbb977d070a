
/// The console and the keyboard as the kernel uses them, with the queue of keyboard readers.
/// Kernel context only (interrupts off); no part of it runs in a signal handler.
final class TerminalDevices {
    let console: Console
    let keyboard = Keyboard(source: HostKeys())
    /// The monitor behind Ctrl-] (Monitor/): panel rows over a drawn console, every line on a
    /// plain one (the host terminal scrolls).
    var monitor: ConsoleMonitor
    /// Threads in getchar or readline, in arrival order. Only the first is served; the others
    /// are blocked until it leaves (one reader at a time, as the ABI asks).
    private(set) var readers: [Thread] = []
    /// Where readers block: the head until input arrives, the others until they are the head.
    let waiting = WaitQueue("keyboard")

    init(console: Console) {
        self.console = console
        monitor = ConsoleMonitor(pageHeight: console.drawsOnTerminal ? ConsoleScreen.rowCount - 2 : nil)
    }

    var head: Thread? { readers.first }

    func arrive(_ t: Thread) { readers.append(t) }

    /// Removes a reader that finished or must exit, and lets the next one look at the input.
    func leave(_ t: Thread, scheduler: Scheduler) {
        let wasHead = readers.first === t
        readers.removeAll { $0 === t }
        if wasHead { wakeHead(scheduler) }
    }

    /// The keyboard interrupt's work: the head reader may now find its bytes.
    func wakeHead(_ scheduler: Scheduler) {
        if let first = readers.first, first.waitingIn === waiting {
            scheduler.wake(first)
        }
    }
}

