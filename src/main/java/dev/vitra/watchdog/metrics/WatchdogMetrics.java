package dev.vitra.watchdog.metrics;

import dev.vitra.watchdog.audit.PassReport;
import dev.vitra.watchdog.contract.RuntimeMode;
import dev.vitra.watchdog.store.Rows;
import dev.vitra.watchdog.tileclient.FetchObserver;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The watchdog's Prometheus metrics (docs/service.md lists them; grafana/ and the alerting rules use them), in a
 * registry of its own with the JVM's. Every per-database series carries a {@code monitor} label and is removed
 * when the monitor is.
 */
public final class WatchdogMetrics {
    /** The health states a monitor can be in (the {@code state} label of {@code vitra_watchdog_monitor_state}). */
    public static final List<String> STATES = List.of("starting", "verified", "pending", "unavailable", "breached");

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final Gauge state;
    private final Gauge logVerifiedSize;
    private final Gauge indexSize;
    private final Gauge indexVerifiedPosition;
    private final Gauge indexPublishedSize;
    private final Gauge lagEntries;
    private final Gauge lagSeconds;
    private final Counter transactions;
    private final Histogram passDuration;
    private final Counter passes;
    private final Gauge openFindings;
    private final Counter findingsRaised;
    private final Gauge lastPass;
    private final Gauge lastSuccess;
    private final Gauge pendingItems;
    private final Gauge pendingOldestAge;
    private final Counter fetches;
    private final Counter alertAttempts;
    /** The series each monitor currently has in the label-set gauges, so that stale ones can be removed. */
    private final Map<String, Set<List<String>>> findingSeries = new HashMap<>();
    private final Map<String, Set<List<String>>> logSeries = new HashMap<>();

    public WatchdogMetrics(RuntimeMode mode, String implementation) {
        JvmMetrics.builder().register(registry);
        Gauge.builder().name("vitra_watchdog_contract_runtime_info")
                .help("The contract runtime: optimizing (Graal compiler) or interpreter, and GraalJS's implementation name")
                .labelNames("mode", "implementation").register(registry)
                .labelValues(mode.name().toLowerCase(java.util.Locale.ROOT), implementation).set(1);
        state = Gauge.builder().name("vitra_watchdog_monitor_state")
                .help("1 for the state a monitor is in (starting, verified, pending, unavailable, breached), 0 for the others")
                .labelNames("monitor", "state").register(registry);
        logVerifiedSize = Gauge.builder().name("vitra_watchdog_log_verified_size")
                .help("Entries in the log's latest verified checkpoint").labelNames("monitor", "log", "role").register(registry);
        indexSize = Gauge.builder().name("vitra_watchdog_index_size")
                .help("Entries in the index log's latest verified checkpoint").labelNames("monitor").register(registry);
        indexPublishedSize = Gauge.builder().name("vitra_watchdog_index_published_size")
                .help("Entries in the largest signed index checkpoint seen, verified or not (what the executor published)")
                .labelNames("monitor").register(registry);
        indexVerifiedPosition = Gauge.builder().name("vitra_watchdog_index_verified_position")
                .help("Index entries verified by replay (the next position to verify)").labelNames("monitor").register(registry);
        lagEntries = Gauge.builder().name("vitra_watchdog_lag_entries")
                .help("Index entries in the largest signed checkpoint seen, not yet verified by replay").labelNames("monitor")
                .register(registry);
        lagSeconds = Gauge.builder().name("vitra_watchdog_lag_seconds")
                .help("Seconds since a pass last ended with every published entry verified (or since the monitor started)")
                .labelNames("monitor").register(registry);
        transactions = Counter.builder().name("vitra_watchdog_ops_replayed_total")
                .help("Transactions replayed through the contract and verified").labelNames("monitor").register(registry);
        passDuration = Histogram.builder().name("vitra_watchdog_pass_duration_seconds").help("How long a pass took")
                .classicUpperBounds(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900).labelNames("monitor")
                .register(registry);
        passes = Counter.builder().name("vitra_watchdog_passes_total")
                .help("Passes by outcome: verified, pending, could_not_verify, misbehaviour, or error (the pass itself failed)")
                .labelNames("monitor", "outcome").register(registry);
        openFindings = Gauge.builder().name("vitra_watchdog_findings_open")
                .help("Open findings by kind (fraud, availability, pending, notice) and code").labelNames("monitor", "kind", "code")
                .register(registry);
        findingsRaised = Counter.builder().name("vitra_watchdog_findings_raised_total")
                .help("Findings raised for the first time, by kind and code").labelNames("monitor", "kind", "code")
                .register(registry);
        lastPass = Gauge.builder().name("vitra_watchdog_last_pass_timestamp_seconds")
                .help("When the last pass ended (Unix time)").labelNames("monitor").register(registry);
        lastSuccess = Gauge.builder().name("vitra_watchdog_last_success_timestamp_seconds")
                .help("When a pass last verified the executor's current checkpoint (verified or pending; Unix time)")
                .labelNames("monitor").register(registry);
        pendingItems = Gauge.builder().name("vitra_watchdog_pending_items")
                .help("Open pending findings: data the audit waits for").labelNames("monitor").register(registry);
        pendingOldestAge = Gauge.builder().name("vitra_watchdog_pending_oldest_age_seconds")
                .help("Age of the oldest open pending finding, 0 when there is none").labelNames("monitor").register(registry);
        fetches = Counter.builder().name("vitra_watchdog_http_fetches_total")
                .help("Resource fetches from log servers by outcome: ok, retry, or the failure's kind (not_found, timeout, ...)")
                .labelNames("monitor", "outcome").register(registry);
        alertAttempts = Counter.builder().name("vitra_watchdog_alert_attempts_total")
                .help("Alert delivery attempts by channel and outcome: delivered, retry (failed, tried again later), given_up")
                .labelNames("channel", "outcome").register(registry);
    }

