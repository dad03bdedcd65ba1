package dev.vitra.watchdog.cli;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.FileAppender;
import dev.vitra.watchdog.demo.Demo;
import dev.vitra.watchdog.executor.Fault;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.regex.Pattern;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "demo", mixinStandardHelpOptions = true, sortOptions = false,
        description = "The whole product in one process: the reference executor with two token-ledger databases on"
                + " loopback, one honest and one that starts cheating once the watchdog has verified both; participants"
                + " calling both; and the watchdog service auditing them every 2 s, alerting by email. The console tells"
                + " what happens: both verified, the cheat caught with its finding, the proof file and verify-proof run"
                + " on it, the alert. Everything lives in --dir; running the demo again resumes the same databases and"
                + " store. Ctrl-C stops it.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:stopped by Ctrl-C or SIGTERM", "2:a bad option, or --dir holds something that is not a demo",
                "3:could not start (a port, the store)"})
final class DemoCommand implements Callable<Integer> {
    private static final Pattern MAIL_ADDRESS = Pattern.compile("[^\\s\"\\\\<>@]+@[^\\s\"\\\\<>@]+");

    @Spec
    CommandSpec spec;

    @Option(names = "--dir", defaultValue = "data/demo", paramLabel = "<dir>",
            description = "where the databases, the store, proofs, mail and the log live (default ${DEFAULT-VALUE})")
    Path dir;

    @Option(names = "--port", defaultValue = "0", paramLabel = "<port>",
            description = "the watchdog's status page and /metrics on 127.0.0.1 (default: any free port)")
    int port;

    @Option(names = "--cheat", defaultValue = "WRONG_CHANGES", paramLabel = "<MODE>",
            description = {"how the cheating executor misbehaves (docs/executor.md; default ${DEFAULT-VALUE}):",
                    "${COMPLETION-CANDIDATES}"})
    Fault cheat;

    @Option(names = "--smtp", paramLabel = "<host:port>",
            description = "send alerts to this SMTP server (plain SMTP, no login) instead of the built-in sink that writes .eml files")
    String smtp;

    @Option(names = "--mail-to", defaultValue = "operator@demo.invalid", paramLabel = "<address>",
            description = "where alerts are sent (default ${DEFAULT-VALUE})")
    String mailTo;

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Optional<InetSocketAddress> smtpAddress;
        try {
            smtpAddress = smtp == null ? Optional.empty() : Optional.of(hostAndPort(smtp));
        } catch (IllegalArgumentException e) {
            err.println("error: --smtp: " + e.getMessage());
            return ExitCodes.USAGE;
        }
        if (!MAIL_ADDRESS.matcher(mailTo).matches()) {
            err.println("error: --mail-to: expected one address like someone@example.org, got \"" + mailTo + "\"");
            return ExitCodes.USAGE;
        }
        if (port < 0 || port > 65535) {
            err.println("error: --port: expected 0 to 65535, got " + port);
            return ExitCodes.USAGE;
        }
        CountDownLatch stop = new CountDownLatch(1);
        Signals.on("INT", stop::countDown);
        Signals.on("TERM", stop::countDown);
        Demo demo;
        try {
            Demo.checkDirectory(dir); // before the log file is created in it
            Files.createDirectories(dir);
            logTo(Demo.logFile(dir));
            demo = Demo.start(new Demo.Options(dir, port, cheat, smtpAddress, mailTo));
        } catch (Demo.DemoException e) {
            err.println("error: " + e.getMessage());
            return ExitCodes.USAGE;
        } catch (IOException | RuntimeException e) {
            err.println("error: could not start the demo: " + e.getMessage());
            LoggerFactory.getLogger(DemoCommand.class).error("could not start the demo", e);
            return ExitCodes.COULD_NOT_VERIFY;
        }
        Thread hook = new Thread(demo::close, "demo-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            demo.tell(out, () -> stop.getCount() == 0);
        } finally {
            out.printf("%nstopping: the watchdog commits what it verified ...%n");
            out.flush();
            demo.close();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException alreadyShuttingDown) {
                // the hook runs (close is idempotent)
            }
        }
        out.printf("stopped. Run ./vitra-watchdog demo%s again to resume.%n",
                dir.equals(Path.of("data/demo")) ? "" : " --dir " + dir);
        out.flush();
        return ExitCodes.OK;
    }

    private static InetSocketAddress hostAndPort(String text) {
        int colon = text.lastIndexOf(':');
        if (colon <= 0 || colon == text.length() - 1) {
            throw new IllegalArgumentException("expected host:port, got \"" + text + "\"");
        }
        int p;
        try {
            p = Integer.parseInt(text.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("the port of \"" + text + "\" is not a number");
        }
        if (p < 1 || p > 65535) {
            throw new IllegalArgumentException("the port of \"" + text + "\" is not 1 to 65535");
        }
        String host = text.substring(0, colon);
        if (!host.matches("[A-Za-z0-9.-]+|\\[[0-9A-Fa-f:.]+]")) {
            throw new IllegalArgumentException("\"" + host + "\" is not a host name or address");
        }
        return InetSocketAddress.createUnresolved(host.startsWith("[") ? host.substring(1, host.length() - 1) : host, p);
    }

    /** The service logs as it always does, but to a file: the console belongs to the story. */
    private static void logTo(Path file) {
        if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
            return;
        }
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern("%d{yyyy-MM-dd HH:mm:ss.SSS} %-5level %logger{0}: %msg%n");
        encoder.start();
        FileAppender<ILoggingEvent> appender = new FileAppender<>();
        appender.setContext(context);
        appender.setName("DEMO-FILE");
        appender.setFile(file.toString());
        appender.setAppend(true);
        appender.setEncoder(encoder);
        appender.start();
        Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.detachAppender("STDERR");
        root.addAppender(appender);
    }
}
