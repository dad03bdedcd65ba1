package dev.vitra.watchdog.alert;

import dev.vitra.watchdog.config.WatchdogConfig;
import dev.vitra.watchdog.merkle.TreeHasher;
import dev.vitra.watchdog.note.LogId;
import dev.vitra.watchdog.store.AuditStore;
import dev.vitra.watchdog.store.FindingListener;
import dev.vitra.watchdog.store.Rows;
import dev.vitra.watchdog.store.StoreSession;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Decides which alerts go where and puts them in the outbox (docs/alerts.md). A fraud finding and a governance notice
 * are alerted in the transaction that records them; so is a resolved incident that was alerted. Availability findings
 * are alerted once they have lasted {@code availability-after}, and every open incident is notified again per
 * channel ({@code renotify-every}, an Alertmanager channel's {@code repeat-every}): both by {@link #tick}, which only
 * plans from stored findings and can therefore run at any time, any number of times.
 *
 * <p>Every alert has a dedup key (finding, channel, event, repeat number), so planning the same alert twice inserts it
 * once, and a stable message id, which every delivery attempt carries.
 */
public final class AlertPlanner implements FindingListener {
    public static final String FIRING = "firing";
    public static final String REPEAT = "repeat";
    public static final String RESOLVED = "resolved";

    private record Plan(WatchdogConfig.Alerts alerts, Map<LogId, WatchdogConfig.Monitor> monitors) {
    }

    private volatile Plan plan;
    /** Database ids never change; their index logs are looked up once. */
    private final Map<Long, LogId> indexLogs = new java.util.concurrent.ConcurrentHashMap<>();

    public AlertPlanner(WatchdogConfig config) {
        update(config);
    }

    /** Takes the routes of a reloaded configuration (monitors added, removed, rerouted). */
    public void update(WatchdogConfig config) {
        Map<LogId, WatchdogConfig.Monitor> byIndex = new HashMap<>();
        for (WatchdogConfig.Monitor m : config.monitors()) {
            byIndex.put(m.indexLog(), m);
        }
        plan = new Plan(config.alerts(), Map.copyOf(byIndex));
    }

    private Optional<WatchdogConfig.Monitor> monitorOf(StoreSession session, long dbId) {
        LogId index = indexLogs.computeIfAbsent(dbId, id -> session.databaseById(id).map(Rows.Database::indexLog).orElse(null));
        return index == null ? Optional.empty() : Optional.ofNullable(plan.monitors().get(index));
    }

    @Override
    public void recorded(StoreSession session, Rows.Finding finding, long now) {
        Plan p = plan;
        Optional<WatchdogConfig.Monitor> monitor = monitorOf(session, finding.dbId());
        if (monitor.isEmpty()) {
            return;
        }
        boolean alertNow = switch (finding.kind()) {
            case "fraud", "notice" -> true;
            case "availability" -> p.alerts().availabilityAfter().isZero();
            default -> false; // pending: an availability finding once its deadline passes
        };
        if (alertNow) {
            for (String channel : monitor.get().alerts().of(finding.kind())) {
                insert(session, finding, channel, monitor.get(), FIRING, 0, now);
            }
        }
    }

    @Override
    public void resolved(StoreSession session, Rows.Finding finding, long now) {
        if (finding.kind().equals("notice")) {
            return; // an event, closed as it is recorded
        }
        Optional<WatchdogConfig.Monitor> monitor = monitorOf(session, finding.dbId());
        String name = monitor.map(WatchdogConfig.Monitor::name).orElse(null);
        // Whoever was told it fired is told it is over, even if the channel is no longer routed.
        for (Rows.Alert a : session.alertsOfFinding(finding.id())) {
            if (a.event().equals(FIRING)) {
                insert(session, finding, a.channel(), name == null ? a.monitor() : name, RESOLVED, 0, now);
            }
        }
    }

    /**
     * Plans what time makes due: availability findings that have lasted long enough, and repeats of open incidents.
     * Skips a database whose pass holds it (the pass's own commits plan its findings). Returns the alerts added.
     */
    public int tick(AuditStore store, long now) {
        Plan p = plan;
        int added = 0;
        List<Rows.Database> databases;
        try (StoreSession session = store.session()) {
            databases = session.databases();
        }
        for (Rows.Database db : databases) {
            indexLogs.put(db.id(), db.indexLog());
            WatchdogConfig.Monitor monitor = p.monitors().get(db.indexLog());
            if (monitor == null) {
                continue;
            }
            Optional<AutoCloseable> lease = store.lease(db.indexLog());
            if (lease.isEmpty()) {
                continue;
            }
            try (StoreSession session = store.session()) {
                for (Rows.Finding f : session.openFindings(db.id())) {
                    added += tick(session, p, monitor, f, now);
                }
                session.commit();
            } finally {
                release(lease.get());
            }
        }
        return added;
    }

    private static void release(AutoCloseable lease) {
        try {
            lease.close();
        } catch (Exception e) {
            throw new IllegalStateException("releasing a database lease", e);
        }
    }

    private int tick(StoreSession session, Plan p, WatchdogConfig.Monitor monitor, Rows.Finding f, long now) {
        if (!f.kind().equals("fraud") && !f.kind().equals("availability")) {
            return 0;
        }
        int added = 0;
        List<Rows.Alert> sent = session.alertsOfFinding(f.id());
        for (String channel : monitor.alerts().of(f.kind())) {
            List<Rows.Alert> here = sent.stream().filter(a -> a.channel().equals(channel)).toList();
            boolean fired = here.stream().anyMatch(a -> a.event().equals(FIRING));
            if (!fired) {
                if (f.kind().equals("fraud") || now - f.firstSeenAt() >= p.alerts().availabilityAfter().toMillis()) {
                    added += insert(session, f, channel, monitor, FIRING, 0, now) ? 1 : 0;
                }
                continue;
            }
            long last = here.stream().mapToLong(Rows.Alert::createdAt).max().orElse(now);
            int repeats = (int) here.stream().filter(a -> a.event().equals(REPEAT)).count();
            if (now - last >= repeatEvery(p.alerts(), channel).toMillis()) {
                added += insert(session, f, channel, monitor, REPEAT, repeats + 1, now) ? 1 : 0;
            }
        }
        return added;
    }

    static Duration repeatEvery(WatchdogConfig.Alerts alerts, String channel) {
        return alerts.channels().get(channel) instanceof WatchdogConfig.Channel.Alertmanager am ? am.repeatEvery()
                : alerts.renotifyEvery();
    }

    private boolean insert(StoreSession session, Rows.Finding f, String channel, WatchdogConfig.Monitor monitor, String event,
            int repeat, long now) {
        return insert(session, f, channel, monitor.name(), event, repeat, now);
    }

    private boolean insert(StoreSession session, Rows.Finding f, String channel, String monitor, String event, int repeat,
            long now) {
        String dedupKey = f.id() + ":" + channel + ":" + event + (repeat > 0 ? ":" + repeat : "");
        LogId index = indexLogs.get(f.dbId());
        return session.insertAlert(f.dbId(), f.id(), channel, monitor, f.kind(), event, dedupKey, messageId(index, dedupKey), now);
    }

    /** Globally unique and stable: the database's index log and the alert's dedup key, hashed. */
    static String messageId(LogId index, String dedupKey) {
        String seed = (index == null ? "-" : index.hex()) + "|" + dedupKey;
        String hash = new TreeHasher().sha256(seed.getBytes(StandardCharsets.UTF_8)).toHex();
        return "<" + hash.substring(0, 40) + "@vitra-watchdog>";
    }
}
