/// Why a file cannot be run as a Pebbles guest program.
///
/// `pebblebed run` and `exec` show `description` to users after the program's name, as in
/// "shell: is a 64-bit ELF; ...", so each message is a phrase about the file that says what is
/// wrong and, where it helps, what a Pebbles guest looks like instead.
public enum LoaderError: Error, Equatable, CustomStringConvertible {
    /// Which part of the file a truncated file cuts off.
    public enum Part: Equatable, Sendable {
        case elfHeader
        case programHeaderTable
        /// The file bytes of the segment with this program-header index.
        case segmentData(index: Int)
    }

    /// The first four bytes are not "\x7fELF".
    case notELF
    /// EI_CLASS is ELFCLASS64.
    case sixtyFourBit
    /// EI_CLASS is neither ELFCLASS32 nor ELFCLASS64.
    case unknownClass(UInt8)
    /// EI_DATA is ELFDATA2MSB or anything but ELFDATA2LSB.
    case notLittleEndian(UInt8)
    /// e_machine is not EM_386.
    case wrongMachine(UInt16)
    /// e_type is not ET_EXEC (a relocatable object, a shared object or PIE, a core file).
    case notExecutable(type: UInt16)
    /// The file ends at `fileSize` before the end (`needed`) of `part`.
    case truncated(Part, needed: UInt64, fileSize: Int)
    /// e_phentsize is smaller than an Elf32_Phdr, so entries would overlap.
    case badProgramHeaderEntrySize(UInt16)
    /// A PT_INTERP header: the program wants a dynamic linker, which Pebbles does not have.
    case dynamicallyLinked
    /// p_filesz > p_memsz for the segment with this program-header index.
    case segmentFileSizeExceedsMemorySize(index: Int, fileSize: UInt32, memorySize: UInt32)
    /// p_vaddr + p_memsz passes 2^32.
    case segmentWrapsAddressSpace(index: Int, start: UInt32, memorySize: UInt32)
    /// Some of [start, end) lies below USER_MEM_START.
    case segmentOutsideUserMemory(index: Int, start: UInt32, end: UInt64)
    /// No PT_LOAD program header at all.
    case noLoadableSegment
    /// e_entry is not inside any PT_LOAD segment with PF_X.
    case entryNotExecutable(entry: UInt32)

    public var description: String {
        switch self {
        case .notELF:
            return "is not an ELF file (its first bytes are not \\x7fELF)"
        case .sixtyFourBit:
            return "is a 64-bit ELF; Pebbles guests are 32-bit i386 programs"
        case .unknownClass(let value):
            return "has an unknown ELF class \(value); Pebbles guests are 32-bit i386 programs"
        case .notLittleEndian(let value):
            let order = value == 2 ? "big-endian" : "of unknown byte order (\(value))"
            return "is \(order); Pebbles guests are little-endian i386 programs"
        case .wrongMachine(let machine):
            return "is for machine type \(machine), not i386 (EM_386 = 3)"
        case .notExecutable(let type):
            return "is not an executable (ELF type \(Self.typeName(type)); Pebbles runs statically linked ET_EXEC programs)"
        case .truncated(let part, let needed, let fileSize):
            return "is truncated: \(Self.partName(part)) runs to byte \(needed), past the end of the file (\(fileSize) bytes)"
        case .badProgramHeaderEntrySize(let size):
            return "has \(size)-byte program header entries; an i386 ELF needs at least 32"
        case .dynamicallyLinked:
            return "is dynamically linked (it asks for a program interpreter); Pebbles guests are linked with -static"
        case .segmentFileSizeExceedsMemorySize(let index, let fileSize, let memorySize):
            return "segment \(index) has more file bytes (\(Self.hex(fileSize))) than memory bytes (\(Self.hex(memorySize)))"
        case .segmentWrapsAddressSpace(let index, let start, let memorySize):
            return "segment \(index) at \(Self.hex(start)) with size \(Self.hex(memorySize)) wraps past the end of the 4 GiB address space"
        case .segmentOutsideUserMemory(let index, let start, let end):
            return "segment \(index) at \(Self.hex(start))-\(Self.hex(end)) lies outside user memory [\(Self.hex(ELFImage.userMemory.lowerBound)), \(Self.hex(ELFImage.userMemory.upperBound)))"
        case .noLoadableSegment:
            return "has no loadable (PT_LOAD) segment"
        case .entryNotExecutable(let entry):
            return "has its entry point \(Self.hex(entry)) outside every executable segment"
        }
    }

    private static func partName(_ part: Part) -> String {
        switch part {
        case .elfHeader: return "the 52-byte ELF header"
        case .programHeaderTable: return "the program header table"
        case .segmentData(let index): return "the file data of segment \(index)"
        }
    }

    private static func typeName(_ type: UInt16) -> String {
        switch type {
        case 0: return "ET_NONE"
        case 1: return "ET_REL, an object file"
        case 3: return "ET_DYN, a shared object or position-independent executable"
        case 4: return "ET_CORE, a core dump"
        default: return String(type)
        }
    }

    /// "0x" and at least eight hex digits, so addresses line up with `readelf -l`.
    private static func hex<T: BinaryInteger>(_ value: T) -> String {
        let digits = String(value, radix: 16)
        return "0x" + String(repeating: "0", count: max(0, 8 - digits.count)) + digits
    }
}
