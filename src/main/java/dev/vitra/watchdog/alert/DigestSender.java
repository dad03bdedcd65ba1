package dev.vitra.watchdog.alert;

import dev.vitra.watchdog.config.WatchdogConfig;
import dev.vitra.watchdog.merkle.TreeHasher;
import dev.vitra.watchdog.note.LogId;
import dev.vitra.watchdog.store.AuditStore;
import dev.vitra.watchdog.store.Rows;
import dev.vitra.watchdog.store.StoreSession;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.TemporalAdjusters;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The optional digest (docs/alerts.md): once per period (daily, or weekly on Mondays, at a UTC time) an email per
 * digest channel summarising every monitor: its status, what is open, what was found and resolved in the period. A
 * period's digest is recorded once it is delivered, so it goes out once; a failed send is tried again with backoff.
 * The first period after a channel is configured is recorded as skipped (a digest covers a whole period).
 */
public final class DigestSender {
    private static final Logger LOG = LoggerFactory.getLogger(DigestSender.class);

    private final WatchdogConfig.Digest config;
    private final Map<String, EmailChannel> channels;
    private final AlertTemplates templates;
    private final AuditStore store;
    private final Clock clock;
    private volatile Map<LogId, String> names;
    private final Map<String, Long> retryAt = new HashMap<>();
    private final Map<String, Integer> failures = new HashMap<>();

    public DigestSender(WatchdogConfig.Digest config, Map<String, EmailChannel> channels, AlertTemplates templates,
            AuditStore store, Clock clock, WatchdogConfig watchdog) {
        this.config = config;
        this.channels = Map.copyOf(channels);
        this.templates = templates;
        this.store = store;
        this.clock = clock;
        update(watchdog);
    }

    /** The monitors' names after a reload. */
    public void update(WatchdogConfig watchdog) {
        Map<LogId, String> n = new HashMap<>();
        watchdog.monitors().forEach(m -> n.put(m.indexLog(), m.name()));
        names = Map.copyOf(n);
    }

