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
    private final Map<Long, Rows.Database> knownDatabases = new java.util.concurrent.ConcurrentHashMap<>();

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
        Rows.Database db = database(session, dbId);
        LogId index = db == null ? null : db.indexLog();
        return index == null ? Optional.empty() : Optional.ofNullable(plan.monitors().get(index));
    }

    @Override
    public void recorded(StoreSession session, Rows.Finding finding, long now) {
        Optional<WatchdogConfig.Monitor> monitor = monitorOf(session, finding.dbId());
        if (monitor.isEmpty()) {
            return;
        }
        switch (finding.kind()) {
            case "fraud", "notice" -> {
                for (String channel : monitor.get().alerts().of(finding.kind())) {
                    insert(session, finding, findingIncident(finding), channel, monitor.get().name(), FIRING, 0, now);
                }
            }
            case "availability" -> {
                if (isRecord(finding.code())) {
                    for (String channel : monitor.get().alerts().of("availability")) {
                        insert(session, finding, findingIncident(finding), channel, monitor.get().name(), FIRING, 0, now);
                    }
                } else {
                    planAvailability(session, plan, monitor.get(), finding.dbId(), finding.code(), now, false);
                }
            }
            default -> {
                // pending: an availability finding once its deadline passes
            }
        }
    }

    /**
     * Availability codes that record something that happened rather than a condition that lasts: a transaction whose
     * result depends on the JavaScript engine stays open for the record, but there is nothing to wait for or to clear.
     * Each is told once, when it is recorded; never repeated, never resolved.
     */
    static boolean isRecord(String code) {
        return code.equals("EngineDependentResult");
    }

    @Override
    public void resolved(StoreSession session, Rows.Finding finding, long now) {
        switch (finding.kind()) {
            case "fraud" -> {
                // Whoever was told it fired is told it is over (an operator accepted a fork), routed or not any more.
                String name = monitorOf(session, finding.dbId()).map(WatchdogConfig.Monitor::name).orElse(null);
                for (String channel : session.alertedChannels(finding.dbId(), finding.code())) {
                    List<Rows.Alert> sent = session.incidentAlerts(finding.dbId(), finding.code(), findingIncident(finding), channel);
                    if (sent.stream().anyMatch(a -> a.event().equals(FIRING))) {
                        insert(session, finding, findingIncident(finding), channel, name == null ? sent.getFirst().monitor() : name,
                                RESOLVED, 0, now);
                    }
                }
            }
            case "availability" -> {
                if (!isRecord(finding.code())) {
                    monitorOf(session, finding.dbId())
                            .ifPresent(m -> planAvailability(session, plan, m, finding.dbId(), finding.code(), now, false));
                }
            }
            default -> {
                // a notice is an event, closed as it is recorded; pending is never alerted
            }
        }
    }

    private static String findingIncident(Rows.Finding f) {
        return "finding#" + f.id();
    }

    /**
     * The availability incident of one code in one database, per channel: it fires once an open finding of the code
     * has lasted {@code availability-after}, repeats while any is open, and resolves when none is. Returns the alerts
     * added.
     */
    private int planAvailability(StoreSession session, Plan p, WatchdogConfig.Monitor monitor, long dbId, String code, long now,
            boolean repeats) {
        List<Rows.Finding> open = session.openFindings(dbId).stream()
                .filter(f -> f.kind().equals("availability") && f.code().equals(code)).toList();
        int added = 0;
        java.util.Set<String> channels = new java.util.LinkedHashSet<>(monitor.alerts().of("availability"));
        if (open.isEmpty()) {
            channels.addAll(session.alertedChannels(dbId, code)); // whoever was told it fired is told it is over
        }
        for (String channel : channels) {
            Optional<Rows.Alert> latest = session.latestAlert(dbId, code, channel);
            boolean active = latest.isPresent() && !latest.get().event().equals(RESOLVED);
            if (open.isEmpty()) {
                if (active) {
                    Rows.Finding opener = session.finding(latest.get().findingId()).orElseThrow();
                    added += insert(session, opener, latest.get().incident(), channel, monitor.name(), RESOLVED, 0, now) ? 1 : 0;
                }
            } else if (!active) {
                Rows.Finding oldest = open.getFirst();
                if (now - oldest.firstSeenAt() >= p.alerts().availabilityAfter().toMillis()) {
                    added += insert(session, oldest, code + "#" + oldest.id(), channel, monitor.name(), FIRING, 0, now) ? 1 : 0;
                }
            } else if (repeats) {
                added += repeat(session, p, monitor, dbId, code, latest.get().incident(), channel, now);
            }
        }
        return added;
    }

    private int repeat(StoreSession session, Plan p, WatchdogConfig.Monitor monitor, long dbId, String code, String incident,
            String channel, long now) {
        List<Rows.Alert> sent = session.incidentAlerts(dbId, code, incident, channel);
        if (sent.isEmpty() || sent.stream().anyMatch(a -> a.event().equals(RESOLVED))) {
            return 0;
        }
        Rows.Alert last = sent.getLast();
        if (now - last.createdAt() < repeatEvery(p.alerts(), channel).toMillis()) {
            return 0;
        }
        int repeats = (int) sent.stream().filter(a -> a.event().equals(REPEAT)).count();
        Rows.Finding about = session.finding(last.findingId()).orElseThrow();
        return insert(session, about, incident, channel, monitor.name(), REPEAT, repeats + 1, now) ? 1 : 0;
    }

    /**
     * Plans what time makes due: availability incidents whose findings have lasted long enough, and repeats of open
     * incidents. Skips a database whose pass holds it (that pass's commits plan its findings). Returns the alerts added.
     */
    public int tick(AuditStore store, long now) {
        Plan p = plan;
        if (p.monitors().values().stream().allMatch(m -> m.alerts().fraud().isEmpty() && m.alerts().availability().isEmpty())) {
            return 0; // nothing is routed anywhere: no store reads at all
        }
        List<Rows.Database> databases;
        Map<Long, List<Rows.Finding>> openByDb = new HashMap<>();
        try (StoreSession session = store.session()) {
            databases = session.databases();
            for (Rows.Finding f : session.openFindingsOfAll()) {
                if (f.kind().equals("fraud") || f.kind().equals("availability") && !isRecord(f.code())) {
                    openByDb.computeIfAbsent(f.dbId(), k -> new java.util.ArrayList<>()).add(f);
                }
            }
        }
        int added = 0;
        for (Rows.Database db : databases) {
            knownDatabases.put(db.id(), db);
            WatchdogConfig.Monitor monitor = p.monitors().get(db.indexLog());
            // Resolutions are planned as findings resolve; what time makes due concerns open findings only.
            if (monitor == null || !openByDb.containsKey(db.id())) {
                continue;
            }
            Optional<AutoCloseable> lease = store.lease(db.indexLog());
            if (lease.isEmpty()) {
                continue;
            }
            try (StoreSession session = store.session()) {
                List<Rows.Finding> open = session.openFindings(db.id());
                for (String code : open.stream().filter(f -> f.kind().equals("availability") && !isRecord(f.code()))
                        .map(Rows.Finding::code).distinct().toList()) {
                    added += planAvailability(session, p, monitor, db.id(), code, now, true);
                }
                for (Rows.Finding f : open) {
                    if (f.kind().equals("fraud")) {
                        for (String channel : monitor.alerts().of("fraud")) {
                            added += repeat(session, p, monitor, db.id(), f.code(), findingIncident(f), channel, now);
                        }
                    }
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

    static Duration repeatEvery(WatchdogConfig.Alerts alerts, String channel) {
        return alerts.channels().get(channel) instanceof WatchdogConfig.Channel.Alertmanager am ? am.repeatEvery()
                : alerts.renotifyEvery();
    }

    private boolean insert(StoreSession session, Rows.Finding about, String incident, String channel, String monitor,
            String event, int repeat, long now) {
        String dedupKey = incident + ":" + channel + ":" + event + (repeat > 0 ? ":" + repeat : "");
        Rows.Database db = database(session, about.dbId());
        return session.insertAlert(about.dbId(), about.id(), about.code(), incident, channel, monitor, about.kind(), event, dedupKey,
                messageId(db, dedupKey), now);
    }

    /** A database's row (its id never changes, so it is looked up once). */
    private Rows.Database database(StoreSession session, long dbId) {
        return knownDatabases.computeIfAbsent(dbId, id -> session.databaseById(id).orElse(null));
    }

    /**
     * Globally unique and stable: the database's index log, when this store first saw it, and the alert's dedup key,
     * hashed. (Finding ids restart in a new store: without the time, a new incident could reuse an old incident's id,
     * and a receiver that drops repeats would drop it.)
     */
    static String messageId(Rows.Database db, String dedupKey) {
        String seed = (db == null ? "-" : db.indexLog().hex() + "@" + db.createdAt()) + "|" + dedupKey;
        String hash = new TreeHasher().sha256(seed.getBytes(StandardCharsets.UTF_8)).toHex();
        return "<" + hash.substring(0, 40) + "@vitra-watchdog>";
    }
}
