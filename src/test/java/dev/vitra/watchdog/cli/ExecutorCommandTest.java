package dev.vitra.watchdog.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class ExecutorCommandTest {
    @Test
    void executorCommandCreatesServesAndIsVerifiableWithLogVerify(@TempDir Path dir) throws Exception {
        Path contract = dir.resolve("counter.js");
        try (InputStream in = getClass().getResourceAsStream("/contracts/counter.js")) {
            Files.write(contract, in.readAllBytes());
        }
        StringWriter out = new StringWriter();
        Thread runner = new Thread(() -> {
            CommandLine cmd = Main.commandLine();
            cmd.setOut(new PrintWriter(out, true));
            cmd.setErr(new PrintWriter(new StringWriter(), true));
            cmd.execute("executor", "--contract", contract.toString(), "--data", dir.resolve("db").toString(),
                    "--participants", "2", "--batch-ms", "20", "--fault", "EXTRA_CHANGE");
        });
        runner.start();
        try {
            long deadline = System.nanoTime() + 60_000_000_000L;
            while (!out.toString().contains("verify:") && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            String text = out.toString();
            assertThat(text).contains("created database").contains("faults:  [EXTRA_CHANGE]");
            Matcher api = Pattern.compile("POST (\\S+)/call/<method>").matcher(text);
            Matcher participant = Pattern.compile("participant   ([0-9a-f]{64})").matcher(text);
            Matcher verify = Pattern.compile("log verify (\\S+) --log-id ([0-9a-f]{64})").matcher(text);
            assertThat(api.find() && participant.find() && verify.find()).isTrue();
            HttpResponse<String> call = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(api.group(1) + "/call/increment"))
                    .POST(HttpRequest.BodyPublishers.ofString("{\"participant\":\"" + participant.group(1) + "\"}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(call.statusCode()).isEqualTo(200);
            Thread.sleep(500);
            StringWriter vout = new StringWriter();
            CommandLine v = Main.commandLine();
            v.setOut(new PrintWriter(vout, true));
            v.setErr(new PrintWriter(new StringWriter(), true));
            assertThat(v.execute("log", "verify", verify.group(1), "--log-id", verify.group(2), "--quiet")).isZero();
            // genesis (2 participants): 5 entries; then an ack, the counter and the injected /extra.
            assertThat(vout.toString()).contains("entries     8 proven");
        } finally {
            runner.interrupt();
            runner.join(10_000);
        }
    }
}
