package dev.vitra.watchdog.protocol;

import dev.vitra.watchdog.note.LogId;
import dev.vitra.watchdog.util.JsonText;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * The index-log entries of PROTOCOL §3, written byte for byte as the protocol shows them (executors write these;
 * {@link IndexEntry} reads them).
 */
public final class IndexEntries {
    public static final String PROTOCOL = "vitra/1";
    public static final String CONTRACT_SOURCE_PATH = SysPaths.CONTRACT_SOURCE;
    public static final String INPUTS_PREFIX = SysPaths.INPUTS_PREFIX;
    public static final String GENESIS_SEAL_PATH = SysPaths.GENESIS_SEAL;

    private IndexEntries() {
    }

    public static byte[] header() {
        return utf8("{\"type\":\"header\",\"protocol\":\"" + PROTOCOL + "\"}");
    }

    public static byte[] put(String path, String valueJson) {
        return utf8("{\"type\":\"put\",\"path\":" + JsonText.quote(path) + ",\"value\":" + valueJson + "}");
    }

    public static String inputValue(LogId participant, boolean active) {
        return "{\"pubkey\":\"" + participant.hex() + "\",\"active\":" + active + "}";
    }

    /** {@code /.sys/acks/<origin>/<seq, 15 digits>}. */
    public static String ackPath(LogId origin, long seq) {
        return SysPaths.ackPath(origin, seq);
    }

    /**
     * The ack value: success, origin, seq, ts, numChanges, then metadata (when {@code process} returned a value)
     * and error (failed ops only), in the order PROTOCOL §3 lists them.
     */
    public static String ackValue(boolean success, LogId origin, long seq, long ts, int numChanges,
            Optional<String> metadataJson, Optional<String> error) {
        StringBuilder sb = new StringBuilder("{\"success\":").append(success)
                .append(",\"origin\":\"").append(origin.hex()).append('"')
                .append(",\"seq\":").append(seq)
                .append(",\"ts\":").append(ts)
                .append(",\"numChanges\":").append(numChanges);
        metadataJson.ifPresent(m -> sb.append(",\"metadata\":").append(m));
        if (!success) {
            error.ifPresent(e -> sb.append(",\"error\":").append(JsonText.quote(e)));
        }
        return sb.append('}').toString();
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
