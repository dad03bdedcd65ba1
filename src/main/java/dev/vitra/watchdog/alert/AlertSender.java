package dev.vitra.watchdog.alert;

import dev.vitra.watchdog.metrics.WatchdogMetrics;
import dev.vitra.watchdog.store.AuditStore;
import dev.vitra.watchdog.store.Rows;
import dev.vitra.watchdog.store.StoreSession;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers the outbox: a thread per channel (a slow mail server never holds up a webhook) takes the alerts due, and
 * for each records that an attempt starts (committed), asks the channel, and records the outcome: delivered once the
 * channel accepted it, else tried again after an exponential backoff with jitter, and given up after
 * {@code maxAttempts}. A crash between the channel's acceptance and the record repeats that delivery once, with the
 * same message id.
 */
public final class AlertSender implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AlertSender.class);
    /** Alerts taken per round; the rest wait for the next one. */
    private static final int BATCH = 20;

    /** Backoff before attempt n+1: {@code first} doubled per attempt, at most {@code max}, times 0.8–1.2. */
    public record Backoff(Duration first, Duration max) {
        public static final Backoff DEFAULT = new Backoff(Duration.ofSeconds(10), Duration.ofMinutes(30));

        long delayMillis(int attempt) {
            double base = Math.min((double) max.toMillis(), first.toMillis() * Math.pow(2, Math.min(attempt - 1, 30)));
            return (long) (base * (0.8 + 0.4 * ThreadLocalRandom.current().nextDouble()));
        }
    }

    private final AuditStore store;
    private final Map<String, AlertChannel> channels;
    private final int maxAttempts;
    private final Backoff backoff;
    private final Clock clock;
    private final WatchdogMetrics metrics;
    private final Duration poll;
    private final List<Thread> threads = new ArrayList<>();
    private final Object wake = new Object();
    private volatile boolean stopping;

    public AlertSender(AuditStore store, Map<String, AlertChannel> channels, int maxAttempts, Backoff backoff, Clock clock,
            WatchdogMetrics metrics, Duration poll) {
        this.store = store;
        this.channels = Map.copyOf(channels);
        this.maxAttempts = maxAttempts;
        this.backoff = backoff;
        this.clock = clock;
        this.metrics = metrics;
        this.poll = poll;
    }

    public void start() {
        for (AlertChannel channel : channels.values()) {
            Thread t = new Thread(() -> run(channel), "alerts-" + channel.name());
            t.setDaemon(true);
            threads.add(t);
            t.start();
        }
    }

    /** Something was added to the outbox: look now rather than at the next poll. */
    public void wakeUp() {
        synchronized (wake) {
            wake.notifyAll();
        }
    }

    private void run(AlertChannel channel) {
        while (!stopping) {
            try {
                int sent = deliverDue(channel);
                if (sent == 0) {
                    synchronized (wake) {
                        if (!stopping) {
                            wake.wait(poll.toMillis());
                        }
                    }
                }
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                // The store failed (unreachable, say): nothing was marked, so nothing is lost; try again later.
                LOG.warn("alerts on {}: {}", channel.name(), e.getMessage());
                try {
                    Thread.sleep(poll.toMillis());
                } catch (InterruptedException stop) {
                    return;
                }
            }
        }
    }

    /** Delivers what is due on {@code channel} now; returns how many alerts it attempted. */
    public int deliverDue(AlertChannel channel) {
        List<Rows.Alert> due;
        try (StoreSession session = store.session()) {
            due = session.dueAlerts(channel.name(), clock.millis(), BATCH);
        }
        for (Rows.Alert alert : due) {
            if (stopping) {
                break;
            }
            attempt(channel, alert);
        }
        return due.size();
    }

    private void attempt(AlertChannel channel, Rows.Alert alert) {
        int attempt = alert.attempts() + 1;
        AlertContent content;
        try (StoreSession session = store.session()) {
            if (!alert.event().equals(AlertPlanner.RESOLVED) && session.incidentAlerts(alert.dbId(), alert.code(), alert.incident(),
                    alert.channel()).stream().anyMatch(a -> a.event().equals(AlertPlanner.RESOLVED))) {
                // Sent after the resolution, a firing or repeat would open the incident again (Alertmanager would
                // show it active until its endsAt): once resolved, what is still undelivered is dropped.
                session.startAlertAttempt(alert.id(), attempt, clock.millis());
                session.alertFailed(alert.id(), attempt, "superseded: the incident was resolved before this was delivered",
                        OptionalLong.empty(), clock.millis());
                session.commit();
                metrics.alertAttempt(channel.name(), "superseded");
                LOG.info("{} {} alert {} on {}: superseded by the incident's resolution", alert.event(), alert.kind(),
                        alert.messageId(), channel.name());
                return;
            }
            session.startAlertAttempt(alert.id(), attempt, clock.millis());
            session.commit();
            Rows.Finding finding = session.finding(alert.findingId()).orElseThrow();
            Rows.Database db = session.databaseById(alert.dbId()).orElseThrow();
            Optional<byte[]> proof = finding.proofId().isPresent() ? session.proof(finding.id()) : Optional.empty();
            content = new AlertContent(alert, finding, db, proof);
        }
        String outcome;
        String detail;
        boolean delivered;
        try {
            detail = channel.deliver(content);
            delivered = true;
        } catch (AlertChannel.DeliveryException e) {
            detail = e.getMessage();
            delivered = false;
        } catch (RuntimeException e) {
            detail = "the channel failed: " + e;
            delivered = false;
        }
        try (StoreSession session = store.session()) {
            long now = clock.millis();
            if (delivered) {
                session.alertDelivered(alert.id(), attempt, detail, now);
                outcome = "delivered";
            } else {
                OptionalLong retryAt = attempt >= maxAttempts ? OptionalLong.empty() : OptionalLong.of(now + backoff.delayMillis(attempt));
                session.alertFailed(alert.id(), attempt, detail, retryAt, now);
                outcome = retryAt.isPresent() ? "retry" : "given_up";
            }
            session.commit();
        }
        metrics.alertAttempt(channel.name(), outcome);
        String what = alert.event() + " " + alert.kind() + " alert " + alert.messageId() + " of monitor " + alert.monitor()
                + " (finding " + alert.findingId() + ") on " + channel.name();
        switch (outcome) {
            case "delivered" -> LOG.info("{} delivered (attempt {}): {}", what, attempt, detail);
            case "retry" -> LOG.warn("{} not delivered (attempt {} of {}), tried again later: {}", what, attempt, maxAttempts, detail);
            default -> LOG.error("{} given up after {} attempts: {}", what, attempt, detail);
        }
    }

    @Override
    public void close() {
        stopping = true;
        wakeUp();
        for (Thread t : threads) {
            try {
                t.join(Duration.ofSeconds(30).toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        for (AlertChannel c : channels.values()) {
            c.close();
        }
    }
}
