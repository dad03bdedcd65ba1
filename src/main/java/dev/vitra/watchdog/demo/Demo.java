package dev.vitra.watchdog.demo;

import dev.vitra.watchdog.config.ConfigException;
import dev.vitra.watchdog.config.ConfigLoader;
import dev.vitra.watchdog.contract.ContractEngine;
import dev.vitra.watchdog.contract.ContractLimits;
import dev.vitra.watchdog.contract.ContractLoadException;
import dev.vitra.watchdog.executor.Executor;
import dev.vitra.watchdog.executor.ExecutorServer;
import dev.vitra.watchdog.executor.Fault;
import dev.vitra.watchdog.note.LogId;
import dev.vitra.watchdog.service.WatchdogService;
import dev.vitra.watchdog.util.FileTrees;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.function.BooleanSupplier;

/**
 * The whole product in one process: the reference executor with two databases of a token contract (one honest, one
 * that starts cheating with a real fault mode once the watchdog has verified both), participants calling both over
 * HTTP, and the watchdog service on a config written to the demo directory, alerting by email. {@link DemoStory} tells
 * what happens. Everything lives in one directory, so running the demo again resumes the same databases and store.
 *
 * <pre>
 * dir/demo.properties    when the demo was created, and its cheat mode
 * dir/honest/, cheating/ the two databases (reference executor data: keys, logs)
 * dir/monitors.yaml      the watchdog's config, rewritten at every start (the ports change)
 * dir/watchdog.mv.db     the watchdog's store
 * dir/proofs/            each fraud proof the watchdog found, as verify-proof reads it
 * dir/mail/              each alert the built-in SMTP sink received, as an .eml file
 * dir/watchdog.log       the service's log
 * </pre>
 */
public final class Demo implements AutoCloseable {
    static final String HONEST = "honest";
    static final String CHEATING = "cheating";
    private static final String STATE_FILE = "demo.properties";
    private static final String LOG_FILE = "watchdog.log";
    /** Held while a demo runs in the directory: a second one is refused before it touches anything. */
    private static final String LOCK_FILE = "demo.lock";
    private static final int PARTICIPANTS = 3;

    /**
     * @param dir    the demo directory
     * @param port   the watchdog's listener port (0: any free port)
     * @param cheat  how the cheating executor misbehaves (docs/executor.md)
     * @param smtp   a real SMTP server (host:port, no TLS, no login) instead of the built-in sink
     * @param mailTo where alerts go
     */
    public record Options(Path dir, int port, Fault cheat, Optional<InetSocketAddress> smtp, String mailTo) {
    }

    /** Local input the demo cannot use (exit 2): a directory holding something else, a bad option. */
    public static final class DemoException extends Exception {
        public DemoException(String message) {
            super(message);
        }
    }

    /** One database: its executor and the server publishing it on loopback. */
    record Database(String name, Executor executor, ExecutorServer server, boolean created) {
        LogId index() {
            return executor.indexLogId();
        }
    }

    private final Options options;
    private final boolean resumed;
    private final Instant createdAt;
    private final ContractEngine executorEngine;
    private final List<Database> databases;
    private final MailSink sink;
    private final WatchdogService service;
    private final DemoLoad load;
    private boolean closed;
    private FileChannel lock;

    private Demo(Options options, boolean resumed, Instant createdAt, ContractEngine executorEngine, List<Database> databases,
            MailSink sink, WatchdogService service, DemoLoad load) {
        this.options = options;
        this.resumed = resumed;
        this.createdAt = createdAt;
        this.executorEngine = executorEngine;
        this.databases = databases;
        this.sink = sink;
        this.service = service;
        this.load = load;
    }

    /** Where the demo's service logs: the console belongs to the story. */
    public static Path logFile(Path dir) {
        return dir.resolve(LOG_FILE);
    }

