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
        WatchdogService service;
        try {
            service = WatchdogService.start(c);
        } catch (Exception e) {
            err.println("error: could not start: " + e.getMessage());
            return ExitCodes.COULD_NOT_VERIFY;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            service.close();
            stopped.countDown();
        }, "shutdown"));
        installReloadSignal(service, err);
        stopped.await();
        return ExitCodes.OK;
    }

    /**
     * SIGHUP reloads the config where the platform has it. Through reflection: {@code sun.misc.Signal} (module
     * jdk.unsupported) is the JDK's only way to handle a signal, and compiling against it cannot be warning-free.
     */
    private static void installReloadSignal(WatchdogService service, PrintWriter err) {
        try {
            Class<?> signal = Class.forName("sun.misc.Signal");
            Class<?> handlerType = Class.forName("sun.misc.SignalHandler");
            Object hangup = signal.getConstructor(String.class).newInstance("HUP");
            Object handler = java.lang.reflect.Proxy.newProxyInstance(handlerType.getClassLoader(), new Class<?>[] {handlerType},
                    (proxy, method, args) -> {
                        if (method.getName().equals("handle")) {
                            service.reload();
                        }
                        return null;
                    });
            signal.getMethod("handle", signal, handlerType).invoke(null, hangup, handler);
        } catch (ReflectiveOperationException | RuntimeException e) {
            // No SIGHUP here (Windows, or a JDK without jdk.unsupported): the file watcher still reloads on change.
            err.println("note: SIGHUP cannot be handled here (" + e + "); edit the file to reload it");
            err.flush();
        }
    }
}
