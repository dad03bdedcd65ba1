package dev.vitra.watchdog.audit;

import dev.vitra.watchdog.contract.ContractEngine;
import dev.vitra.watchdog.executor.Executor;
import dev.vitra.watchdog.executor.ExecutorServer;
import dev.vitra.watchdog.executor.Fault;
import dev.vitra.watchdog.note.LogId;
import dev.vitra.watchdog.store.AuditStore;
import dev.vitra.watchdog.store.Rows;
import dev.vitra.watchdog.store.StoreSession;
import dev.vitra.watchdog.tileclient.TileClientConfig;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;

/**
 * The reference executor serving one database on loopback, and an auditor with a real H2 file, for tests. Ops are
 * processed explicitly ({@link #process()}) so a test decides exactly what the logs hold when it audits.
 */
final class AuditFixture implements AutoCloseable {
    final Path dir;
    final ContractEngine engine;
    final Executor executor;
    ExecutorServer server;
    final dev.vitra.watchdog.testing.MutableClock clock = new dev.vitra.watchdog.testing.MutableClock(Instant.parse("2026-12-01T00:00:00Z"));
    final Path storeFile;

    private AuditFixture(Path dir, ContractEngine engine, Executor executor) throws Exception {
        this.dir = dir;
        this.engine = engine;
        this.executor = executor;
        this.storeFile = dir.resolve("watchdog.mv.db");
        startServer();
    }

    /** A new database with {@code participants} oplogs running {@code contract} (a file under src/test/resources/contracts). */
    static AuditFixture create(Path dir, ContractEngine engine, String contract, int participants) throws Exception {
        Executor ex = Executor.create(dir.resolve("executor"), contractSource(contract), participants, engine,
                Clock.fixed(Instant.ofEpochMilli(1_700_000_000_000L), ZoneOffset.UTC));
        return new AuditFixture(dir, engine, ex);
    }

    static String contractSource(String name) throws Exception {
        try (InputStream in = AuditFixture.class.getResourceAsStream("/contracts/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private void startServer() throws Exception {
        // A long batch delay: the test processes explicitly.
        server = ExecutorServer.start(executor, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), Duration.ofHours(1));
    }

    String url() {
        return server.baseUrl();
    }

    LogId index() {
        return executor.indexLogId();
    }

    LogId participant(int n) {
        return executor.participants().get(n);
    }

    AuditTarget target() {
        return new AuditTarget(index(), url());
    }

    void call(int participant, String method, String params) throws Exception {
        executor.call(participant(participant), method, params);
    }

    void process() throws Exception {
        executor.processPending();
    }

    void fault(Fault fault, boolean on) throws Exception {
        executor.setFault(fault, on);
    }

    static AuditSettings fastSettings() {
        return AuditSettings.defaults().withHttp(TileClientConfig.defaults()
                .withRetries(2, Duration.ofMillis(20), Duration.ofMillis(50), Duration.ofSeconds(2))
                .withTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(5), Duration.ofSeconds(10)));
    }

    PassReport audit() throws Exception {
        return audit(fastSettings(), target());
    }

    PassReport audit(AuditSettings settings, AuditTarget target) throws Exception {
        return pass(storeFile, engine, settings, clock, target);
    }

    /** One pass with a store opened for it and closed after. */
    static PassReport pass(Path store, ContractEngine engine, AuditSettings settings, Clock clock, AuditTarget target)
            throws InterruptedException {
        try (AuditStore s = AuditStore.openH2(store)) {
            return new Auditor(s, engine, settings, clock).pass(target, line -> { });
        }
    }

    /** Reads the store (opened for it and closed after). */
    static <T> T read(Path store, java.util.function.Function<StoreSession, T> reader) {
        try (AuditStore s = AuditStore.openH2(store); StoreSession session = s.session()) {
            return reader.apply(session);
        }
    }

    List<Rows.Finding> findings() {
        return read(storeFile, s -> s.findings(s.database(index()).orElseThrow().id()));
    }

    /** Everything the store holds about the database, minus times: equal for equal audits. */
    String dump() {
        return read(storeFile, s -> {
            Rows.Database db = s.database(index()).orElseThrow();
            StringBuilder sb = new StringBuilder();
            sb.append("db ").append(db.status()).append(' ').append(db.nextPosition()).append(' ').append(db.genesisSealed()).append('\n');
            for (Rows.Log l : s.logs(db.id())) {
                sb.append("log ").append(l.logId()).append(' ').append(l.role()).append(' ').append(l.verifiedSize()).append(' ')
                        .append(l.nextSeq()).append(' ').append(l.active()).append(' ').append(l.addedAt()).append(' ')
                        .append(l.forkFindingId().isPresent()).append(' ').append(l.forkSharedPrefix()).append('\n');
            }
            for (Rows.StateEntry e : s.stateAll(db.id())) {
                sb.append("state ").append(e.path()).append(" = ").append(e.valueJson()).append(" @").append(e.writtenAt()).append('\n');
            }
            for (Rows.Finding f : s.findings(db.id())) {
                sb.append("finding ").append(f.kind()).append(' ').append(f.code()).append(' ').append(f.dedupKey()).append(' ')
                        .append(f.resolvedAt().isPresent() ? "resolved" : "open").append('\n');
            }
            return sb.toString();
        });
    }

    @Override
    public void close() {
        server.close();
    }
}
