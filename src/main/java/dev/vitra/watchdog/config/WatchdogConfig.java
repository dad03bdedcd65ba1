package dev.vitra.watchdog.config;

import dev.vitra.watchdog.note.LogId;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The service's configuration, as validated from monitors.yaml (see the documented example at the repository root
 * and docs/service.md).
 *
 * @param source   the file it was read from
 * @param workers  passes that may run at once, shared by all monitors
 */
public record WatchdogConfig(Path source, Store store, Http http, int workers, Limits limits, Alerts alerts,
        List<Monitor> monitors) {
    public WatchdogConfig {
        monitors = List.copyOf(monitors);
    }

    public Optional<Monitor> monitor(String name) {
        return monitors.stream().filter(m -> m.name().equals(name)).findFirst();
    }

    /** Where the audit store lives: an H2 file, or a JDBC URL (PostgreSQL) with a user and a password. */
    public sealed interface Store {
        record H2File(Path file) implements Store {
        }

        record Jdbc(String url, String user, Optional<Secret> password) implements Store {
        }
    }

    /** The read-only HTTP listener; port 0 picks a free port (tests). */
    public record Http(String host, int port) {
    }

    /**
     * Bounds for untrusted input, applied to every monitor.
     *
     * @param httpConnectTimeout TCP connect timeout per request
     * @param httpReadTimeout    longest silence while reading a response
     * @param httpCallTimeout    longest single request
     * @param httpAttempts       attempts per resource, the first included
     * @param maxCheckpointBytes cap on a checkpoint response
     * @param maxBundleBytes     cap on an entry bundle response
     * @param maxGrowth          most entries one pass may verify a log's tree grew by
     * @param contractTimeBudget wall-clock time per contract call
     * @param contractHeapFraction live heap above which running contracts are cancelled
     */
    public record Limits(Duration httpConnectTimeout, Duration httpReadTimeout, Duration httpCallTimeout, int httpAttempts,
            int maxCheckpointBytes, int maxBundleBytes, long maxGrowth, Duration contractTimeBudget,
            double contractHeapFraction) {
    }

    /**
     * One audited database.
     *
     * @param name              how the operator, metrics and the status page call it
     * @param executor          base URL of the executor that hosts its logs
     * @param indexLog          the database's index log
     * @param oplogBases        base URLs of oplogs hosted elsewhere
     * @param schedule          when passes run
     * @param pendingDeadline   how long something may stay pending before it is an availability finding
     * @param freshnessDeadline how long the monitor may go without a pass that verified the executor's current
     *                          checkpoint before it counts as unavailable (stale)
     * @param acceptForks       oplogs whose open fork the operator resolved by following the version served now
     * @param alerts            where this monitor's alerts go (the global routes, with this monitor's overrides)
     */
    public record Monitor(String name, String executor, LogId indexLog, Map<LogId, String> oplogBases, Schedule schedule,
            Duration pendingDeadline, Duration freshnessDeadline, Set<LogId> acceptForks, Routes alerts) {
        public Monitor {
            oplogBases = Map.copyOf(oplogBases);
            acceptForks = Set.copyOf(acceptForks);
        }
    }

    /** When a monitor's passes run. */
    public sealed interface Schedule {
        /** Every {@code interval}, each wait lengthened by a random part of {@code jitter} (spreads monitors apart). */
        record Every(Duration interval, Duration jitter) implements Schedule {
        }

        /** A Quartz cron expression (seconds first), in UTC. */
        record Cron(String expression) implements Schedule {
        }
    }

    /**
     * Alerting (docs/alerts.md): the channels, where each kind of alert goes by default, and when.
     *
     * @param renotifyEvery     how often an open incident is notified again (email, webhooks)
     * @param availabilityAfter how long an availability finding lasts before it is alerted
     * @param maxAttempts       delivery attempts per alert before it is given up
     * @param templates         a directory of operator templates; empty: the built-in ones
     */
    public record Alerts(Duration renotifyEvery, Duration availabilityAfter, int maxAttempts, Optional<Smtp> smtp,
            Map<String, Channel> channels, Routes routes, Optional<Path> templates, Optional<Heartbeat> heartbeat,
            Optional<Digest> digest) {
        public Alerts {
            channels = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(channels)); // in the file's order
        }

        public static Alerts none() {
            return new Alerts(Duration.ofHours(4), Duration.ofMinutes(5), 12, Optional.empty(), Map.of(), Routes.NONE,
                    Optional.empty(), Optional.empty(), Optional.empty());
        }
    }

    /**
     * The dead-man signal: a POST to {@code url} every {@code every} while the service works (scheduler running, store
     * reachable), so a monitoring service that expects it notices when the watchdog itself stops.
     */
    public record Heartbeat(String url, Duration every, Optional<Secret> secret) {
    }

    /** A summary email per period to {@code channels} (email channels): {@code daily} or {@code weekly} (Mondays), at {@code at} UTC. */
    public record Digest(List<String> channels, boolean weekly, java.time.LocalTime at) {
        public Digest {
            channels = List.copyOf(channels);
        }
    }

    /** The SMTP server email channels send through. */
    public record Smtp(String host, int port, SmtpSecurity security, Optional<String> user, Optional<Secret> password,
            String from, Duration timeout) {
    }

    /** STARTTLS upgrades a plain connection (port 587); TLS is TLS from the start (465); NONE only for a local relay. */
    public enum SmtpSecurity {
        STARTTLS, TLS, NONE
    }

    /** A named place alerts go. */
    public sealed interface Channel {
        String name();

        /** Email to these addresses, through {@link Smtp}. */
        record Email(String name, List<String> to) implements Channel {
            public Email {
                to = List.copyOf(to);
            }
        }

        /** A JSON POST, signed with HMAC-SHA256 over the body when a secret is set. */
        record Webhook(String name, String url, Optional<Secret> secret, Duration timeout) implements Channel {
        }

        /** Alertmanager's /api/v2/alerts; an open incident is posted again every {@code repeatEvery}. */
        record Alertmanager(String name, String url, Duration repeatEvery, Duration timeout) implements Channel {
        }
    }

    /** Channel names per kind of alert. */
    public record Routes(List<String> fraud, List<String> availability, List<String> notice) {
        public static final Routes NONE = new Routes(List.of(), List.of(), List.of());

        public Routes {
            fraud = List.copyOf(fraud);
            availability = List.copyOf(availability);
            notice = List.copyOf(notice);
        }

        public List<String> of(String kind) {
            return switch (kind) {
                case "fraud" -> fraud;
                case "availability" -> availability;
                case "notice" -> notice;
                default -> List.of();
            };
        }
    }
}
