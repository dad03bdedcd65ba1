package dev.vitra.watchdog.demo;

import dev.vitra.watchdog.note.LogId;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The demo's participants: a thread that calls the token contract of each database through the executor's participant
 * API over HTTP, as real participants would (mints, and transfers of which some exceed the sender's balance, so the
 * contract also rejects ops: a failed op is normal, not fraud).
 */
final class DemoLoad implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DemoLoad.class);
    private static final MediaType JSON = MediaType.get("application/json");

    /** One database the load calls: its executor, index log and participants. */
    record Target(String executorUrl, LogId index, List<LogId> participants) {
    }

    private final List<Target> targets;
    private final Duration pause;
    private final OkHttpClient http = new OkHttpClient.Builder().callTimeout(Duration.ofSeconds(10)).build();
    private final Random random = new Random();
    private final AtomicLong calls = new AtomicLong();
    private final Set<LogId> paused = ConcurrentHashMap.newKeySet();
    private final Thread thread;
    private volatile boolean stopped;

    DemoLoad(List<Target> targets, Duration pause) {
        this.targets = List.copyOf(targets);
        this.pause = pause;
        this.thread = new Thread(this::loop, "demo-load");
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    long calls() {
        return calls.get();
    }

    /** Stops (or resumes) calling one database; a call already under way still lands. */
    void pause(LogId index, boolean on) {
        if (on) {
            paused.add(index);
        } else {
            paused.remove(index);
        }
    }

    private void loop() {
        while (!stopped) {
            for (Target t : targets) {
                if (paused.contains(t.index())) {
                    continue;
                }
                try {
                    call(t);
                } catch (IOException | RuntimeException e) {
                    LOG.debug("demo call to {} failed: {}", t.executorUrl(), e.toString());
                }
            }
            try {
                Thread.sleep(pause);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private void call(Target t) throws IOException {
        LogId from = t.participants().get(random.nextInt(t.participants().size()));
        String method;
        String params;
        if (random.nextInt(3) == 0 || t.participants().size() < 2) {
            method = "mint";
            params = "{\"amount\":" + (1 + random.nextInt(100)) + "}";
        } else {
            LogId to;
            do {
                to = t.participants().get(random.nextInt(t.participants().size()));
            } while (to.equals(from));
            method = "transfer";
            // Balances only grow (mints), so now and then an overdraft keeps rejected ops coming: a failed op is part
            // of what the watchdog checks (and what SUCCEED_REJECTED_OP cheats on).
            long amount = random.nextInt(6) == 0 ? 1_000_000_000L : 1 + random.nextInt(150);
            params = "{\"to\":\"" + to.hex() + "\",\"amount\":" + amount + "}";
        }
        String body = "{\"participant\":\"" + from.hex() + "\",\"params\":" + params + "}";
        Request request = new Request.Builder().url(t.executorUrl() + "/databases/" + t.index().hex() + "/call/" + method)
                .post(RequestBody.create(body, JSON)).build();
        try (Response response = http.newCall(request).execute()) {
            if (response.isSuccessful()) {
                calls.incrementAndGet();
            } else {
                LOG.debug("demo call {} answered {}", method, response.code());
            }
        }
    }

    @Override
    public void close() {
        stopped = true;
        thread.interrupt();
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        http.dispatcher().executorService().shutdown();
        http.connectionPool().evictAll();
    }
}