    /** The start of the period that contains {@code now}: the latest daily (or Monday) boundary at the configured time. */
    static Instant periodStart(Instant now, boolean weekly, java.time.LocalTime at) {
        ZonedDateTime t = now.atZone(ZoneOffset.UTC);
        LocalDate day = t.toLocalDate();
        if (weekly) {
            day = day.with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY));
        }
        ZonedDateTime start = day.atTime(at).atZone(ZoneOffset.UTC);
        if (start.isAfter(t)) {
            start = start.minusDays(weekly ? 7 : 1);
        }
        return start.toInstant();
    }

    /** Sends what is due; returns how many digests went out. */
    public int tick() {
        Instant now = clock.instant();
        Instant end = periodStart(now, config.weekly(), config.at());
        Instant start = end.minus(Duration.ofDays(config.weekly() ? 7 : 1));
        int sent = 0;
        for (String channel : config.channels()) {
            if (retryAt.getOrDefault(channel, 0L) > now.toEpochMilli()) {
                continue;
            }
            try (StoreSession session = store.session()) {
                if (session.digestRecorded(channel, end.toEpochMilli())) {
                    continue;
                }
                String messageId = messageId(channel, end);
                if (!session.anyDigest(channel)) {
                    // The period running now began before the channel was configured: its digest (due at the next
                    // boundary) is skipped, and the first one covers the whole period after it.
                    Instant next = end.plus(Duration.ofDays(config.weekly() ? 7 : 1));
                    session.recordDigest(channel, next.toEpochMilli(), "skipped", messageId(channel, next), now.toEpochMilli());
                    session.commit();
                    LOG.info("digest on {}: the first covers {} to {} (the period running now began before it was configured)",
                            channel, next, next.plus(Duration.ofDays(config.weekly() ? 7 : 1)));
                    continue;
                }
                AlertTemplates.Rendered r = templates.render("digest", variables(session, start, end, messageId));
                String answer = channels.get(channel).send(r, messageId, "X-Vitra-Watchdog-Digest", start + "/" + end,
                        Optional.empty());
                session.recordDigest(channel, end.toEpochMilli(), "delivered", messageId, clock.millis());
                session.commit();
                failures.remove(channel);
                retryAt.remove(channel);
                LOG.info("digest for {} to {} delivered on {}: {}", start, end, channel, answer);
                sent++;
            } catch (AlertChannel.DeliveryException | RuntimeException e) {
                int n = failures.merge(channel, 1, Integer::sum);
                long delay = Math.min(Duration.ofHours(1).toMillis(), Duration.ofMinutes(1).toMillis() << Math.min(n - 1, 6));
                retryAt.put(channel, now.toEpochMilli() + delay);
                LOG.warn("digest on {} not delivered (attempt {}), tried again in {} s: {}", channel, n, delay / 1000, e.getMessage());
            }
        }
        return sent;
    }

    private static String messageId(String channel, Instant end) {
        String hash = new TreeHasher().sha256((channel + "|digest|" + end).getBytes(StandardCharsets.UTF_8)).toHex();
        return "<digest-" + hash.substring(0, 32) + "@vitra-watchdog>";
    }

    private Map<String, Object> variables(StoreSession session, Instant start, Instant end, String messageId) {
        long from = start.toEpochMilli();
        long to = end.toEpochMilli();
        List<Map<String, Object>> monitors = new ArrayList<>();
        int breached = 0;
        int openFraud = 0;
        int openAvailability = 0;
        for (Rows.Database db : session.databases()) {
            String name = names.get(db.indexLog());
            if (name == null) {
                continue; // no longer monitored
            }
            List<Rows.Finding> all = session.findings(db.id());
            List<Rows.Finding> open = all.stream().filter(f -> f.resolvedAt().isEmpty()).toList();
            List<Rows.Finding> found = all.stream().filter(f -> f.firstSeenAt() >= from && f.firstSeenAt() < to).toList();
            long resolved = all.stream().filter(f -> f.resolvedAt().isPresent() && f.resolvedAt().getAsLong() >= from
                    && f.resolvedAt().getAsLong() < to && !f.kind().equals("notice")).count();
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", name);
            m.put("database", db.indexLog().hex());
            m.put("status", db.status().name().toLowerCase(java.util.Locale.ROOT));
            m.put("verifiedEntries", db.nextPosition());
            m.put("openFraud", count(open, "fraud"));
            m.put("openAvailability", count(open, "availability"));
            m.put("openPending", count(open, "pending"));
            m.put("found", found.size());
            m.put("resolved", resolved);
            m.put("foundCodes", String.join(", ", found.stream().map(f -> f.kind() + " " + f.code()).distinct().toList()));
            monitors.add(m);
            breached += db.status() == Rows.DatabaseStatus.BREACHED ? 1 : 0;
            openFraud += count(open, "fraud");
            openAvailability += count(open, "availability");
        }
        monitors.sort((a, b) -> ((String) a.get("name")).compareTo((String) b.get("name")));
        return variables(config.weekly() ? "weekly" : "daily", start, end, monitors, breached, openFraud, openAvailability,
                messageId);
    }

    private static Map<String, Object> variables(String period, Instant start, Instant end, List<Map<String, Object>> monitors,
            int breached, int openFraud, int openAvailability, String messageId) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("period", period);
        v.put("periodStart", start.toString());
        v.put("periodEnd", end.toString());
        v.put("monitors", monitors);
        v.put("monitorCount", monitors.size());
        v.put("breached", breached);
        v.put("openFraud", openFraud);
        v.put("openAvailability", openAvailability);
        v.put("allVerified", breached == 0 && openFraud == 0 && openAvailability == 0);
        v.put("messageId", messageId);
        return v;
    }

    private static int count(List<Rows.Finding> findings, String kind) {
        return (int) findings.stream().filter(f -> f.kind().equals(kind)).count();
    }

    /** Every digest variable set, for checking templates. */
    static Map<String, Object> sample() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", "monitor");
        m.put("database", "0".repeat(64));
        m.put("status", "auditing");
        m.put("verifiedEntries", 10L);
        m.put("openFraud", 0);
        m.put("openAvailability", 1);
        m.put("openPending", 0);
        m.put("found", 1);
        m.put("resolved", 0L);
        m.put("foundCodes", "availability LogUnreachable");
        return variables("daily", Instant.EPOCH, Instant.EPOCH.plus(Duration.ofDays(1)), List.of(m), 0, 0, 1, "<id@vitra-watchdog>");
    }
}
