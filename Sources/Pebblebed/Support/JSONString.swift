/// A JSON string literal of `s`, quotes included. What goes into the project's JSON files
/// (traces, explore's results) may hold anything a guest chose: program names, kill reasons,
/// console output. Control characters become \u escapes, so the file stays one valid document.
func jsonString(_ s: String) -> String {
    var out = "\""
    for u in s.unicodeScalars {
        switch u {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\t": out += "\\t"
        case "\r": out += "\\r"
        case _ where u.value < 0x20: out += "\\u" + hex(u.value, width: 4).dropFirst(2)
        default: out.unicodeScalars.append(u)
        }
    }
    return out + "\""
}
