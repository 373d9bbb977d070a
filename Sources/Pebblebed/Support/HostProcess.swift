import CShims
import Glibc

/// The emulator's own host process: what main sets up before anything else runs.
public enum HostProcess {
    /// Opens each closed one of descriptors 0, 1 and 2 on /dev/null (pb_ensure_standard_fds),
    /// so that no file opened later becomes the keyboard, the console or the kernel log. False
    /// when /dev/null could not be opened.
    public static func ensureStandardDescriptors() -> Bool { pb_ensure_standard_fds() == 0 }
}
