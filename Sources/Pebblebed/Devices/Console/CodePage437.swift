/// The VGA font's glyphs (code page 437) as Unicode, so guest output that uses box drawing,
/// arrows or accented letters looks on a modern terminal as it would on the PC screen.
enum CodePage437 {
    /// UTF-8 bytes for each of the 256 glyphs; byte 0 is drawn blank, as VGA does.
    static let utf8: [[UInt8]] = {
        let low = " ☺☻♥♦♣♠•◘○◙♂♀♪♫☼►◄↕‼¶§▬↨↑↓→←∟↔▲▼"
        let high = "ÇüéâäàåçêëèïîìÄÅÉæÆôöòûùÿÖÜ¢£¥₧ƒáíóúñÑªº¿⌐¬½¼¡«»"
            + "░▒▓│┤╡╢╖╕╣║╗╝╜╛┐└┴┬├─┼╞╟╚╔╩╦╠═╬╧╨╤╥╙╘╒╓╫╪┘┌█▄▌▐▀"
            + "αßΓπΣσµτΦΘΩδ∞φε∩≡±≥≤⌠⌡÷≈°∙·√ⁿ²■\u{00A0}"
        let ascii = (0x20...0x7E).map { String(Unicode.Scalar(UInt8($0))) }
        let glyphs = low.map(String.init) + ascii + ["⌂"] + high.map(String.init)
        kernelAssert(glyphs.count == 256, "code page 437 table must have 256 glyphs")
        return glyphs.map { Array($0.utf8) }
    }()
}
