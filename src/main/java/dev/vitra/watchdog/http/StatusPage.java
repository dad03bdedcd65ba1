package dev.vitra.watchdog.http;

import dev.vitra.watchdog.audit.PassReport;
import dev.vitra.watchdog.schedule.MonitorState;
import dev.vitra.watchdog.store.Rows;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;

/**
 * The status page a person reads at a glance: one row per monitor (state, lag, last pass, open findings, links to
 * proofs). Plain server-rendered HTML and CSS; every value that came from a log or the config is escaped.
 */
final class StatusPage {
    private StatusPage() {
    }

    static String render(List<MonitorState> monitors, Instant now, String runtime) {
        StringBuilder h = new StringBuilder(4096);
        h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
                .append("<meta http-equiv=\"refresh\" content=\"30\"><title>Vitra Watchdog</title><style>")
                .append("body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#222}")
                .append("table{border-collapse:collapse;width:100%;table-layout:fixed}")
                .append("th,td{text-align:left;padding:.4em .6em;border-bottom:1px solid #ddd;vertical-align:top;overflow-wrap:anywhere}")
                .append("th:nth-child(1){width:24%}th:nth-child(2){width:10%}th:nth-child(3){width:10%}th:nth-child(4){width:14%}")
                .append(".state{font-weight:bold;padding:.1em .5em;border-radius:.3em;color:#fff}")
                .append(".verified{background:#2e7d32}.pending{background:#f9a825}.unavailable{background:#6d4c41}")
                .append(".breached{background:#c62828}.starting{background:#757575}")
                .append("code{font-size:12px}ul{margin:0;padding-left:1.2em}.muted{color:#777}")
                .append("</style></head><body>\n<h1>Vitra Watchdog</h1>\n");
        long breached = monitors.stream().filter(m -> m.health(now) == MonitorState.Health.BREACHED).count();
        h.append("<p id=\"summary\">").append(monitors.size()).append(" monitor(s)");
        if (breached > 0) {
            h.append(", <strong>").append(breached).append(" breached</strong>");
        }
        h.append(". Contract runtime: ").append(esc(runtime)).append(". As of ").append(esc(now.toString())).append(".</p>\n");
        h.append("<table id=\"monitors\"><thead><tr><th>monitor</th><th>state</th><th>lag</th><th>last pass</th>")
                .append("<th>open findings</th></tr></thead><tbody>\n");
        monitors.stream().sorted(Comparator.comparing(m -> m.config().name())).forEach(m -> row(h, m, now));
        h.append("</tbody></table>\n<p class=\"muted\">JSON: <a href=\"/api/monitors\">/api/monitors</a>, ")
                .append("<a href=\"/api/findings\">/api/findings</a>; metrics: <a href=\"/metrics\">/metrics</a>. ")
                .append("Check a proof offline with <code>vitra-watchdog verify-proof &lt;file&gt;</code>.</p>\n</body></html>\n");
        return h.toString();
    }

    private static void row(StringBuilder h, MonitorState m, Instant now) {
        MonitorState.Snapshot s = m.snapshot();
        String state = m.health(now).name().toLowerCase(java.util.Locale.ROOT);
        h.append("<tr data-monitor=\"").append(esc(m.config().name())).append("\"><td><strong>").append(esc(m.config().name()))
                .append("</strong><br><span class=\"muted\">").append(esc(m.config().executor())).append("</span><br><code>")
                .append(esc(m.config().indexLog().hex())).append("</code></td>");
        h.append("<td><span class=\"state ").append(state).append("\">").append(state).append("</span>");
        if (m.stale(now)) {
            h.append(s.lastSuccessAt().isPresent() ? "<br>no verified checkpoint for " + ago(s.lastSuccessAt(), now)
                    : "<br>no verified checkpoint since the service started");
        }
        s.lastError().ifPresent(e -> h.append("<br><span class=\"error\">").append(esc(e)).append("</span>"));
        h.append("</td><td class=\"lag\">");
        if (s.lastReport().isPresent()) {
            PassReport r = s.lastReport().get();
            h.append(m.lagEntries()).append(" entries<br><span class=\"muted\">")
                    .append(r.verifiedPosition()).append(" of ").append(Math.max(s.publishedSize(), r.indexSize()))
                    .append(" verified</span>");
        } else {
            h.append("<span class=\"muted\">—</span>");
        }
        h.append("</td><td>");
        if (s.lastPassAt().isPresent()) {
            h.append(ago(s.lastPassAt(), now)).append(" ago");
            s.lastReport().ifPresent(r -> h.append("<br><span class=\"muted\">").append(r.verdict().name().toLowerCase(java.util.Locale.ROOT))
                    .append(", ").append(r.transactions()).append(" transactions, ").append(r.duration().toMillis()).append(" ms</span>"));
        } else {
            h.append(s.running() ? "running" : "not yet");
        }
        h.append("</td><td class=\"findings\">");
        List<Rows.Finding> open = m.openFindings();
        if (open.isEmpty()) {
            h.append("<span class=\"muted\">none</span>");
        } else {
            h.append("<ul>");
            for (Rows.Finding f : open.stream().limit(20).toList()) {
                h.append("<li><strong>").append(esc(f.kind())).append("</strong> ").append(esc(f.code())).append(": ")
                        .append(esc(f.summary()));
                f.proofId().ifPresent(id -> h.append(" <a class=\"proof\" href=\"/api/proofs/").append(esc(id)).append("\">proof</a>"));
                h.append("</li>");
            }
            if (open.size() > 20) {
                h.append("<li class=\"muted\">and ").append(open.size() - 20).append(" more: /api/monitors/")
                        .append(esc(m.config().name())).append("</li>");
            }
            h.append("</ul>");
        }
        h.append("</td></tr>\n");
    }

    private static String ago(java.util.Optional<Instant> at, Instant now) {
        if (at.isEmpty()) {
            return "ever";
        }
        long s = Math.max(0, Duration.between(at.get(), now).toSeconds());
        return s < 120 ? s + " s" : s < 7200 ? s / 60 + " min" : s / 3600 + " h";
    }

    /** HTML escaping for text and attribute values. */
    static String esc(String s) {
        StringBuilder b = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> b.append("&amp;");
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }
}
