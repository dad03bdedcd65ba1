package dev.vitra.watchdog.contract;

import static dev.vitra.watchdog.contract.ContractTestSupport.ENGINE;
import static dev.vitra.watchdog.contract.ContractTestSupport.load;
import static dev.vitra.watchdog.contract.ContractTestSupport.resource;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class ContractPoolTest {
    @Test
    void threadsReplayingDifferentDatabasesInParallelEachGetTheirOwnContext() throws Exception {
        Contract counter = load(resource("counter.js"));
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<String>> results = new ArrayList<>();
            for (int db = 0; db < 4; db++) {
                results.add(pool.submit(() -> {
                    MemoryIndex index = new MemoryIndex();
                    for (int i = 0; i < 200; i++) {
                        ApplyOutcome out = ENGINE.apply(counter, index, "{\"op\":\"INCREMENT\"}", ContractTestSupport.ack(i));
                        index.apply(((ApplyOutcome.Applied) out).changes(), 10L + i);
                    }
                    return index.get("/counter").orElseThrow().valueJson();
                }));
            }
            for (Future<String> f : results) {
                assertThat(f.get()).isEqualTo("200");
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
