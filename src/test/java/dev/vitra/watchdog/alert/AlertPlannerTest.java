package dev.vitra.watchdog.alert;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vitra.watchdog.config.ConfigLoader;
import dev.vitra.watchdog.config.WatchdogConfig;
import dev.vitra.watchdog.note.LogId;
import dev.vitra.watchdog.store.AuditStore;
import dev.vitra.watchdog.store.Rows;
import dev.vitra.watchdog.store.StoreSession;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the planner puts in the outbox, and when, on a real store: incidents, grace, repeats, resolution, routing. */
class AlertPlannerTest {
    private static final LogId SHOP = logId(1);
    private static final LogId OTHER = logId(2);
    private static final long T0 = 1_800_000_000_000L;

    @TempDir
    Path dir;
    private AuditStore store;
    private AlertPlanner planner;
    private WatchdogConfig config;
    private long shop;
    private long other;

    private static LogId logId(int seed) {
        byte[] s = new byte[32];
        s[0] = (byte) seed;
        return LogId.parse(LogId.signerFor(s).publicKey().toHex());
    }

    @BeforeEach
    void setUp() throws Exception {
        config = ConfigLoader.parse(dir.resolve("monitors.yaml"), "alerts:\n  availability-after: 5m\n"
                + "  renotify-every: 1h\n  channels:\n    hook: {type: webhook, url: 'http://127.0.0.1:1/h'}\n"
                + "    am: {type: alertmanager, url: 'http://127.0.0.1:2', repeat-every: 1m}\n"
                + "  routes: {fraud: [hook, am], availability: [hook, am]}\n"
                + "monitors:\n  - name: shop\n    executor: http://127.0.0.1:3\n    index-log: " + SHOP.hex() + "\n"
                + "    alerts: {notice: [hook]}\n", name -> null);
        store = AuditStore.openH2(dir.resolve("w.mv.db"));
        planner = new AlertPlanner(config);
        store.setFindingListener(planner);
        try (StoreSession s = store.session()) {
            shop = s.createDatabase(SHOP, "http://127.0.0.1:3", T0).id();
            other = s.createDatabase(OTHER, "http://127.0.0.1:4", T0).id(); // not a configured monitor
            s.commit();
        }
    }

    @AfterEach
    void tearDown() {
        store.close();
    }

    private long finding(long db, String kind, String code, String key, long at) {
        try (StoreSession s = store.session()) {
            long id = s.insertFinding(db, kind, code, Optional.empty(), OptionalLong.of(7), OptionalLong.empty(), OptionalLong.empty(),
                    key, "summary", "{}", at);
            s.commit();
            return id;
        }
    }

    private void resolve(long id, long at) {
        try (StoreSession s = store.session()) {
            s.resolveFinding(id, at);
            s.commit();
        }
    }

    /** Every alert of the database, as "channel event incident-kind". */
    private List<String> alerts(long db) {
        try (StoreSession s = store.session()) {
            return s.alerts(db).stream().map(a -> a.channel() + " " + a.event() + " " + a.code()).toList();
        }
    }

    private int tick(long at) {
        return planner.tick(store, at);
    }

    @Test
    void fraudIsAlertedInTheTransactionThatRecordsItAndRepeatedPerChannel() {
        finding(shop, "fraud", "ChangeMismatchError", "f1", T0);
        assertThat(alerts(shop)).containsExactly("hook firing ChangeMismatchError", "am firing ChangeMismatchError");
        assertThat(tick(T0 + Duration.ofSeconds(59).toMillis())).isZero();
        assertThat(tick(T0 + Duration.ofMinutes(1).toMillis())).as("Alertmanager repeats every minute").isEqualTo(1);
        assertThat(tick(T0 + Duration.ofMinutes(1).toMillis())).as("planning twice inserts once").isZero();
        tick(T0 + Duration.ofHours(1).toMillis());
        assertThat(alerts(shop)).containsExactly("hook firing ChangeMismatchError", "am firing ChangeMismatchError",
                "am repeat ChangeMismatchError", "hook repeat ChangeMismatchError", "am repeat ChangeMismatchError");
    }

    @Test
    void aRolledBackFindingLeavesNoAlert() {
        try (StoreSession s = store.session()) {
            s.insertFinding(shop, "fraud", "ChangeMismatchError", Optional.empty(), OptionalLong.empty(), OptionalLong.empty(),
                    OptionalLong.empty(), "f1", "summary", "{}", T0);
            s.rollback();
        }
        assertThat(alerts(shop)).isEmpty();
    }

    @Test
    void anAvailabilityIncidentOfOneCodeFiresAfterItsGraceRepeatsAndResolvesWhenNoFindingOfItIsOpen() {
        long index = finding(shop, "availability", "LogUnreachable", "index", T0);
        long oplog = finding(shop, "availability", "LogUnreachable", "oplog", T0 + 1000);
        assertThat(alerts(shop)).as("within availability-after").isEmpty();
        assertThat(tick(T0 + Duration.ofMinutes(4).toMillis())).isZero();
        assertThat(tick(T0 + Duration.ofMinutes(5).toMillis())).as("one incident for both logs, per channel").isEqualTo(2);
        resolve(index, T0 + Duration.ofMinutes(6).toMillis());
        assertThat(alerts(shop)).as("the oplog is still unreachable").containsExactly("hook firing LogUnreachable",
                "am firing LogUnreachable");
        tick(T0 + Duration.ofMinutes(6).toMillis());
        assertThat(alerts(shop)).containsExactly("hook firing LogUnreachable", "am firing LogUnreachable", "am repeat LogUnreachable");
        resolve(oplog, T0 + Duration.ofMinutes(7).toMillis());
        assertThat(alerts(shop)).containsExactly("hook firing LogUnreachable", "am firing LogUnreachable", "am repeat LogUnreachable",
                "hook resolved LogUnreachable", "am resolved LogUnreachable");
        assertThat(tick(T0 + Duration.ofHours(3).toMillis())).as("nothing after the resolution").isZero();

        // The next outage is a new incident, with new ids.
        finding(shop, "availability", "LogUnreachable", "index", T0 + Duration.ofHours(4).toMillis());
        tick(T0 + Duration.ofHours(5).toMillis());
        try (StoreSession s = store.session()) {
            List<Rows.Alert> all = s.alerts(shop);
            assertThat(all).hasSize(7);
            assertThat(all.get(5).incident()).isNotEqualTo(all.get(0).incident());
            assertThat(all.stream().map(Rows.Alert::messageId).distinct()).hasSize(7);
        }
    }

