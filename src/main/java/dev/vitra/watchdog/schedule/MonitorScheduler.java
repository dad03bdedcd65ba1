package dev.vitra.watchdog.schedule;

import dev.vitra.watchdog.audit.AuditSettings;
import dev.vitra.watchdog.audit.AuditTarget;
import dev.vitra.watchdog.audit.Auditor;
import dev.vitra.watchdog.audit.PassReport;
import dev.vitra.watchdog.audit.Verdict;
import dev.vitra.watchdog.config.WatchdogConfig;
import dev.vitra.watchdog.contract.ContractEngine;
import dev.vitra.watchdog.metrics.WatchdogMetrics;
import dev.vitra.watchdog.store.AuditStore;
import dev.vitra.watchdog.store.Rows;
import dev.vitra.watchdog.store.StoreSession;
import dev.vitra.watchdog.tileclient.TileClientConfig;
import java.time.Clock;
import java.time.Instant;
import java.util.Collection;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TimeZone;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.BooleanSupplier;
import org.quartz.CronScheduleBuilder;
import org.quartz.JobBuilder;
import org.quartz.JobDetail;
import org.quartz.JobKey;
import org.quartz.Scheduler;
import org.quartz.SchedulerException;
import org.quartz.SimpleScheduleBuilder;
import org.quartz.Trigger;
import org.quartz.TriggerBuilder;
import org.quartz.TriggerKey;
import org.quartz.impl.StdSchedulerFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs each configured monitor's passes on its own Quartz schedule, on a bounded worker pool shared by all monitors:
 * a slow or dead executor holds one worker, never the others' schedules. Quartz keeps only the schedules (in
 * memory); everything a restart must resume from is in the audit store.
 *
 * <p>Misfire policy (docs/service.md): a pass that could not start on time (all workers busy, or the previous pass of
 * the same monitor still running) runs once as soon as it can, and missed runs are not made up.
 */
