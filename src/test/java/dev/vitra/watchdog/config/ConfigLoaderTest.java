package dev.vitra.watchdog.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** monitors.yaml: every problem named by file, line and field; unknown keys refused; secrets from outside the file. */
class ConfigLoaderTest {
    /** Valid Ed25519 public keys (points on the curve). */
    static final String LOG_A = key(1);
    static final String LOG_B = key(2);

    static String key(int seed) {
        byte[] s = new byte[32];
        s[0] = (byte) seed;
        return new dev.vitra.watchdog.note.LogId(dev.vitra.watchdog.note.SignerKey.fromSeed("k", s).publicKey()).hex();
    }

    private static WatchdogConfig parse(String yaml) throws ConfigException {
        return ConfigLoader.parse(Path.of("/etc/vitra/monitors.yaml"), yaml, Map.of("DB_PASSWORD", "s3cret")::get);
    }

    private static List<String> problems(String yaml) {
        try {
            parse(yaml);
        } catch (ConfigException e) {
            return e.problems();
        }
        throw new AssertionError("expected the config to be refused:\n" + yaml);
    }

    @Test
    void theReadmesMinimalConfigIsValidAsShown() throws Exception {
        String readme = java.nio.file.Files.readString(Path.of("README.md"));
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("## Watching a real executor.*?```yaml\n(.*?)```",
                java.util.regex.Pattern.DOTALL).matcher(readme);
        assertThat(m.find()).as("a yaml block under \"Watching a real executor\"").isTrue();
        WatchdogConfig c = ConfigLoader.parse(Path.of("/srv/monitors.yaml"), m.group(1), Map.of("VITRA_SMTP_PASSWORD", "pw")::get);
        assertThat(c.monitors()).extracting(WatchdogConfig.Monitor::name).containsExactly("shop");
        assertThat(c.alerts().channels()).containsKey("ops-mail");
    }

