package dev.vitra.watchdog.schedule;

import dev.vitra.watchdog.audit.PassReport;
import dev.vitra.watchdog.audit.Verdict;
import dev.vitra.watchdog.config.WatchdogConfig;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import dev.vitra.watchdog.store.Rows;

/**
 * What the service knows about one monitor between passes: its configuration (replaced on reload) and how its last
 * passes went. Written by the monitor's own pass (never two at once), read by the HTTP listener: hence one snapshot
 * record swapped atomically.
 */
public final class MonitorState {
    /** How a monitor reads at a glance. */
    public enum Health {
        /** No pass has finished since the service started. */
        STARTING,
        /** Everything the logs hold is verified. */
        VERIFIED,
        /** Verified as far as possible; something waits for data that may still arrive. */
        PENDING,
        /** Something could not be verified: network, withheld or corrupt data, our limits, a stale checkpoint. */
        UNAVAILABLE,
        /** Misbehaviour is proven: a fork or a contract breach, with a proof. */
        BREACHED
    }

    /**
     * @param lastReport      the last pass that ran to its end (with or without findings)
     * @param lastPassAt      when the last attempt ended, whether or not it produced a report
     * @param lastError       why the last attempt failed outside the audit's own findings (the store, a bug)
     * @param lastSuccessAt   when a pass last verified the executor's current checkpoint (VERIFIED or PENDING)
     * @param breachKnown     the store holds proven misbehaviour (read at start, before any pass)
     * @param publishedSize   the largest signed index checkpoint seen so far (verified or not)
     * @param caughtUpAt      when a pass last ended with every entry of that checkpoint verified
     */
    public record Snapshot(Optional<PassReport> lastReport, Optional<Instant> lastPassAt, Optional<String> lastError,
            Optional<Instant> lastSuccessAt, boolean breachKnown, boolean running, long passes, long publishedSize,
            Optional<Instant> caughtUpAt) {
    }

    private volatile WatchdogConfig.Monitor config;
    private volatile Snapshot snapshot;
    private volatile boolean removed;
    private final Instant since;
    /** The open findings the store held when the monitor was added: shown until its first pass reports its own. */
    private final List<Rows.Finding> storedOpenFindings;

    MonitorState(WatchdogConfig.Monitor config, Instant since, boolean breachKnown, List<Rows.Finding> storedOpenFindings) {
        this.config = config;
        this.since = since;
        this.storedOpenFindings = List.copyOf(storedOpenFindings);
        this.snapshot = new Snapshot(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), breachKnown,
                false, 0, 0, Optional.empty());
    }

    /** The open findings as of the last pass, or as the store held them before the first. */
    public List<Rows.Finding> openFindings() {
        return snapshot.lastReport().map(PassReport::openFindings).orElse(storedOpenFindings);
    }

    /** Published index entries not yet verified by replay, as of the last pass. */
    public long lagEntries() {
        Snapshot s = snapshot;
        return s.lastReport().map(r -> Math.max(0, Math.max(s.publishedSize(), r.indexSize()) - r.verifiedPosition())).orElse(0L);
    }

    /** Seconds since a pass last ended with everything published verified (or since the monitor started, if never). */
    public long lagSeconds(Instant now) {
        return Math.max(0, Duration.between(snapshot.caughtUpAt().orElse(since), now).toSeconds());
    }

    /** Set when the monitor is removed from the config: a pass still running then records nothing. */
    public boolean removed() {
        return removed;
    }

    void markRemoved() {
        removed = true;
    }

    public WatchdogConfig.Monitor config() {
        return config;
    }

    void reconfigure(WatchdogConfig.Monitor c) {
        this.config = c;
    }

    public Snapshot snapshot() {
        return snapshot;
    }

    void started() {
        Snapshot s = snapshot;
        snapshot = new Snapshot(s.lastReport(), s.lastPassAt(), s.lastError(), s.lastSuccessAt(), s.breachKnown(), true, s.passes(),
                s.publishedSize(), s.caughtUpAt());
    }

    void finished(PassReport report, Instant at, long publishedSize) {
        Snapshot s = snapshot;
        boolean success = report.verdict() == Verdict.VERIFIED || report.verdict() == Verdict.PENDING;
        long published = Math.max(publishedSize, report.indexSize());
        boolean caughtUp = success && report.verifiedPosition() >= published;
        snapshot = new Snapshot(Optional.of(report), Optional.of(at), Optional.empty(),
                success ? Optional.of(at) : s.lastSuccessAt(), s.breachKnown() || report.verdict() == Verdict.MISBEHAVIOUR,
                false, s.passes() + 1, published, caughtUp ? Optional.of(at) : s.caughtUpAt());
    }

    /** The pass did not start (its database was busy): nothing changes but that it is not running. */
    void skipped() {
        Snapshot s = snapshot;
        snapshot = new Snapshot(s.lastReport(), s.lastPassAt(), s.lastError(), s.lastSuccessAt(), s.breachKnown(), false, s.passes(),
                s.publishedSize(), s.caughtUpAt());
    }

    void failed(String error, Instant at) {
        Snapshot s = snapshot;
        snapshot = new Snapshot(s.lastReport(), Optional.of(at), Optional.of(error), s.lastSuccessAt(), s.breachKnown(), false,
                s.passes() + 1, s.publishedSize(), s.caughtUpAt());
    }

    /** The freshness rule: no pass verified the executor's checkpoint within the deadline (counted from start too). */
    public boolean stale(Instant now) {
        Instant reference = snapshot.lastSuccessAt().orElse(since);
        return Duration.between(reference, now).compareTo(config.freshnessDeadline()) > 0;
    }

    public Health health(Instant now) {
        Snapshot s = snapshot;
        if (s.breachKnown()) {
            return Health.BREACHED;
        }
        if (s.lastError().isPresent() || stale(now)) {
            return Health.UNAVAILABLE;
        }
        if (s.lastReport().isEmpty()) {
            return Health.STARTING;
        }
        return switch (s.lastReport().get().verdict()) {
            case VERIFIED -> Health.VERIFIED;
            case PENDING -> Health.PENDING;
            case COULD_NOT_VERIFY -> Health.UNAVAILABLE;
            case MISBEHAVIOUR -> Health.BREACHED;
        };
    }
}