public final class MonitorScheduler implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MonitorScheduler.class);
    private static final String GROUP = "monitors";

    private final Scheduler quartz;
    private final AuditStore store;
    private final ContractEngine engine;
    private final WatchdogMetrics metrics;
    private final Clock clock;
    private final Map<String, MonitorState> monitors = new ConcurrentHashMap<>();
    private volatile WatchdogConfig config;
    private volatile boolean stopping;

    public MonitorScheduler(WatchdogConfig config, AuditStore store, ContractEngine engine, WatchdogMetrics metrics, Clock clock) {
        this.store = store;
        this.engine = engine;
        this.metrics = metrics;
        this.clock = clock;
        this.config = config;
        Properties p = new Properties();
        p.setProperty("org.quartz.scheduler.instanceName", "vitra-watchdog");
        p.setProperty("org.quartz.scheduler.skipUpdateCheck", "true");
        p.setProperty("org.quartz.threadPool.class", "org.quartz.simpl.SimpleThreadPool");
        p.setProperty("org.quartz.threadPool.threadCount", Integer.toString(config.workers()));
        p.setProperty("org.quartz.threadPool.threadNamePrefix", "pass-worker");
        p.setProperty("org.quartz.jobStore.class", "org.quartz.simpl.RAMJobStore");
        // A trigger more than a second late counts as misfired and follows the misfire instruction below.
        p.setProperty("org.quartz.jobStore.misfireThreshold", "1000");
        metrics.staleness(() -> {
            Instant now = clock.instant();
            Map<String, Boolean> stale = new java.util.TreeMap<>();
            monitors.forEach((name, state) -> stale.put(name, state.stale(now)));
            return stale;
        });
        try {
            quartz = new StdSchedulerFactory(p).getScheduler();
            quartz.getContext().put(PassJob.SCHEDULER, this);
        } catch (SchedulerException e) {
            throw new IllegalStateException("cannot create the scheduler: " + e.getMessage(), e);
        }
    }

    /** Schedules every configured monitor and starts running passes. */
    public void start() throws SchedulerException {
        for (WatchdogConfig.Monitor m : config.monitors()) {
            add(m);
        }
        quartz.start();
        LOG.info("scheduler started: {} monitor(s), {} worker(s)", config.monitors().size(), config.workers());
    }

    public boolean started() {
        try {
            return quartz.isStarted() && !quartz.isShutdown();
        } catch (SchedulerException e) {
            return false;
        }
    }

    public WatchdogConfig config() {
        return config;
    }

    /** The part of the alert settings the sender was built with (the planner takes the rest at once). */
    private static WatchdogConfig.Alerts delivery(WatchdogConfig.Alerts a) {
        return new WatchdogConfig.Alerts(java.time.Duration.ZERO, java.time.Duration.ZERO, a.maxAttempts(), a.smtp(),
                a.channels(), WatchdogConfig.Routes.NONE, a.templates(), a.heartbeat(), a.digest());
    }

    /**
     * Applies a new configuration: adds, removes and reschedules monitors; a monitor whose database changed is
     * removed and added again. State lives in the store, so nothing verified is lost. Settings outside the monitors
     * (store, listener, workers, limits other than per-pass ones) need a restart; what changed there is returned.
     */
    public synchronized List<String> reload(WatchdogConfig next) throws SchedulerException {
        List<String> needRestart = new java.util.ArrayList<>();
        if (!next.store().equals(config.store())) {
            needRestart.add("store");
        }
        if (!next.http().equals(config.http())) {
            needRestart.add("http");
        }
        if (next.workers() != config.workers()) {
            needRestart.add("workers");
        }
        if (!delivery(next.alerts()).equals(delivery(config.alerts()))) {
            needRestart.add("alerts (channels, SMTP, templates, max-attempts, heartbeat, digest; routes and timing apply at"
                    + " once)");
        }
        if (!next.limits().contractTimeBudget().equals(config.limits().contractTimeBudget())
                || next.limits().contractHeapFraction() != config.limits().contractHeapFraction()) {
            needRestart.add("limits.contract-time-budget/contract-heap-fraction");
        }
        // Nothing changes unless every new schedule can run: a reload is applied whole or not at all.
        for (WatchdogConfig.Monitor m : next.monitors()) {
            if (trigger(m).getFireTimeAfter(new Date()) == null) {
                throw new SchedulerException("monitor " + m.name() + ": its schedule never fires again");
            }
        }
        WatchdogConfig previous = config;
        config = next;
        for (WatchdogConfig.Monitor old : previous.monitors()) {
            Optional<WatchdogConfig.Monitor> now = next.monitor(old.name());
            if (now.isEmpty() || !now.get().indexLog().equals(old.indexLog())) {
                remove(old.name());
                LOG.info("monitor {}: removed", old.name());
            }
        }
        for (WatchdogConfig.Monitor m : next.monitors()) {
            MonitorState existing = monitors.get(m.name());
            if (existing == null) {
                add(m);
                LOG.info("monitor {}: added", m.name());
            } else if (!existing.config().equals(m)) {
                boolean reschedule = !existing.config().schedule().equals(m.schedule());
                existing.reconfigure(m);
                if (reschedule) {
                    quartz.rescheduleJob(triggerKey(m.name()), trigger(m));
                }
                LOG.info("monitor {}: reconfigured{}", m.name(), reschedule ? " and rescheduled" : "");
            }
        }
        return needRestart;
    }

    public Collection<MonitorState> monitors() {
        return monitors.values();
    }

    public Optional<MonitorState> monitor(String name) {
        return Optional.ofNullable(monitors.get(name));
    }

    private void add(WatchdogConfig.Monitor m) throws SchedulerException {
        Stored stored = stored(m);
        Instant now = clock.instant();
        MonitorState state = new MonitorState(m, now, stored.breached(), stored.openFindings());
        monitors.put(m.name(), state);
        // What the store already proves shows in the metrics from the start (a breach before a restart, say).
        metrics.state(m.name(), state.health(now).name().toLowerCase(java.util.Locale.ROOT));
        metrics.openFindings(m.name(), stored.openFindings(), now.toEpochMilli());
        JobDetail job = JobBuilder.newJob(PassJob.class).withIdentity(m.name(), GROUP).usingJobData(PassJob.MONITOR, m.name())
                .build();
        quartz.scheduleJob(job, trigger(m));
    }

    private void remove(String name) throws SchedulerException {
        MonitorState state = monitors.remove(name);
        if (state != null) {
            state.markRemoved();
        }
        quartz.interrupt(new JobKey(name, GROUP));
        quartz.deleteJob(new JobKey(name, GROUP));
        metrics.remove(name);
    }

    /** What the store already holds (after a restart): open findings, so a breach shows from the start. */
    private record Stored(List<Rows.Finding> openFindings, boolean breached) {
    }

    private Stored stored(WatchdogConfig.Monitor m) {
        try (StoreSession s = store.session()) {
            return s.database(m.indexLog()).map(db -> {
                List<Rows.Finding> open = s.openFindings(db.id());
                return new Stored(open, db.status() == Rows.DatabaseStatus.BREACHED
                        || open.stream().anyMatch(f -> f.kind().equals("fraud")));
            }).orElse(new Stored(List.of(), false));
        }
    }

    /** The largest signed checkpoint of the index log seen so far, verified or not (what the executor published). */
    private long publishedSize(WatchdogConfig.Monitor m) {
        try (StoreSession s = store.session()) {
            return s.database(m.indexLog()).map(db -> s.largestCheckpointSize(db.id(), m.indexLog())).orElse(0L);
        }
    }

    private static TriggerKey triggerKey(String name) {
        return new TriggerKey(name, GROUP);
    }

    private static Trigger trigger(WatchdogConfig.Monitor m) {
        TriggerBuilder<Trigger> b = TriggerBuilder.newTrigger().withIdentity(triggerKey(m.name())).forJob(m.name(), GROUP);
        return switch (m.schedule()) {
            case WatchdogConfig.Schedule.Every every -> {
                // Jitter: each monitor starts after a random part of it, which spreads monitors with one interval apart.
                long jitter = every.jitter().toMillis();
                long delay = jitter == 0 ? 0 : ThreadLocalRandom.current().nextLong(jitter + 1);
                yield b.startAt(new Date(System.currentTimeMillis() + delay))
                        .withSchedule(SimpleScheduleBuilder.simpleSchedule().withIntervalInMilliseconds(every.interval().toMillis())
                                .repeatForever().withMisfireHandlingInstructionNextWithRemainingCount())
                        .build();
            }
            case WatchdogConfig.Schedule.Cron cron -> b.withSchedule(CronScheduleBuilder.cronSchedule(cron.expression())
                    .inTimeZone(TimeZone.getTimeZone("UTC")).withMisfireHandlingInstructionFireAndProceed()).build();
        };
    }

    /** Runs one pass of {@code name} (called by {@link PassJob} on a worker). */
    void runPass(String name, BooleanSupplier interrupted) {
        MonitorState state = monitors.get(name);
        if (state == null || stopping) {
            return;
        }
        WatchdogConfig.Monitor m = state.config();
        WatchdogConfig.Limits limits = config.limits();
        AuditSettings settings = AuditSettings.defaults().withPendingDeadline(m.pendingDeadline()).withMaxGrowth(limits.maxGrowth())
                .withHttp(httpConfig(limits).withObserver(metrics.fetchObserver(name, state::removed)));
        AuditTarget target = new AuditTarget(m.indexLog(), m.executor(), m.oplogBases(), m.acceptForks());
        state.started();
        try {
            PassReport r = new Auditor(store, engine, settings, clock).pass(target, line -> LOG.debug("monitor {}: {}", name, line),
                    () -> stopping || interrupted.getAsBoolean());
            Instant now = clock.instant();
            state.finished(r, now, publishedSize(m));
            if (state.removed()) {
                return; // removed while it ran: its series are gone and stay gone
            }
            metrics.pass(name, r, now.toEpochMilli(), state.snapshot().publishedSize(), state.lagEntries(), state.lagSeconds(now));
            metrics.state(name, state.health(now).name().toLowerCase(java.util.Locale.ROOT));
            logPass(name, r);
        } catch (Auditor.DatabaseBusyException e) {
            // The previous pass over this database (under another name, before a reload) still runs: try next time.
            state.skipped();
            LOG.info("monitor {}: skipped, {}", name, e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            state.failed("interrupted", clock.instant());
        } catch (RuntimeException e) {
            // The store or a bug, not the executor: logged with its stack, and the monitor shows it.
            Instant now = clock.instant();
            state.failed(e.toString(), now);
            if (!state.removed()) {
                metrics.passFailed(name, now.toEpochMilli(), state.lagSeconds(now));
                metrics.state(name, state.health(now).name().toLowerCase(java.util.Locale.ROOT));
            }
            LOG.error("monitor {}: the pass failed: {}", name, e.toString(), e);
        }
    }

    private static TileClientConfig httpConfig(WatchdogConfig.Limits l) {
        TileClientConfig d = TileClientConfig.defaults();
        return d.withTimeouts(l.httpConnectTimeout(), l.httpReadTimeout(), l.httpCallTimeout())
                .withRetries(l.httpAttempts(), d.initialBackoff(), d.maxBackoff(), d.maxRetryAfter())
                .withSizeCaps(l.maxCheckpointBytes(), l.maxBundleBytes());
    }

    /** One line per pass; findings at WARN (availability, pending) or ERROR (fraud); no stack traces for them. */
    private static void logPass(String name, PassReport r) {
        String line = String.format("monitor %s: %s, %d transactions verified, index %d/%d, %d new finding(s), %d open, %d ms%s",
                name, r.verdict().name().toLowerCase(java.util.Locale.ROOT), r.transactions(), r.verifiedPosition(), r.indexSize(),
                r.newFindings().size(), r.openFindings().size(), r.duration().toMillis(),
                r.notes().isEmpty() ? "" : " (" + String.join("; ", r.notes()) + ")");
        if (r.verdict() == Verdict.MISBEHAVIOUR) {
            LOG.error(line);
        } else if (r.verdict() == Verdict.COULD_NOT_VERIFY) {
            LOG.warn(line);
        } else {
            LOG.info(line);
        }
        for (Rows.Finding f : r.newFindings()) {
            // A summary may carry text from a log (an error message): control characters would fake log lines.
            String text = String.format("monitor %s: new %s finding %s: %s%s", name, f.kind(), f.code(),
                    f.summary().replaceAll("\\p{Cntrl}", " "),
                    f.proofId().map(id -> " (proof " + id + ")").orElse(""));
            // Pending is normal under load (an op published but not yet processed): a warning only once its deadline
            // passes, when it becomes an availability finding.
            if (f.kind().equals("fraud")) {
                LOG.error(text);
            } else if (f.kind().equals("availability")) {
                LOG.warn(text);
            } else {
                LOG.info(text);
            }
        }
    }

    /**
     * Graceful stop: running passes commit and stop at their next chunk boundary, then the workers end. Waits for
     * them (a pass blocked in a network read ends at the HTTP timeouts).
     */
    @Override
    public void close() {
        stopping = true;
        try {
            for (JobKey key : quartz.getJobKeys(org.quartz.impl.matchers.GroupMatcher.jobGroupEquals(GROUP))) {
                quartz.interrupt(key);
            }
            quartz.shutdown(true);
        } catch (SchedulerException e) {
            LOG.warn("scheduler shutdown: {}", e.getMessage());
        }
    }
}