    @Test
    void aMinimalMonitorGetsTheDocumentedDefaults() throws Exception {
        WatchdogConfig c = parse("monitors:\n  - name: shop\n    executor: http://127.0.0.1:8080\n    index-log: " + LOG_A + "\n");
        assertThat(c.workers()).isEqualTo(4);
        assertThat(c.http()).isEqualTo(new WatchdogConfig.Http("127.0.0.1", 9464));
        assertThat(c.store()).isEqualTo(new WatchdogConfig.Store.H2File(Path.of("/etc/vitra/data/watchdog.mv.db")));
        WatchdogConfig.Monitor m = c.monitors().get(0);
        assertThat(m.schedule()).isEqualTo(new WatchdogConfig.Schedule.Every(Duration.ofSeconds(30), Duration.ofSeconds(5)));
        assertThat(m.pendingDeadline()).isEqualTo(Duration.ofHours(1));
        assertThat(m.freshnessDeadline()).isEqualTo(Duration.ofMinutes(15));
        assertThat(c.limits().contractTimeBudget()).isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void everyProblemIsReportedWithFileLineAndField() {
        List<String> p = problems("""
                workers: 0
                http:
                  listen: localhost
                limits:
                  contract-time-budget: 5 parsecs
                  http-timeout: 3s
                monitors:
                  - name: Shop!
                    executor: ftp://x
                    index-log: abc
                    schedule: {every: 30s, cron: "0 * * * * ?"}
                  - executor: http://127.0.0.1:1
                    index-log: %s
                    colour: blue
                """.formatted(LOG_A));
        assertThat(p).contains(
                "/etc/vitra/monitors.yaml:1: workers: must be from 1 to 256, got 0",
                "/etc/vitra/monitors.yaml:3: http.listen: expected host:port, like 127.0.0.1:9464, got \"localhost\"",
                "/etc/vitra/monitors.yaml:6: limits.http-timeout: unknown key (expected one of contract-heap-fraction,"
                        + " contract-time-budget, http-attempts, http-call-timeout, http-connect-timeout, http-read-timeout,"
                        + " max-bundle-bytes, max-checkpoint-bytes, max-growth)",
                "/etc/vitra/monitors.yaml:11: monitors[0].schedule: give either cron or every (with an optional jitter), not both",
                "/etc/vitra/monitors.yaml:14: monitors[1].colour: unknown key (expected one of accept-forks, alerts, executor,"
                        + " freshness-deadline, index-log, name, oplog-bases, pending-deadline, schedule)");
        assertThat(p).anyMatch(s -> s.startsWith("/etc/vitra/monitors.yaml:5: limits.contract-time-budget: not a duration"));
        assertThat(p).anyMatch(s -> s.startsWith("/etc/vitra/monitors.yaml:8: monitors[0].name: \"Shop!\" is not a monitor name"));
        assertThat(p).anyMatch(s -> s.startsWith("/etc/vitra/monitors.yaml:9: monitors[0].executor: not an http(s) URL"));
        assertThat(p).anyMatch(s -> s.startsWith("/etc/vitra/monitors.yaml:10: monitors[0].index-log: not a log id"));
        assertThat(p).anyMatch(s -> s.startsWith("/etc/vitra/monitors.yaml:12: monitors[1].name: required"));
    }

    @Test
    void duplicateKeysNamesAndDatabasesAreRefused() {
        assertThat(problems("workers: 2\nworkers: 3\n")).containsExactly("/etc/vitra/monitors.yaml:2: workers: appears twice in one mapping");
        String two = "monitors:\n"
                + "  - {name: a, executor: 'http://h:1', index-log: " + LOG_A + "}\n"
                + "  - {name: a, executor: 'http://h:1', index-log: " + LOG_B + "}\n"
                + "  - {name: c, executor: 'http://h:2', index-log: " + LOG_A + "}\n";
        assertThat(problems(two)).containsExactly(
                "/etc/vitra/monitors.yaml:3: monitors[1].name: \"a\" is already the name of monitors[0]",
                "/etc/vitra/monitors.yaml:4: monitors[2].index-log: the database is already monitored by \"a\"");
    }

    @Test
    void problemsBehindOtherProblemsAreReportedInTheSameRun() {
        // Review finding: a duplicate key hid the rest, and a monitor with one problem skipped the uniqueness checks.
        List<String> p = problems("monitors:\n"
                + "  - {name: b, executor: 'http://h:1', index-log: " + LOG_A + ", freshness-deadline: 1s}\n"
                + "  - {name: b, executor: 'http://h:1', index-log: " + LOG_B + "}\n"
                + "  - {name: c, name: d, executor: 'http://h:1', index-log: " + LOG_A + "}\n");
        assertThat(p).containsExactly(
                "/etc/vitra/monitors.yaml:2: monitors[0].freshness-deadline: must be longer than the longest wait between passes"
                        + " (35s, interval plus jitter), or the monitor is always stale",
                "/etc/vitra/monitors.yaml:3: monitors[1].name: \"b\" is already the name of monitors[0]",
                "/etc/vitra/monitors.yaml:4: monitors[2].name: appears twice in one mapping",
                "/etc/vitra/monitors.yaml:4: monitors[2].index-log: the database is already monitored by \"b\"");
    }

    @Test
    void baseUrlsMustBeFetchedExactlyAsWrittenAndCarryNoCredentials() {
        String base = "monitors:\n  - name: m\n    index-log: " + LOG_A + "\n    executor: ";
        for (String bad : List.of("'http:///x'", "'http:h'", "'http://127.0.0.1:1/ x'", "'http://h/<script>'", "'http://h/a\"b'",
                "'ftp://h'", "'http://h/?q=1'", "'http://h:80/'")) {
            assertThat(problems(base + bad + "\n")).as(bad).singleElement().asString().startsWith("/etc/vitra/monitors.yaml:4: monitors[0].executor: ");
        }
        assertThat(problems(base + "'http://user:S3CRET@h/'\n")).singleElement().asString()
                .contains("credentials in a URL").doesNotContain("S3CRET");
        for (String good : List.of("http://h", "http://h/", "https://Example.COM:8443/base/path", "http://127.0.0.1:9/a%20b")) {
            assertThat(problemsOrNone(base + "'" + good + "'\n")).as(good).isEmpty();
        }
    }

    private static List<String> problemsOrNone(String yaml) {
        try {
            parse(yaml);
            return List.of();
        } catch (ConfigException e) {
            return e.problems();
        }
    }

    @Test
    void aCronScheduleNeedsAFreshnessDeadlineLongerThanItsWidestGap() {
        String base = "monitors:\n  - name: m\n    executor: http://h:1\n    index-log: " + LOG_A + "\n";
        assertThat(problems(base + "    schedule: {cron: '0 * * * * ?'}\n    freshness-deadline: 1s\n")).singleElement().asString()
                .contains("freshness-deadline: must be longer than the longest wait between passes (1m, from the cron schedule)");
        assertThat(problems(base + "    schedule: {cron: '0 0 3 ? * MON'}\n")).singleElement().asString().contains("(7d, from the cron schedule)");
        assertThat(problemsOrNone(base + "    schedule: {cron: '0 */5 * * * ?'}\n")).isEmpty();
        // Review round 2: a yearly schedule has gaps too, and one that never fires again is refused before it starts.
        assertThat(problems(base + "    schedule: {cron: '0 0 0 1 1 ?'}\n")).singleElement().asString()
                .contains("(366d, from the cron schedule)");
        assertThat(problems(base + "    schedule: {cron: '0 0 0 1 1 ? 2020'}\n    freshness-deadline: 1d\n")).singleElement().asString()
                .contains("schedule.cron: never fires again");
        // Review round 3: one that fires once more, or first in many years, waits too long as well.
        assertThat(problems(base + "    schedule: {cron: '0 0 0 1 1 ? 2027'}\n    freshness-deadline: 400d\n")).singleElement().asString()
                .contains("forever: the schedule stops firing");
        assertThat(problems(base + "    schedule: {cron: '0 0 0 1 1 ? 2099'}\n    freshness-deadline: 400d\n")).singleElement().asString()
                .containsPattern("\\(about \\d+d, from the cron schedule\\)");
        assertThat(problems(base + "    schedule: {cron: '0 0 0 ? 2 MON#5'}\n    freshness-deadline: 400d\n")).singleElement().asString()
                .contains("freshness-deadline: must be longer than the longest wait between passes");
    }

    @Test
    void secretFilesMustBeSmallRegularFiles(@TempDir Path dir) throws Exception {
        assertThatThrownBy(() -> Secret.fromFile(Path.of("/dev/zero"))).hasMessageContaining("not a regular file");
        Files.write(dir.resolve("big"), new byte[Secret.MAX_BYTES + 1]);
        assertThatThrownBy(() -> Secret.fromFile(dir.resolve("big"))).hasMessageContaining("larger than");
    }

    @Test
    void schedulesAreIntervalsWithJitterOrValidCronExpressions() throws Exception {
        String base = "monitors:\n  - name: m\n    executor: http://h:1\n    index-log: " + LOG_A + "\n    schedule: ";
        assertThat(parse(base + "{every: 2m, jitter: 10s}\n").monitors().get(0).schedule())
                .isEqualTo(new WatchdogConfig.Schedule.Every(Duration.ofMinutes(2), Duration.ofSeconds(10)));
        assertThat(parse(base + "{cron: '0 */5 * * * ?'}\n").monitors().get(0).schedule())
                .isEqualTo(new WatchdogConfig.Schedule.Cron("0 */5 * * * ?"));
        assertThat(problems(base + "{cron: 'every five minutes'}\n")).singleElement().asString()
                .startsWith("/etc/vitra/monitors.yaml:5: monitors[0].schedule.cron: not a Quartz cron expression");
        assertThat(problems(base + "{every: 500ms}\n")).containsExactly("/etc/vitra/monitors.yaml:5: monitors[0].schedule.every: must be at least 1s");
        assertThat(problems(base + "{every: 10m}\n    freshness-deadline: 5m\n")).singleElement().asString()
                .contains("freshness-deadline: must be longer than the longest wait between passes (10m, interval plus jitter)");
        assertThat(problems(base + "{every: 0s}\n")).singleElement().asString().contains("schedule.every: must be longer than zero");
    }

    @Test
    void secretsComeFromTheEnvironmentOrFilesNeverFromTheYaml(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("pw"), "from-file\n");
        List<String> p = problems("store:\n  jdbc-url: jdbc:postgresql://db/w\n  user: w\n  password-env: MISSING\n");
        assertThat(p).anyMatch(s -> s.equals("/etc/vitra/monitors.yaml:4: store.password-env: the environment variable MISSING is not set"));
        assertThat(problems("store:\n  jdbc-url: jdbc:postgresql://db/w\n  password: hunter2\n"))
                .anyMatch(s -> s.startsWith("/etc/vitra/monitors.yaml:3: store.password: unknown key"));
        assertThat(problems("store:\n  h2-file: x.mv.db\n  password-env: DB_PASSWORD\n"))
                .containsExactly("/etc/vitra/monitors.yaml:3: store.password-env: only applies to a jdbc-url store");
        assertThat(Secret.fromFile(dir.resolve("pw")).value()).isEqualTo("from-file");
        assertThat(Secret.fromFile(dir.resolve("pw")).toString()).doesNotContain("from-file");
    }