    @Test
    void aResultThatDependsOnTheEngineIsToldOnceAsItIsRecordedNeverRepeatedNorResolved() {
        finding(shop, "availability", "EngineDependentResult", "e1", T0);
        finding(shop, "availability", "EngineDependentResult", "e2", T0 + 1000);
        assertThat(alerts(shop)).as("each, at once").containsExactly("hook firing EngineDependentResult",
                "am firing EngineDependentResult", "hook firing EngineDependentResult", "am firing EngineDependentResult");
        assertThat(tick(T0 + Duration.ofDays(2).toMillis())).isZero();
    }

    @Test
    void aResolutionReachesEveryChannelThatWasToldItFiredEvenAfterARerouting() throws Exception {
        long f = finding(shop, "availability", "LogUnreachable", "index", T0);
        tick(T0 + Duration.ofMinutes(5).toMillis());
        // The operator routes availability to the webhook only, and the outage clears.
        planner.update(ConfigLoader.parse(dir.resolve("monitors.yaml"), "alerts:\n  availability-after: 5m\n"
                + "  channels:\n    hook: {type: webhook, url: 'http://127.0.0.1:1/h'}\n"
                + "    am: {type: alertmanager, url: 'http://127.0.0.1:2', repeat-every: 1m}\n"
                + "  routes: {availability: [hook]}\n"
                + "monitors:\n  - name: shop\n    executor: http://127.0.0.1:3\n    index-log: " + SHOP.hex() + "\n", name -> null));
        resolve(f, T0 + Duration.ofMinutes(6).toMillis());
        assertThat(alerts(shop)).containsExactly("hook firing LogUnreachable", "am firing LogUnreachable",
                "hook resolved LogUnreachable", "am resolved LogUnreachable");
    }

    @Test
    void aNewStoreNeverReusesAnOldStoresMessageIds() throws Exception {
        // Review round 5: finding ids restart in a new store; a new incident with an old id would be dropped by a
        // receiver that drops repeats.
        finding(shop, "fraud", "ChangeMismatchError", "f1", T0);
        List<String> first;
        try (StoreSession s = store.session()) {
            first = s.alerts(shop).stream().map(Rows.Alert::messageId).toList();
        }
        try (AuditStore fresh = AuditStore.openH2(dir.resolve("fresh/w.mv.db"))) {
            fresh.setFindingListener(new AlertPlanner(config)); // a new service's planner
            try (StoreSession s = fresh.session()) {
                long db = s.createDatabase(SHOP, "http://127.0.0.1:3", T0 + Duration.ofDays(30).toMillis()).id();
                s.insertFinding(db, "fraud", "ChangeMismatchError", Optional.empty(), OptionalLong.empty(), OptionalLong.empty(),
                        OptionalLong.empty(), "f1", "summary", "{}", T0);
                s.commit();
                List<String> again = s.alerts(db).stream().map(Rows.Alert::messageId).toList();
                assertThat(again).hasSize(2).doesNotContainAnyElementsOf(first);
            }
        }
    }

    @Test
    void aBriefOutageThatClearsWithinItsGraceIsNeverAlerted() {
        long f = finding(shop, "availability", "TilesUnavailable", "t", T0);
        tick(T0 + Duration.ofMinutes(2).toMillis());
        resolve(f, T0 + Duration.ofMinutes(3).toMillis());
        tick(T0 + Duration.ofMinutes(10).toMillis());
        assertThat(alerts(shop)).isEmpty();
    }

    @Test
    void noticesGoWhereTheMonitorRoutesThemPendingNeverAndUnmonitoredDatabasesNowhere() {
        long n = finding(shop, "notice", "ParticipantAdded", "n", T0);
        resolve(n, T0); // notices are closed as they are recorded
        finding(shop, "pending", "OpNotYetPublished", "p", T0);
        finding(other, "fraud", "ChangeMismatchError", "x", T0);
        tick(T0 + Duration.ofDays(1).toMillis());
        assertThat(alerts(shop)).containsExactly("hook firing ParticipantAdded");
        assertThat(alerts(other)).isEmpty();
    }

    @Test
    void aDatabaseAPassHoldsIsLeftForThatPassAndPlannedOnceItIsFree() throws Exception {
        finding(shop, "availability", "LogUnreachable", "index", T0);
        AutoCloseable lease = store.lease(SHOP).orElseThrow();
        assertThat(tick(T0 + Duration.ofMinutes(10).toMillis())).isZero();
        lease.close();
        assertThat(tick(T0 + Duration.ofMinutes(10).toMillis())).isEqualTo(2);
    }
}
