package dev.vitra.watchdog.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vitra.watchdog.util.ChildJvm;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The store suite on the default backend, an H2 file. */
class H2StoreTest extends StoreSuite {
    @TempDir
    Path dir;

    private Path file() {
        return dir.resolve("watchdog.mv.db");
    }

    @Override
    AuditStore openNew() {
        return AuditStore.openH2(file());
    }

    @Override
    AuditStore reopen() {
        return AuditStore.openH2(file());
    }

    @Override
    DataSource dataSource() {
        JdbcDataSource h2 = new JdbcDataSource();
        h2.setURL("jdbc:h2:file:" + dir.resolve("watchdog") + ";WRITE_DELAY=0");
        h2.setUser("sa");
        h2.setPassword("");
        return h2;
    }

    /** A child process that creates one store after another until it is killed. */
    public static final class CreatesStores {
        public static void main(String[] args) {
            Path dir = Path.of(args[0]);
            for (int i = 0; ; i++) {
                AuditStore.openH2(dir.resolve("s" + i + AuditStore.H2_SUFFIX)).close();
                System.out.println("created " + i);
                System.out.flush();
            }
        }
    }

    @Test
    void aStoreKilledWhileItsSchemaIsBeingCreatedOpensAgainAtTheCurrentSchema(@TempDir Path tmp) throws Exception {
        // Review: H2 commits each DDL statement on its own, so a kill inside a migration left tables Flyway had no
        // record of, and the store never opened again ("Duplicate column name").
        Random random = new Random(7);
        for (int round = 0; round < 2; round++) {
            Path dir = tmp.resolve("round-" + round);
            Files.createDirectories(dir);
            Path out = tmp.resolve("round-" + round + ".out");
            List<String> command = new ArrayList<>(ChildJvm.command(false));
            command.addAll(List.of(CreatesStores.class.getName(), dir.toString()));
            Process child = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile()).start();
            try {
                long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (!Files.readString(out).contains("created 2") && System.nanoTime() < end && child.isAlive()) {
                    Thread.sleep(10);
                }
                assertThat(child.isAlive()).as(Files.readString(out)).isTrue();
                Thread.sleep(random.nextInt(400)); // somewhere inside the creation of a later store
            } finally {
                child.destroyForcibly(); // SIGKILL on Linux
                child.waitFor();
            }
            int created = (int) Files.readString(out).lines().filter(l -> l.startsWith("created ")).count();
            // Every store the child began opens now (the one it was killed in as well), at the current schema.
            for (int i = 0; i <= created; i++) {
                try (AuditStore store = AuditStore.openH2(dir.resolve("s" + i + AuditStore.H2_SUFFIX));
                     StoreSession session = store.session()) {
                    assertThat(session.database(INDEX)).isEmpty();
                }
            }
        }
    }
}
