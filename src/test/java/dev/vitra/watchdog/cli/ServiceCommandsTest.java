package dev.vitra.watchdog.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vitra.watchdog.note.LogId;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** validate-config and run refuse what an operator got wrong before anything starts: exit 2, with file and line. */
class ServiceCommandsTest {
    private static final String INDEX = LogId.signerFor(new byte[32]).publicKey().toHex();

    private static Path config(Path dir, String alerts) throws Exception {
        Path file = dir.resolve("monitors.yaml");
        Files.writeString(file, "store: {h2-file: w.mv.db}\nhttp: {listen: '127.0.0.1:0'}\n" + alerts
                + "monitors:\n  - name: shop\n    executor: http://127.0.0.1:1\n    index-log: " + INDEX + "\n");
        return file;
    }

    @Test
    void anOperatorsBrokenTemplateIsRefusedByValidateConfigAndRunWithItsFileAndLine(@TempDir Path dir) throws Exception {
        Path templates = dir.resolve("templates");
        Files.createDirectories(templates);
        dev.vitra.watchdog.alert.AlertTemplatesTest.copyBuiltIns(templates);
        Files.writeString(templates.resolve("fraud.html"), "<p>{{monitor}}</p>\n<p>{{proof_id}}</p>\n");
        Path file = config(dir, "alerts:\n  templates: templates\n");
        CliRun validate = CliRun.of("validate-config", file.toString());
        assertThat(validate.exit()).isEqualTo(ExitCodes.USAGE);
        assertThat(validate.err()).contains("error: " + templates.resolve("fraud.html") + ":2: No method or field with name 'proof_id'");
        CliRun run = CliRun.of("run", "--config", file.toString());
        assertThat(run.exit()).isEqualTo(ExitCodes.USAGE);
        assertThat(run.err()).contains(templates.resolve("fraud.html") + ":2:");
        assertThat(dir.resolve("w.mv.db")).as("nothing started").doesNotExist();
    }

    @Test
    void aValidConfigWithAlertsIsDescribed(@TempDir Path dir) throws Exception {
        Path file = config(dir, "alerts:\n  channels:\n    hook: {type: webhook, url: 'http://127.0.0.1:9/h'}\n"
                + "  routes: {fraud: [hook]}\n");
        CliRun validate = CliRun.of("validate-config", file.toString());
        assertThat(validate.exit()).as(validate.err()).isZero();
        assertThat(validate.out()).contains("alerts: hook (webhook http://127.0.0.1:9/h); templates built in");
    }
}
