package dev.vitra.watchdog.store;

import dev.vitra.watchdog.metrics.ExternalTools;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * A real PostgreSQL server for tests: Debian's server binaries ({@code postgresql} package; .ci/run installs it),
 * a new cluster in a temporary directory, listening on a free loopback port with password authentication. One
 * server per test JVM, started on first use and stopped when the JVM exits; each test gets its own database.
 * (initdb refuses to run as root, so under root the cluster belongs to the {@code postgres} user.)
 */
public final class PostgresServer {
    public static final String USER = "watchdog";
    public static final String PASSWORD = "test-password-not-a-secret";

    private static PostgresServer shared;
    private static final AtomicInteger DATABASES = new AtomicInteger();

    private final Path bin;
    private final Path root;
    private final Path data;
    private final int port;
    private final boolean asPostgresUser;

    private PostgresServer(Path bin, Path root, int port, boolean asPostgresUser) {
        this.bin = bin;
        this.root = root;
        this.data = root.resolve("data");
        this.port = port;
        this.asPostgresUser = asPostgresUser;
    }

    /** The shared server (started now if it is not running); skips the test, or fails it under CI=true, without one. */
    public static synchronized PostgresServer shared() {
        if (shared == null) {
            Optional<Path> bin = findBin();
            if (bin.isEmpty()) {
                ExternalTools.unavailable("PostgreSQL's server is not installed (Debian package postgresql; .ci/run installs it)");
            }
            try {
                shared = start(bin.get());
            } catch (IOException | InterruptedException e) {
                throw new AssertionError("cannot start a PostgreSQL server: " + e.getMessage(), e);
            }
            PostgresServer s = shared;
            Runtime.getRuntime().addShutdownHook(new Thread(s::stop, "postgres-stop"));
        }
        return shared;
    }

    /** A new, empty UTF-8 database on the shared server; its JDBC URL. */
    public static String newDatabase() {
        return shared().createDatabase("watchdog_" + ProcessHandle.current().pid() + "_" + DATABASES.incrementAndGet());
    }

    public String createDatabase(String name) {
        return createDatabase(name, "UTF8");
    }

    public String createDatabase(String name, String encoding) {
        try (Connection c = DriverManager.getConnection(jdbcUrl("postgres"), USER, PASSWORD);
             Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name + " ENCODING '" + encoding + "' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0");
        } catch (SQLException e) {
            throw new AssertionError("cannot create the database " + name + ": " + e.getMessage(), e);
        }
        return jdbcUrl(name);
    }

    public String jdbcUrl(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
    }

    static Optional<Path> findBin() {
        Path versions = Path.of("/usr/lib/postgresql");
        if (!Files.isDirectory(versions)) {
            return Optional.empty();
        }
        try (Stream<Path> dirs = Files.list(versions)) {
            return dirs.map(d -> d.resolve("bin"))
                    .filter(b -> Files.isExecutable(b.resolve("initdb")) && Files.isExecutable(b.resolve("pg_ctl")))
                    .max(Comparator.comparingInt(b -> Integer.parseInt(b.getParent().getFileName().toString().replaceAll("\\D", "0"))));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static PostgresServer start(Path bin) throws IOException, InterruptedException {
        boolean root = "root".equals(System.getProperty("user.name"));
        Path dir = Files.createTempDirectory("vitra-pg-");
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        PostgresServer server = new PostgresServer(bin, dir, port, root);
        Path pwfile = dir.resolve("pwfile");
        Files.writeString(pwfile, PASSWORD + "\n", StandardCharsets.UTF_8);
        if (root) {
            UserPrincipalLookupService users = dir.getFileSystem().getUserPrincipalLookupService();
            Files.setOwner(dir, users.lookupPrincipalByName("postgres"));
            Files.setOwner(pwfile, users.lookupPrincipalByName("postgres"));
        }
        server.run(List.of(bin.resolve("initdb").toString(), "-D", server.data.toString(), "-U", USER, "--pwfile=" + pwfile,
                "--auth=scram-sha-256", "--encoding=UTF8", "--no-locale", "--no-sync"), 120);
        // A throwaway cluster: durability settings off for speed; no Unix socket, only loopback TCP.
        server.run(List.of(bin.resolve("pg_ctl").toString(), "-D", server.data.toString(), "-w", "-t", "60",
                "-l", dir.resolve("server.log").toString(), "-o",
                "-c listen_addresses=127.0.0.1 -c port=" + port + " -c unix_socket_directories='' -c fsync=off"
                        + " -c synchronous_commit=off -c full_page_writes=off -c max_connections=200", "start"), 90);
        return server;
    }

    private void run(List<String> command, int timeoutSeconds) throws IOException, InterruptedException {
        List<String> full = new ArrayList<>();
        if (asPostgresUser) {
            full.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        full.addAll(command);
        Path out = Files.createTempFile("vitra-pg-cmd", ".log");
        try {
            Process p = new ProcessBuilder(full).redirectErrorStream(true).redirectOutput(out.toFile()).start();
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(String.join(" ", command) + " did not finish in " + timeoutSeconds + " s");
            }
            if (p.exitValue() != 0) {
                String log = Files.readString(out);
                Path serverLog = root.resolve("server.log");
                if (Files.exists(serverLog)) {
                    log += "\nserver.log:\n" + Files.readString(serverLog);
                }
                throw new IOException(String.join(" ", command) + " exited with " + p.exitValue() + ":\n" + log);
            }
        } finally {
            Files.deleteIfExists(out);
        }
    }

    private void stop() {
        try {
            run(List.of(bin.resolve("pg_ctl").toString(), "-D", data.toString(), "-m", "immediate", "-w", "stop"), 60);
        } catch (IOException | InterruptedException e) {
            System.err.println("could not stop the test PostgreSQL server in " + root + ": " + e.getMessage());
            return;
        }
        try (Stream<Path> all = Files.walk(root)) {
            all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temporary directory: left for the system to clean
        }
    }
}
