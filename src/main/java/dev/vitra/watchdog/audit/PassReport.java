package dev.vitra.watchdog.audit;

import dev.vitra.watchdog.note.LogId;
import dev.vitra.watchdog.store.Rows;
import java.time.Duration;
import java.util.List;

/**
 * What a pass did and concluded.
 *
 * @param newFindings      findings raised for the first time by this pass (as stored, with their ids)
 * @param openFindings     every finding still open after it
 * @param transactions     transactions verified by this pass
 * @param notes            what the operator should know beyond findings (an option that did nothing, and why)
 */
public record PassReport(LogId index, Verdict verdict, Rows.DatabaseStatus status, long verifiedPosition, long indexSize,
        List<LogPosition> logs, List<Rows.Finding> newFindings, List<Rows.Finding> openFindings, long transactions,
        Duration duration, List<String> notes) {
    public PassReport {
        notes = List.copyOf(notes);
    }

    /** Where one log stands: the size of its verified checkpoint and, for oplogs, the next op to process. */
    public record LogPosition(LogId log, Rows.LogRole role, long verifiedSize, long nextSeq, boolean active) {
    }
}
