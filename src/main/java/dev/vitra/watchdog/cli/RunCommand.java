package dev.vitra.watchdog.cli;

import dev.vitra.watchdog.config.ConfigException;
import dev.vitra.watchdog.config.ConfigLoader;
import dev.vitra.watchdog.config.WatchdogConfig;
import dev.vitra.watchdog.service.WatchdogService;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "run", mixinStandardHelpOptions = true,
        description = {"Run the watchdog as a service: every monitor in the config on its own schedule, the audit store,",
                "metrics, the status API and page on one read-only HTTP listener. SIGHUP (or editing the file) reloads",
                "the config; SIGTERM stops gracefully, running passes committing at a chunk boundary. See docs/service.md."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:stopped by a signal after running", "2:the config is invalid (every problem is listed)",
                "3:could not start (the store or the listener)"})
final class RunCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--config", defaultValue = "monitors.yaml", paramLabel = "<file>",
            description = "the configuration (default ${DEFAULT-VALUE})")
    Path config;

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter err = spec.commandLine().getErr();
        WatchdogConfig c;
        try {
            c = ConfigLoader.load(config);
        } catch (ConfigException e) {
            e.problems().forEach(p -> err.println("error: " + p));
            return ExitCodes.USAGE;
        }
        // Signals are handled from before the service starts: by default SIGHUP would end the JVM while it starts.
        // SIGTERM and Ctrl-C stop gracefully and exit 0; SIGHUP reloads (or, before the start, is ignored: the file is
        // read as it starts). A shutdown hook covers any other way out.
        java.util.concurrent.atomic.AtomicReference<WatchdogService> running = new java.util.concurrent.atomic.AtomicReference<>();
        CountDownLatch stop = new CountDownLatch(1);
        boolean handled = Signals.on("TERM", stop::countDown) & Signals.on("INT", stop::countDown);
        boolean hup = Signals.on("HUP", () -> {
            WatchdogService s = running.get();
            if (s != null) {
                s.reload();
            }
        });
        org.slf4j.LoggerFactory.getLogger(RunCommand.class).info("starting: SIGHUP reloads {}, SIGTERM stops", config);
        WatchdogService service;
        try {
            service = WatchdogService.start(c);
        } catch (dev.vitra.watchdog.alert.AlertTemplates.TemplateException e) {
            e.problems().forEach(p -> err.println("error: " + p));
            return ExitCodes.USAGE;
        } catch (dev.vitra.watchdog.store.StoreException e) {
            // Wrong credentials, an unknown database, a wrong encoding: the configuration (2); else the server (3).
            err.println("error: could not start: " + e.getMessage());
            return e.localInput() ? ExitCodes.USAGE : ExitCodes.COULD_NOT_VERIFY;
        } catch (Exception e) {
            err.println("error: could not start: " + e.getMessage());
            return ExitCodes.COULD_NOT_VERIFY;
        }
        running.set(service);
        Runtime.getRuntime().addShutdownHook(new Thread(service::close, "shutdown"));
        if (!hup) {
            err.println("note: SIGHUP cannot be handled here; saving the config file reloads it");
        }
        if (!handled) {
            err.println("note: SIGTERM cannot be handled here; the service still stops gracefully, exiting 143");
        }
        err.flush();
        stop.await();
        service.close();
        return ExitCodes.OK;
    }
}
