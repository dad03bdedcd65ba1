package dev.vitra.watchdog.service;

import dev.vitra.watchdog.alert.AlertTemplates;
import dev.vitra.watchdog.alert.Alerting;
import dev.vitra.watchdog.config.ConfigException;
import dev.vitra.watchdog.config.ConfigLoader;
import dev.vitra.watchdog.config.WatchdogConfig;
import dev.vitra.watchdog.contract.ContractEngine;
import dev.vitra.watchdog.contract.ContractLimits;
import dev.vitra.watchdog.contract.RuntimeMode;
import dev.vitra.watchdog.http.StatusServer;
import dev.vitra.watchdog.metrics.WatchdogMetrics;
import dev.vitra.watchdog.schedule.MonitorScheduler;
import dev.vitra.watchdog.store.AuditStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.quartz.SchedulerException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The watchdog as a service: the store, one contract engine, the scheduler with a job per monitor, the metrics and
 * the HTTP listener, and configuration reloads (SIGHUP, or the file changing on disk). See docs/service.md.
 * A poll is traced scheduler ({@link MonitorScheduler}) → audit ({@code Auditor}) → findings and proofs (store)
 * → metrics and status.
 */
public final class WatchdogService implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(WatchdogService.class);

    private final AuditStore store;
    private final ContractEngine engine;
    private final MonitorScheduler scheduler;
    private final StatusServer http;
    private final Alerting alerting;
    private final ScheduledExecutorService watcher;
    private volatile FileTime configModified;
    private boolean closed;

    private WatchdogService(WatchdogConfig config, AuditStore store, ContractEngine engine, MonitorScheduler scheduler,
            StatusServer http, Alerting alerting) {
        this.store = store;
        this.engine = engine;
        this.scheduler = scheduler;
        this.http = http;
        this.alerting = alerting;
        this.configModified = modified(config);
        this.watcher = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "config-watcher");
            t.setDaemon(true);
            return t;
        });
    }

    /** Opens the store, builds everything and starts the schedules, the alerts and the listener. */
    public static WatchdogService start(WatchdogConfig config) throws IOException, SchedulerException,
            AlertTemplates.TemplateException {
        return start(config, Alerting.Timing.DEFAULT);
    }

    public static WatchdogService start(WatchdogConfig config, Alerting.Timing alertTiming) throws IOException,
            SchedulerException, AlertTemplates.TemplateException {
        // Local input first: a broken template is refused before anything is opened or started.
        AlertTemplates templates = AlertTemplates.load(config.alerts().templates());
        AuditStore store = switch (config.store()) {
            case WatchdogConfig.Store.H2File h2 -> AuditStore.openH2(h2.file());
            // A connection per worker, and a few for the listener's reads (/readyz, the status API, proofs).
            case WatchdogConfig.Store.Jdbc jdbc -> AuditStore.openPostgres(jdbc.url(), jdbc.user(),
                    jdbc.password().map(dev.vitra.watchdog.config.Secret::value), config.workers() + 4);
        };
        ContractEngine engine = null;
        MonitorScheduler scheduler = null;
        Alerting alerting = null;
        try {
            ContractLimits limits = ContractLimits.defaults().withTimeBudget(config.limits().contractTimeBudget())
                    .withHeapFraction(config.limits().contractHeapFraction());
            engine = ContractEngine.create(limits);
            WatchdogMetrics metrics = new WatchdogMetrics(engine.mode(), engine.implementationName());
            // Alerting first: the planner must be listening before the first pass records a finding.
            alerting = Alerting.create(config, templates, store, metrics, Clock.systemUTC(), alertTiming);
            alerting.start();
            scheduler = new MonitorScheduler(config, store, engine, metrics, Clock.systemUTC());
            String runtime = engine.mode() == RuntimeMode.OPTIMIZING ? "GraalJS, optimizing" : "GraalJS, interpreter only";
            StatusServer http = new StatusServer(config.http().host(), config.http().port(), scheduler, store, metrics.registry(),
                    Clock.systemUTC(), runtime);
            WatchdogService service = new WatchdogService(config, store, engine, scheduler, http, alerting);
            scheduler.start();
            http.start();
            MonitorScheduler running = scheduler;
            alerting.startHeartbeat(() -> running.started() && store.problem().isEmpty());
            service.watcher.scheduleWithFixedDelay(service::reloadIfChanged, 2, 2, TimeUnit.SECONDS);
            return service;
        } catch (IOException | SchedulerException | RuntimeException e) {
            if (scheduler != null) {
                scheduler.close();
            }
            if (alerting != null) {
                alerting.close();
            }
            if (engine != null) {
                engine.close();
            }
            store.close();
            throw e;
        }
    }

    public int httpPort() {
        return http.port();
    }

    public AuditStore store() {
        return store;
    }

    public MonitorScheduler scheduler() {
        return scheduler;
    }

    /**
     * Reads the config file again and applies it. An invalid file is refused with its errors and the running
     * configuration stays. Returns the problems (empty when applied).
     */
    public synchronized List<String> reload() {
        WatchdogConfig current = scheduler.config();
        configModified = modified(current);
        WatchdogConfig next;
        try {
            next = ConfigLoader.load(current.source());
        } catch (ConfigException e) {
            LOG.error("configuration reload refused, the running configuration stays:\n  {}", String.join("\n  ", e.problems()));
            return e.problems();
        }
        try {
            List<String> needRestart = scheduler.reload(next);
            alerting.update(next);
            if (!needRestart.isEmpty()) {
                LOG.warn("configuration reloaded; changes to {} take effect at the next restart", String.join(", ", needRestart));
            } else {
                LOG.info("configuration reloaded: {} monitor(s)", next.monitors().size());
            }
            return List.of();
        } catch (SchedulerException e) {
            LOG.error("configuration reload failed in the scheduler: {}", e.getMessage());
            return List.of(e.getMessage());
        }
    }

    private void reloadIfChanged() {
        try {
            FileTime now = modified(scheduler.config());
            if (now != null && !now.equals(configModified)) {
                LOG.info("{} changed on disk", scheduler.config().source());
                reload();
            }
        } catch (RuntimeException e) {
            LOG.warn("config watcher: {}", e.toString());
        }
    }

    private static FileTime modified(WatchdogConfig config) {
        try {
            return Files.getLastModifiedTime(config.source());
        } catch (IOException e) {
            return null;
        }
    }

    /** Graceful stop: passes commit at their next chunk boundary, then the listener, engine and store close. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        watcher.shutdownNow();
        scheduler.close();
        // After the passes: what they recorded is in the outbox, delivered now or after the next start.
        alerting.close();
        http.close();
        engine.close();
        store.close();
        LOG.info("stopped");
    }
}
