package dev.vitra.watchdog.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vitra.watchdog.metrics.ExternalTools;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** deploy/vitra-watchdog.service, the unit docs/operations.md installs, as systemd itself reads it. */
class SystemdUnitTest {
    private static final Path UNIT = Path.of("deploy/vitra-watchdog.service");

    @Test
    void theUnitPassesSystemdAnalyzeVerifyWithoutAWarning(@TempDir Path dir) throws Exception {
        Path analyze = ExternalTools.require("systemd-analyze", "systemd");
        // verify checks that the executable exists: point it at this JVM's java, so the check holds on any machine.
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String unit = Files.readString(UNIT).replace("/usr/lib/jvm/temurin-25-jdk-amd64/bin/java", java);
        Path copy = dir.resolve("vitra-watchdog.service");
        Files.writeString(copy, unit);
        Process p = new ProcessBuilder(analyze.toString(), "verify", copy.toString()).redirectErrorStream(true).start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        // Unknown keys and bad values are only warnings to systemd (exit 0): any output is a defect here.
        assertThat(p.exitValue()).as(out).isZero();
        assertThat(out).isEmpty();
    }

    @Test
    void theUnitRunsTheServiceWithTheLaunchersJvmFlags() throws Exception {
        String unit = Files.readString(UNIT);
        String launcher = Files.readString(Path.of("vitra-watchdog"));
        for (String flag : new String[] {"-Duser.timezone=UTC", "--enable-native-access=ALL-UNNAMED",
                "--sun-misc-unsafe-memory-access=allow", "-XX:+UnlockExperimentalVMOptions", "-XX:+EnableJVMCI",
                "--upgrade-module-path="}) {
            assertThat(launcher).as("the launcher sets " + flag).contains(flag);
            assertThat(unit).as("the unit sets " + flag).contains(flag);
        }
        assertThat(unit).contains("run --config /etc/vitra-watchdog/monitors.yaml")
                .contains("ExecReload=/bin/kill -HUP $MAINPID")
                .contains("RestartPreventExitStatus=2")
                .contains("StateDirectory=vitra-watchdog");
    }
}
