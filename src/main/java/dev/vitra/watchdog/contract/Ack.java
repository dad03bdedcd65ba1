package dev.vitra.watchdog.contract;

import dev.vitra.watchdog.util.JsonText;
import java.util.Optional;

/** The executor's acknowledgement an op is applied under: {@code ack} of {@code apply(tx, op, ack)}. */
public record Ack(String origin, long seq, long ts, Optional<String> metadataJson) {
    public Ack {
        metadataJson = metadataJson == null ? Optional.empty() : metadataJson;
    }

    public Ack(String origin, long seq, long ts) {
        this(origin, seq, ts, Optional.empty());
    }

    /** The JSON object handed to the contract; {@code metadata} is absent (undefined) when there is none. */
    String toJson() {
        return "{\"origin\":" + JsonText.quote(origin) + ",\"seq\":" + seq + ",\"ts\":" + ts
                + metadataJson.map(m -> ",\"metadata\":" + m).orElse("") + "}";
    }
}
