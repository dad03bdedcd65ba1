package dev.vitra.watchdog.cli;

import dev.vitra.watchdog.config.ConfigException;
import dev.vitra.watchdog.config.ConfigLoader;
import dev.vitra.watchdog.config.Durations;
import dev.vitra.watchdog.config.WatchdogConfig;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "validate-config", mixinStandardHelpOptions = true,
        description = {"Check a watchdog configuration without starting anything: every problem, each as",
                "file:line: field: problem. Secrets named in it must be readable (environment variables, files), and the",
                "alert templates (alerts.templates, or the built-in ones) must render every kind."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:valid", "2:invalid (every problem is listed)"})
final class ValidateConfigCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", defaultValue = "monitors.yaml", paramLabel = "<file>", description = "default ${DEFAULT-VALUE}")
    Path file;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        WatchdogConfig c;
        try {
            c = ConfigLoader.load(file);
        } catch (ConfigException e) {
            e.problems().forEach(p -> err.println("error: " + p));
            return ExitCodes.USAGE;
        }
        try {
            dev.vitra.watchdog.alert.AlertTemplates.load(c.alerts().templates());
        } catch (dev.vitra.watchdog.alert.AlertTemplates.TemplateException e) {
            e.problems().forEach(p -> err.println("error: " + p));
            return ExitCodes.USAGE;
        }
        out.printf("%s: valid; %d monitor(s), %d worker(s), listener %s:%d, store %s%n", file, c.monitors().size(), c.workers(),
                c.http().host(), c.http().port(), switch (c.store()) {
                    case WatchdogConfig.Store.H2File h2 -> "H2 " + h2.file();
                    case WatchdogConfig.Store.Jdbc j -> j.url();
                });
        if (!c.alerts().channels().isEmpty()) {
            out.printf("  alerts: %s; templates %s%n", String.join(", ", c.alerts().channels().values().stream()
                    .map(ch -> ch.name() + " (" + switch (ch) {
                        case WatchdogConfig.Channel.Email e -> "email to " + String.join(", ", e.to());
                        case WatchdogConfig.Channel.Webhook w -> "webhook " + w.url() + (w.secret().isPresent() ? ", signed" : "");
                        case WatchdogConfig.Channel.Alertmanager a -> "alertmanager " + a.url();
                    } + ")").toList()), c.alerts().templates().map(Path::toString).orElse("built in"));
        }
        for (WatchdogConfig.Monitor m : c.monitors()) {
            out.printf("  %s: %s, index %s, %s%n", m.name(), m.executor(), m.indexLog().hex(), switch (m.schedule()) {
                case WatchdogConfig.Schedule.Every e -> "every " + Durations.format(e.interval())
                        + (e.jitter().isZero() ? "" : " + up to " + Durations.format(e.jitter()) + " jitter");
                case WatchdogConfig.Schedule.Cron cr -> "cron \"" + cr.expression() + "\" (UTC)";
            });
        }
        return ExitCodes.OK;
    }
}