    @Test
    void aJdbcStoreIsPostgresqlWithItsUserAndPasswordFromAFile(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("pw"), "s3cret\n");
        Path file = dir.resolve("monitors.yaml");
        Files.writeString(file, "store:\n  jdbc-url: jdbc:postgresql://db:5432/w\n  user: w\n  password-file: pw\n"
                + "monitors:\n  - name: shop\n    executor: http://127.0.0.1:8080\n    index-log: " + LOG_A + "\n");
        WatchdogConfig c = ConfigLoader.load(file);
        assertThat(c.store()).isInstanceOfSatisfying(WatchdogConfig.Store.Jdbc.class, j -> {
            assertThat(j.url()).isEqualTo("jdbc:postgresql://db:5432/w");
            assertThat(j.user()).isEqualTo("w");
            assertThat(j.password()).hasValueSatisfying(pw -> assertThat(pw.value()).isEqualTo("s3cret"));
        });
        assertThat(problems("store:\n  jdbc-url: jdbc:mysql://db/w\n  user: w\n")).singleElement().asString()
                .startsWith("/etc/vitra/monitors.yaml:2: store.jdbc-url: not a PostgreSQL JDBC URL").doesNotContain("mysql");
        // A secret in the URL would be shown; a store needs its role.
        for (String url : List.of("jdbc:postgresql://db/w?ssl=true&password=s3cret", "jdbc:postgresql://w:s3cret@db/w")) {
            assertThat(problems("store:\n  jdbc-url: \"" + url + "\"\n  user: w\n")).singleElement().asString()
                    .startsWith("/etc/vitra/monitors.yaml:2: store.jdbc-url: a password or user:password@ in the URL")
                    .doesNotContain("s3cret");
        }
        assertThat(problems("store:\n  jdbc-url: jdbc:postgresql://db/w\n  user: \"\"\n")).singleElement().asString()
                .isEqualTo("/etc/vitra/monitors.yaml:3: store.user: required with a jdbc-url: the database role");
    }

    @Test
    void alertProblemsNameTheirLine() {
        String monitors = "monitors:\n  - name: shop\n    executor: http://127.0.0.1:8080\n    index-log: " + LOG_A + "\n";
        List<String> p = problems("alerts:\n"
                + "  channels:\n"
                + "    mail: {type: email, to: [not an address]}\n"
                + "    hook: {type: webhook, url: 'https://user:pw@hooks.example.org/x'}\n"
                + "    am: {type: alertmanager, url: http://127.0.0.1:9093, to: [x@example.org]}\n"
                + "    Bad: {type: pager}\n"
                + "  routes:\n    fraud: [hook, nowhere]\n"
                + "  digest: {channels: [hook], every: monthly, at: '25:00'}\n"
                + monitors + "    alerts: {notice: [am, am]}\n");
        assertThat(p).containsExactly(
                "/etc/vitra/monitors.yaml:3: alerts.channels.mail: an email channel needs alerts.smtp",
                "/etc/vitra/monitors.yaml:3: alerts.channels.mail.to[0]: not an email address: \"not an address\": Local address contains"
                        + " control or whitespace",
                "/etc/vitra/monitors.yaml:4: alerts.channels.hook.url: credentials in a URL would be logged; use secret-env or secret-file",
                "/etc/vitra/monitors.yaml:5: alerts.channels.am.to: does not apply to alertmanager channels",
                "/etc/vitra/monitors.yaml:6: alerts.channels.Bad: \"Bad\" is not a channel name: lowercase letters, digits, '-' and"
                        + " '_', starting with a letter or digit",
                "/etc/vitra/monitors.yaml:8: alerts.routes.fraud[1]: no channel \"nowhere\" in alerts.channels (there are: am, hook, mail)",
                "/etc/vitra/monitors.yaml:9: alerts.digest.channels: \"hook\" is not an email channel",
                "/etc/vitra/monitors.yaml:9: alerts.digest.every: expected daily or weekly, got \"monthly\"",
                "/etc/vitra/monitors.yaml:9: alerts.digest.at: expected a UTC time of day like 08:00, got \"25:00\"",
                "/etc/vitra/monitors.yaml:14: monitors[0].alerts.notice[1]: \"am\" is listed twice");
    }

    @Test
    void malformedYamlNamesItsLine() {
        assertThat(problems("monitors:\n  - name: a\n   bad indent: [\n")).singleElement().asString()
                .startsWith("/etc/vitra/monitors.yaml:3: not valid YAML");
        // Review round 2: anchors and a second document are reported with everything else, in one run.
        // (An alias is what repeats a value; an anchor nothing refers to changes nothing.)
        assertThat(problems("workers: &w 0\nhttp: *w\n---\nx: 1\n")).containsExactly(
                "/etc/vitra/monitors.yaml:1: workers: must be from 1 to 256, got 0",
                "/etc/vitra/monitors.yaml:2: http: YAML anchors and aliases are not supported",
                "/etc/vitra/monitors.yaml:4: only one YAML document is allowed");
        assertThat(problems("- 1\n- 2\n")).containsExactly("/etc/vitra/monitors.yaml:1: (top level): expected a mapping, found a list");
    }
}