    /** Counts one delivery attempt of an alert on {@code channel}. */
    public void alertAttempt(String channel, String outcome) {
        alertAttempts.labelValues(channel, outcome).inc();
    }

    /**
     * {@code vitra_watchdog_stale}, computed at every scrape from {@code staleness} (monitor name → stale now): each
     * monitor's own freshness deadline decides, counted from its last verified checkpoint or from the service's start.
     */
    public void staleness(java.util.function.Supplier<Map<String, Boolean>> staleness) {
        io.prometheus.metrics.core.metrics.GaugeWithCallback.builder().name("vitra_watchdog_stale")
                .help("1 when no pass verified the monitor's checkpoint within its freshness-deadline (since the service started"
                        + " if none has), else 0")
                .labelNames("monitor")
                .callback(cb -> staleness.get().forEach((monitor, stale) -> cb.call(stale ? 1 : 0, monitor)))
                .register(registry);
    }

    public PrometheusRegistry registry() {
        return registry;
    }

    /** Counts a monitor's fetches until it is removed. */
    public FetchObserver fetchObserver(String monitor, java.util.function.BooleanSupplier removed) {
        return outcome -> {
            if (!removed.getAsBoolean()) {
                fetches.labelValues(monitor, outcome).inc();
            }
        };
    }

    public void state(String monitor, String current) {
        for (String s : STATES) {
            state.labelValues(monitor, s).set(s.equals(current) ? 1 : 0);
        }
    }

