package dev.vitra.watchdog.alert;

import dev.vitra.watchdog.config.WatchdogConfig;
import dev.vitra.watchdog.metrics.WatchdogMetrics;
import dev.vitra.watchdog.store.AuditStore;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The service's alerting (docs/alerts.md): the planner, told of every finding in its transaction; a ticker that plans
 * what time makes due (availability after its grace, repeats); the sender that delivers the outbox.
 * A poll is traced scheduler → audit (findings) → {@link AlertPlanner} (outbox) → {@link AlertSender} → channel.
 */
public final class Alerting implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Alerting.class);

    /** Timing, shortened by tests. */
    public record Timing(Duration tick, Duration poll, AlertSender.Backoff backoff) {
        public static final Timing DEFAULT = new Timing(Duration.ofSeconds(15), Duration.ofSeconds(1), AlertSender.Backoff.DEFAULT);
    }

    private final AuditStore store;
    private final AlertPlanner planner;
    private final AlertSender sender;
    private final ScheduledExecutorService ticker;
    private final Clock clock;
    private final Timing timing;
    private final java.util.Optional<WatchdogConfig.Heartbeat> heartbeatConfig;
    private final int monitors;
    private ScheduledExecutorService heartbeats;
    private final java.util.Optional<DigestSender> digest;
    private Heartbeat heartbeat;

    private Alerting(AuditStore store, AlertPlanner planner, AlertSender sender, Clock clock, Timing timing,
            WatchdogConfig config, java.util.Optional<DigestSender> digest) {
        this.digest = digest;
        this.heartbeatConfig = config.alerts().heartbeat();
        this.monitors = config.monitors().size();
        this.store = store;
        this.planner = planner;
        this.sender = sender;
        this.clock = clock;
        this.timing = timing;
        this.ticker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "alerts-planner");
            t.setDaemon(true);
            return t;
        });
    }

    /** Builds the channels with the loaded templates; nothing runs until {@link #start()}. */
    public static Alerting create(WatchdogConfig config, AlertTemplates templates, AuditStore store, WatchdogMetrics metrics,
            Clock clock, Timing timing) {
        Map<String, AlertChannel> channels = new LinkedHashMap<>();
        for (WatchdogConfig.Channel c : config.alerts().channels().values()) {
            channels.put(c.name(), switch (c) {
                case WatchdogConfig.Channel.Email e -> new EmailChannel(e, config.alerts().smtp().orElseThrow(), templates);
                case WatchdogConfig.Channel.Webhook w -> new WebhookChannel(w);
                case WatchdogConfig.Channel.Alertmanager a -> new AlertmanagerChannel(a, clock, timing.tick());
            });
        }
        AlertPlanner planner = new AlertPlanner(config);
        AlertSender sender = new AlertSender(store, channels, config.alerts().maxAttempts(), timing.backoff(), clock, metrics,
                timing.poll());
        java.util.Optional<DigestSender> digest = config.alerts().digest().map(d -> {
            Map<String, EmailChannel> mail = new LinkedHashMap<>();
            d.channels().forEach(name -> mail.put(name, (EmailChannel) channels.get(name)));
            return new DigestSender(d, mail, templates, store, clock, config);
        });
        return new Alerting(store, planner, sender, clock, timing, config, digest);
    }

    public void start() {
        store.setFindingListener(planner);
        sender.start();
        ticker.scheduleWithFixedDelay(this::tick, 0, timing.tick().toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Starts the heartbeat, if one is configured: sent while {@code healthy} holds (scheduler running, store reachable). */
    public void startHeartbeat(java.util.function.BooleanSupplier healthy) {
        if (heartbeatConfig.isEmpty()) {
            return;
        }
        heartbeat = new Heartbeat(heartbeatConfig.get(), monitors, healthy, clock);
        heartbeats = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "alerts-heartbeat");
            t.setDaemon(true);
            return t;
        });
        Heartbeat h = heartbeat;
        heartbeats.scheduleAtFixedRate(() -> {
            try {
                h.beat();
            } catch (RuntimeException e) {
                LOG.warn("heartbeat: {}", e.toString());
            }
        }, 0, heartbeatConfig.get().every().toMillis(), TimeUnit.MILLISECONDS);
    }

    private void tick() {
        try {
            if (planner.tick(store, clock.millis()) > 0) {
                sender.wakeUp();
            }
            digest.ifPresent(DigestSender::tick);
        } catch (RuntimeException e) {
            LOG.warn("alert planning failed (tried again in {}): {}", timing.tick(), e.getMessage());
        }
    }

    /** Routes of a reloaded configuration (monitors added, removed, rerouted); channels need a restart. */
    public void update(WatchdogConfig config) {
        planner.update(config);
        digest.ifPresent(d -> d.update(config));
    }

    @Override
    public void close() {
        ticker.shutdownNow();
        if (heartbeats != null) {
            heartbeats.shutdownNow();
            heartbeat.close();
        }
        store.setFindingListener(dev.vitra.watchdog.store.FindingListener.NONE);
        sender.close();
    }
}
