package dev.vitra.watchdog.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * grafana/: the dashboard imports as is (a data source variable, a monitor variable, a row per concern) and the
 * alerting rules pass promtool's check and their unit tests. That every metric they name exists in a real scrape
 * of a running service is checked by WatchdogServiceTest, against {@link #metricNames()}.
 */
public class DashboardAndRulesTest {
    static final Path DASHBOARD = Path.of("grafana/vitra-watchdog.json");
    static final Path RULES = Path.of("grafana/alerts.yml");
    private static final Pattern METRIC = Pattern.compile("\\b((?:vitra_watchdog|jvm|process)_[a-z_]+)\\b");

    /** Every metric name the dashboard's queries and the alerting rules use. */
    public static Set<String> metricNames() throws Exception {
        Set<String> names = new TreeSet<>();
        for (Path p : List.of(DASHBOARD, RULES)) {
            String text = Files.readString(Path.of(System.getProperty("user.dir")).resolve(p));
            if (p.equals(RULES)) {
                // Only expressions name metrics; annotations are prose.
                StringBuilder exprs = new StringBuilder();
                boolean inExpr = false;
                for (String line : text.split("\n")) {
                    String t = line.strip();
                    if (t.startsWith("expr:")) {
                        inExpr = true;
                        exprs.append(t.substring(5)).append('\n');
                    } else if (inExpr && (t.startsWith("(") || t.startsWith("unless") || t.startsWith("or") || t.isEmpty())) {
                        exprs.append(t).append('\n');
                    } else {
                        inExpr = false;
                    }
                }
                text = exprs.toString();
            } else {
                StringBuilder exprs = new StringBuilder();
                new ObjectMapper().readTree(text).findValues("expr").forEach(e -> exprs.append(e.asText()).append('\n'));
                text = exprs.toString();
            }
            Matcher m = METRIC.matcher(text);
            while (m.find()) {
                names.add(m.group(1));
            }
        }
        return names;
    }

    @Test
    void theDashboardHasADataSourceAndAMonitorVariableAndARowPerConcern() throws Exception {
        JsonNode d = new ObjectMapper().readTree(Files.readString(DASHBOARD, StandardCharsets.UTF_8));
        List<String> variables = new ArrayList<>();
        d.path("templating").path("list").forEach(v -> variables.add(v.path("name").asText() + ":" + v.path("type").asText()));
        assertThat(variables).containsExactly("datasource:datasource", "monitor:query");
        List<String> rows = new ArrayList<>();
        int queries = 0;
        for (JsonNode p : d.path("panels")) {
            if (p.path("type").asText().equals("row")) {
                rows.add(p.path("title").asText());
            } else {
                assertThat(p.path("targets").size()).as(p.path("title").asText()).isPositive();
                for (JsonNode t : p.path("targets")) {
                    assertThat(t.path("expr").asText()).isNotBlank();
                    queries++;
                }
                assertThat(p.path("datasource").path("uid").asText()).isEqualTo("${datasource}");
            }
        }
        assertThat(rows).containsExactly("Verdicts", "Progress and lag", "Passes", "Findings", "The watchdog process");
        assertThat(queries).isGreaterThan(15);
        assertThat(metricNames()).contains("vitra_watchdog_monitor_state", "vitra_watchdog_lag_entries",
                "vitra_watchdog_pass_duration_seconds_bucket", "vitra_watchdog_findings_open", "vitra_watchdog_pending_oldest_age_seconds");
    }

    @Test
    void promtoolAcceptsTheRulesAndTheirUnitTestsPass() throws Exception {
        Path promtool = ExternalTools.require("promtool", "prometheus");
        assertThat(run(promtool.toString(), "check", "rules", "grafana/alerts.yml")).contains("SUCCESS: 5 rules found");
        assertThat(run(promtool.toString(), "test", "rules", "grafana/alerts.test.yml")).contains("SUCCESS");
    }

    private static String run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        return out;
    }
}