    /** A finished pass: positions, findings and timings. */
    public synchronized void pass(String monitor, PassReport r, long nowMillis, long publishedSize, long lagEntriesNow,
            long lagSecondsNow) {
        boolean success = r.verdict() == dev.vitra.watchdog.audit.Verdict.VERIFIED || r.verdict() == dev.vitra.watchdog.audit.Verdict.PENDING;
        passDuration.labelValues(monitor).observe(r.duration().toNanos() / 1e9);
        passes.labelValues(monitor, r.verdict().name().toLowerCase(java.util.Locale.ROOT)).inc();
        transactions.labelValues(monitor).inc(r.transactions());
        lastPass.labelValues(monitor).set(nowMillis / 1000.0);
        if (success) {
            lastSuccess.labelValues(monitor).set(nowMillis / 1000.0);
        }
        indexSize.labelValues(monitor).set(r.indexSize());
        indexPublishedSize.labelValues(monitor).set(publishedSize);
        indexVerifiedPosition.labelValues(monitor).set(r.verifiedPosition());
        lagEntries.labelValues(monitor).set(lagEntriesNow);
        lagSeconds.labelValues(monitor).set(lagSecondsNow);
        Set<List<String>> logs = new HashSet<>();
        for (PassReport.LogPosition l : r.logs()) {
            List<String> labels = List.of(monitor, l.log().hex(), l.role().name().toLowerCase(java.util.Locale.ROOT));
            logVerifiedSize.labelValues(labels.toArray(String[]::new)).set(l.verifiedSize());
            logs.add(labels);
        }
        replaceSeries(logVerifiedSize, logSeries, monitor, logs);
        for (Rows.Finding f : r.newFindings()) {
            findingsRaised.labelValues(monitor, f.kind(), f.code()).inc();
        }
        openFindings(monitor, r.openFindings(), nowMillis);
    }

    /** The open findings of a monitor, by kind and code, and its pending items: after a pass, or as stored at start. */
    public synchronized void openFindings(String monitor, List<Rows.Finding> findings, long nowMillis) {
        Map<List<String>, Integer> open = new HashMap<>();
        long oldestPending = Long.MAX_VALUE;
        int pending = 0;
        for (Rows.Finding f : findings) {
            open.merge(List.of(monitor, f.kind(), f.code()), 1, Integer::sum);
            if (f.kind().equals("pending")) {
                pending++;
                oldestPending = Math.min(oldestPending, f.firstSeenAt());
            }
        }
        open.forEach((labels, n) -> openFindings.labelValues(labels.toArray(String[]::new)).set(n));
        replaceSeries(openFindings, findingSeries, monitor, open.keySet());
        pendingItems.labelValues(monitor).set(pending);
        pendingOldestAge.labelValues(monitor).set(pending == 0 ? 0 : Math.max(0, nowMillis - oldestPending) / 1000.0);
    }

    /** A pass that failed outside the audit's own findings. */
    public void passFailed(String monitor, long nowMillis, long lagSecondsNow) {
        passes.labelValues(monitor, "error").inc();
        lastPass.labelValues(monitor).set(nowMillis / 1000.0);
        lagSeconds.labelValues(monitor).set(lagSecondsNow);
    }

    /** Drops every series of a monitor that is no longer configured (the {@code monitor} label is always first). */
    public synchronized void remove(String monitor) {
        for (io.prometheus.metrics.core.metrics.StatefulMetric<?, ?> m : List.of(state, logVerifiedSize, indexSize, indexPublishedSize,
                indexVerifiedPosition, lagEntries, lagSeconds, transactions, passDuration, passes, openFindings, findingsRaised,
                lastPass, lastSuccess, pendingItems, pendingOldestAge, fetches)) {
            m.removeIf(labels -> labels.get(0).equals(monitor));
        }
        logSeries.remove(monitor);
        findingSeries.remove(monitor);
    }

    private static void replaceSeries(Gauge gauge, Map<String, Set<List<String>>> known, String monitor, Set<List<String>> now) {
        Set<List<String>> before = known.getOrDefault(monitor, Set.of());
        for (List<String> labels : before) {
            if (!now.contains(labels)) {
                gauge.remove(labels.toArray(String[]::new));
            }
        }
        known.put(monitor, new HashSet<>(now));
    }
}
