package dev.vitra.watchdog.audit;

import dev.vitra.watchdog.note.LogId;
import dev.vitra.watchdog.note.SignerKey;
import dev.vitra.watchdog.protocol.IndexEntries;
import dev.vitra.watchdog.tilewriter.LogDirectory;
import dev.vitra.watchdog.tilewriter.TileWriter;
import dev.vitra.watchdog.util.JsonText;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Writes the logs of a counter database (src/test/resources/contracts/counter.js) straight with the tile writer:
 * exactly what the honest reference executor publishes for {@code ops} increments from {@code participants}
 * oplogs in turn, without running the executor op by op. For tests and benchmarks that need long logs fast.
 */
final class CounterDatabase {
    final LogId index;
    final List<LogId> participants = new ArrayList<>();
    final long indexSize;

    private CounterDatabase(LogId index, long indexSize) {
        this.index = index;
        this.indexSize = indexSize;
    }

    static SignerKey key(int n) {
        return LogId.signerFor(ByteBuffer.allocate(32).putInt(28, 0x5eed0000 + n).array());
    }

    /**
     * Writes under {@code root/logs/}. With {@code breachLast}, the last op's change is published as a wrong value
     * (a ChangeMismatchError at the last ack).
     */
    static CounterDatabase write(Path root, String source, int participants, int ops, boolean breachLast) throws Exception {
        SignerKey indexKey = key(0);
        LogId index = new LogId(indexKey.publicKey());
        List<SignerKey> keys = new ArrayList<>();
        List<TileWriter> oplogs = new ArrayList<>();
        for (int i = 1; i <= participants; i++) {
            SignerKey k = key(i);
            keys.add(k);
            LogId id = new LogId(k.publicKey());
            oplogs.add(TileWriter.open(new LogDirectory(root.resolve("logs").resolve(id.hex())), k, id.origin()));
        }
        TileWriter idx = TileWriter.open(new LogDirectory(root.resolve("logs").resolve(index.hex())), indexKey, index.origin());
        idx.append(IndexEntries.header());
        idx.append(IndexEntries.put(IndexEntries.CONTRACT_SOURCE_PATH, JsonText.quote(source)));
        for (SignerKey k : keys) {
            LogId id = new LogId(k.publicKey());
            idx.append(IndexEntries.put(IndexEntries.INPUTS_PREFIX + id.hex(), IndexEntries.inputValue(id, true)));
        }
        idx.append(IndexEntries.put(IndexEntries.GENESIS_SEAL_PATH, "null"));
        byte[] op = "{\"op\":\"INCREMENT\"}".getBytes(StandardCharsets.UTF_8);
        long[] next = new long[participants];
        for (int i = 0; i < ops; i++) {
            int p = i % participants;
            LogId origin = new LogId(keys.get(p).publicKey());
            oplogs.get(p).append(op);
            long seq = next[p]++;
            long ts = 1_700_000_000_000L + i;
            idx.append(IndexEntries.put(IndexEntries.ackPath(origin, seq),
                    IndexEntries.ackValue(true, origin, seq, ts, 1, Optional.empty(), Optional.empty())));
            long value = breachLast && i == ops - 1 ? i + 100 : i + 1;
            idx.append(IndexEntries.put("/counter", Long.toString(value)));
        }
        for (TileWriter w : oplogs) {
            w.publish();
        }
        idx.publish();
        CounterDatabase db = new CounterDatabase(index, idx.size());
        keys.forEach(k -> db.participants.add(new LogId(k.publicKey())));
        return db;
    }
}
