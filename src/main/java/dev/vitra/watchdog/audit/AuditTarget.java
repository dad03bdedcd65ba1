package dev.vitra.watchdog.audit;

import dev.vitra.watchdog.note.LogId;
import java.util.Map;
import java.util.Set;

/**
 * What to audit: a database named by its index log, the executor that hosts its logs, and base URLs of oplogs
 * hosted elsewhere (PROTOCOL §2: a log is served under {@code <base>/logs/<log id>}).
 *
 * @param acceptForks oplogs whose open fork the operator resolves by following the version served now
 * @param pinned      logs audited up to a given signed note (its text) instead of the checkpoint served now: how
 *                    {@code verify-proof --replay} replays exactly the checkpoints a proof names
 */
public record AuditTarget(LogId index, String executorUrl, Map<LogId, String> oplogBases, Set<LogId> acceptForks,
        Map<LogId, String> pinned) {
    public AuditTarget {
        oplogBases = Map.copyOf(oplogBases);
        acceptForks = Set.copyOf(acceptForks);
        pinned = Map.copyOf(pinned);
        executorUrl = stripSlash(executorUrl);
    }

    public AuditTarget(LogId index, String executorUrl, Map<LogId, String> oplogBases, Set<LogId> acceptForks) {
        this(index, executorUrl, oplogBases, acceptForks, Map.of());
    }

    public AuditTarget(LogId index, String executorUrl) {
        this(index, executorUrl, Map.of(), Set.of());
    }

    /** The URL prefix of a log: {@code <base>/logs/<log id>}. */
    public String prefixOf(LogId log) {
        return stripSlash(oplogBases.getOrDefault(log, executorUrl)) + "/logs/" + log.hex();
    }

    private static String stripSlash(String url) {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }
}
