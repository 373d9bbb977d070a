/// What changed on the screen since the renderer last drew it: per row, the span of columns
/// that may differ. Spans are merged conservatively (one span per row), which redraws a few
/// unchanged cells but keeps the bookkeeping to two integers a row.
public struct ConsoleDamage: Equatable, Sendable {
    /// For each row, the damaged columns, or nil when the row is clean.
    public private(set) var rows: [ClosedRange<Int>?]

    public init(rowCount: Int) {
        rows = Array(repeating: nil, count: rowCount)
    }

    public var isEmpty: Bool { rows.allSatisfy { $0 == nil } }

    public mutating func mark(row: Int, column: Int) {
        mark(row: row, columns: column...column)
    }

    public mutating func mark(row: Int, columns: ClosedRange<Int>) {
        if let old = rows[row] {
            rows[row] = min(old.lowerBound, columns.lowerBound)...max(old.upperBound, columns.upperBound)
        } else {
            rows[row] = columns
        }
    }

    public mutating func markAll(columns: ClosedRange<Int>) {
        for row in rows.indices { rows[row] = columns }
    }

    /// Follows the screen's content one row up: damage on row 0 leaves with its row.
    public mutating func shiftUp() {
        rows.removeFirst()
        rows.append(nil)
    }

    public mutating func clear() {
        for row in rows.indices { rows[row] = nil }
    }
}
