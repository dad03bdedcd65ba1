package dev.vitra.watchdog.alert;

import dev.vitra.watchdog.metrics.ExternalTools;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A real Alertmanager (Debian's {@code prometheus-alertmanager}; .ci/run installs it) on a free loopback port, with a
 * receiver that sends nowhere: tests post alerts to it and read them back from its API.
 */
public final class AlertmanagerServer implements AutoCloseable {
    private final Process process;
    private final int port;
    private final Path dir;

    private AlertmanagerServer(Process process, int port, Path dir) {
        this.process = process;
        this.port = port;
        this.dir = dir;
    }

    public static AlertmanagerServer start(Path dir) throws IOException, InterruptedException {
        Path binary = ExternalTools.require("prometheus-alertmanager", "prometheus-alertmanager");
        Files.createDirectories(dir);
        Path config = dir.resolve("alertmanager.yml");
        Files.writeString(config, "route:\n  receiver: nowhere\n  group_wait: 0s\nreceivers:\n  - name: nowhere\n");
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Process p = new ProcessBuilder(binary.toString(), "--config.file=" + config, "--storage.path=" + dir.resolve("data"),
                "--web.listen-address=127.0.0.1:" + port, "--cluster.listen-address=", "--log.level=warn")
                .redirectErrorStream(true).redirectOutput(dir.resolve("alertmanager.log").toFile()).start();
        AlertmanagerServer server = new AlertmanagerServer(p, port, dir);
        HttpClient http = HttpClient.newHttpClient();
        long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < end) {
            if (!p.isAlive()) {
                throw new IOException("alertmanager exited: " + Files.readString(dir.resolve("alertmanager.log")));
            }
            try {
                if (http.send(HttpRequest.newBuilder(URI.create(server.url() + "/-/ready")).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return server;
                }
            } catch (IOException notYet) {
                // still starting
            }
            Thread.sleep(100);
        }
        server.close();
        throw new IOException("alertmanager did not become ready: " + Files.readString(dir.resolve("alertmanager.log")));
    }

    public String url() {
        return "http://127.0.0.1:" + port;
    }

    /** The alerts Alertmanager holds now (its API v2, as JSON text). */
    public String alerts() throws IOException, InterruptedException {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url() + "/api/v2/alerts?active=true&silenced=true"
                + "&inhibited=true&unprocessed=true")).build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    @Override
    public void close() {
        process.destroy();
        try {
            process.waitFor();
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    Path dir() {
        return dir;
    }
}
