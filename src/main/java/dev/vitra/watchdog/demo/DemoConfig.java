package dev.vitra.watchdog.demo;

import java.net.InetSocketAddress;
import java.util.List;

/** The watchdog's config for the demo: the same monitors.yaml format as {@code run}, with a demo's short schedules. */
final class DemoConfig {
    static final String MAIL_CHANNEL = "operator-mail";

    private DemoConfig() {
    }

    static String yaml(int port, InetSocketAddress smtp, String mailTo, List<Demo.Database> databases) {
        StringBuilder y = new StringBuilder();
        y.append("""
                # Written by ./vitra-watchdog demo at every start (the executors' ports change). The format is the
                # service's own: monitors.yaml at the repository root documents every option, docs/service.md explains them.
                store:
                  h2-file: watchdog.mv.db
                http:
                  listen: 127.0.0.1:%d
                workers: 2
                alerts:
                  availability-after: 5s                # a real deployment waits longer (default 5m)
                  renotify-every: 1h
                  smtp:
                    host: %s
                    port: %d
                    security: none                      # a loopback sink; use starttls or tls with a real server
                    from: "Vitra Watchdog demo <watchdog@demo.invalid>"
                    timeout: 10s
                  channels:
                    %s:
                      type: email
                      to: ["%s"]
                  routes:
                    fraud: [%s]
                    availability: [%s]
                    notice: []
                monitors:
                """.formatted(port, smtp.getHostString(), smtp.getPort(), MAIL_CHANNEL, mailTo, MAIL_CHANNEL, MAIL_CHANNEL));
        for (Demo.Database d : databases) {
            y.append("""
                      - name: %s
                        executor: %s
                        index-log: %s
                        schedule:
                          every: 2s                           # a real deployment polls less often (default 30s)
                          jitter: 0s
                        pending-deadline: 20s
                        freshness-deadline: 1m
                    """.formatted(d.name(), d.server().baseUrl(), d.index().hex()));
        }
        return y.toString();
    }
}