    /**
     * Checks that {@code dir} is empty, absent, or a demo (then returns true: it resumes); anything else is refused, so
     * that the demo never writes into a directory it did not create.
     */
    public static boolean checkDirectory(Path dir) throws DemoException, IOException {
        if (Files.exists(dir.resolve(STATE_FILE))) {
            return true;
        }
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new DemoException(dir + " is not a directory");
        }
        if (Files.isDirectory(dir)) {
            try (var entries = Files.list(dir)) {
                // The log is opened first, so that starting is logged too.
                if (entries.anyMatch(p -> !isBookkeeping(p))) {
                    throw new DemoException(dir + " is not empty and holds no demo (no " + STATE_FILE
                            + "; an older demo's log?): remove it, or give another --dir");
                }
            }
        }
        return false;
    }

    private static boolean isBookkeeping(Path p) {
        String name = p.getFileName().toString();
        return name.equals(LOG_FILE) || name.equals(LOCK_FILE);
    }

    /** Creates or resumes the demo in {@code options.dir()} and starts everything; the story is told by {@link #tell}. */
    public static Demo start(Options options) throws DemoException, IOException {
        Path dir = options.dir();
        Files.createDirectories(dir);
        FileChannel lock = FileChannel.open(dir.resolve(LOCK_FILE), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        try {
            if (lock.tryLock() == null) {
                throw new DemoException("another demo is running in " + dir + ": stop it first, or give another --dir");
            }
            Demo demo = start(options, dir);
            demo.lock = lock;
            return demo;
        } catch (DemoException | IOException | RuntimeException e) {
            lock.close();
            throw e;
        }
    }

    private static Demo start(Options options, Path dir) throws DemoException, IOException {
        Path stateFile = dir.resolve(STATE_FILE);
        boolean resumed = checkDirectory(dir);
        Instant createdAt = resumed ? readCreatedAt(stateFile) : Instant.now();
        ContractEngine engine = ContractEngine.create(ContractLimits.defaults());
        List<Database> databases = new ArrayList<>();
        MailSink sink = null;
        WatchdogService service = null;
        try {
            String contract = contractSource();
            if (!resumed) {
                writeState(stateFile, createdAt, options.cheat());
            }
            for (String name : List.of(HONEST, CHEATING)) {
                Path data = dir.resolve(name);
                boolean created = !Files.exists(data.resolve("database.properties"));
                if (created) {
                    create(data, contract, engine);
                }
                Executor executor = Executor.open(data, engine, Clock.systemUTC());
                ExecutorServer server = ExecutorServer.start(executor, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                        Duration.ofMillis(200));
                databases.add(new Database(name, executor, server, created));
            }
            InetSocketAddress smtp;
            if (options.smtp().isPresent()) {
                smtp = options.smtp().get();
            } else {
                sink = MailSink.start(dir.resolve("mail"));
                smtp = new InetSocketAddress("127.0.0.1", sink.port());
            }
            Path config = dir.resolve("monitors.yaml");
            Files.writeString(config, DemoConfig.yaml(options.port(), smtp, options.mailTo(), databases), StandardCharsets.UTF_8);
            try {
                service = WatchdogService.start(ConfigLoader.load(config));
            } catch (ConfigException e) {
                throw new IllegalStateException("the demo wrote an invalid config: " + e.problems(), e);
            } catch (java.net.BindException e) {
                throw new IOException("the watchdog's listener on 127.0.0.1:" + options.port() + ": " + e.getMessage()
                        + " (give another --port, or 0 for any free one)", e);
            }
            DemoLoad load = new DemoLoad(databases.stream().map(d -> new DemoLoad.Target(d.server().baseUrl(), d.index(),
                    d.executor().participants())).toList(), Duration.ofMillis(300));
            load.start();
            return new Demo(options, resumed, createdAt, engine, databases, sink, service, load);
        } catch (ContractLoadException e) {
            IllegalStateException failure = new IllegalStateException("the demo contract does not load: " + e.getMessage(), e);
            abandon(dir, resumed, service, databases, sink, engine, failure);
            throw failure;
        } catch (IOException | RuntimeException e) {
            abandon(dir, resumed, service, databases, sink, engine, e);
            throw e;
        } catch (Exception e) { // Quartz, templates: not the user's input
            IOException failure = new IOException("could not start the watchdog: " + e.getMessage(), e);
            abandon(dir, resumed, service, databases, sink, engine, failure);
            throw failure;
        }
    }

    /**
     * Stops what a failed start had started; a new demo that never ran is removed again (all but its log, which says
     * why), so that the next start is a new demo, not the resumption of one that never began.
     */
    private static void abandon(Path dir, boolean resumed, WatchdogService service, List<Database> databases, MailSink sink,
            ContractEngine engine, Exception failure) {
        closeAll(service, databases, sink, engine);
        if (resumed) {
            return;
        }
        try (var entries = Files.list(dir)) {
            for (Path p : entries.filter(p -> !isBookkeeping(p)).toList()) {
                FileTrees.delete(p);
            }
        } catch (IOException e) {
            failure.addSuppressed(e);
        }
    }

    /** Tells the story on {@code out} until {@code stop} says so. */
    public void tell(PrintWriter out, BooleanSupplier stop) throws InterruptedException {
        new DemoStory(this, out).tell(stop);
    }

    Options options() {
        return options;
    }

    boolean resumed() {
        return resumed;
    }

    Instant createdAt() {
        return createdAt;
    }

    List<Database> databases() {
        return databases;
    }

    Database database(String name) {
        return databases.stream().filter(d -> d.name().equals(name)).findFirst().orElseThrow();
    }

    Optional<MailSink> sink() {
        return Optional.ofNullable(sink);
    }

    WatchdogService service() {
        return service;
    }

    long calls() {
        return load.calls();
    }

    /** Stops (or resumes) the participants' calls to one database. */
    void pauseLoad(Database d, boolean on) {
        load.pause(d.index(), on);
    }

    /** Stops the load, then the watchdog (passes commit, alerts already planned stay in the store), then the executors. */
    @Override
    public synchronized void close() {
        if (closed) {
            return; // Ctrl-C's path and the shutdown hook may both get here
        }
        closed = true;
        load.close();
        closeAll(service, databases, sink, executorEngine);
        try {
            lock.close(); // releases the directory for the next demo
        } catch (IOException e) {
            // the process is ending or the file is gone: the lock goes with it
        }
    }

    private static void closeAll(WatchdogService service, List<Database> databases, MailSink sink, ContractEngine engine) {
        if (service != null) {
            service.close();
        }
        for (Database d : databases) {
            d.server().close();
        }
        if (sink != null) {
            sink.close();
        }
        engine.close();
    }

    /**
     * Creates a database beside its place and moves it there whole: a demo stopped while creating it (or one whose
     * database was removed) gets a new one at the next start instead of a half-written one.
     */
    private static void create(Path data, String contract, ContractEngine engine) throws IOException, ContractLoadException {
        Path partial = data.resolveSibling(data.getFileName() + ".partial");
        FileTrees.delete(partial);
        FileTrees.delete(data);
        Executor.create(partial, contract, PARTICIPANTS, engine, Clock.systemUTC());
        Files.move(partial, data, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    private static String contractSource() throws IOException {
        try (InputStream in = Demo.class.getResourceAsStream("tokens.js")) {
            if (in == null) {
                throw new IOException("the demo contract tokens.js is missing from the jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static void writeState(Path file, Instant createdAt, Fault cheat) throws IOException {
        Properties p = new Properties();
        p.setProperty("created", createdAt.toString());
        p.setProperty("cheat", cheat.name());
        try (OutputStream out = Files.newOutputStream(file)) {
            p.store(out, "Vitra Watchdog demo (./vitra-watchdog demo resumes it)");
        }
    }

    private static Instant readCreatedAt(Path file) throws IOException, DemoException {
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(file)) {
            p.load(in);
        }
        try {
            return Instant.parse(p.getProperty("created", ""));
        } catch (java.time.format.DateTimeParseException e) {
            throw new DemoException(file + ": created is not a time (" + p.getProperty("created") + ")");
        }
    }
}
