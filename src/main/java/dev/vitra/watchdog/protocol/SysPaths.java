package dev.vitra.watchdog.protocol;

import dev.vitra.watchdog.note.LogId;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The {@code /.sys/} paths of PROTOCOL §3, and their parsers. Pure. */
public final class SysPaths {
    public static final String CONTRACT_SOURCE = "/.sys/contract/source";
    public static final String INPUTS_PREFIX = "/.sys/inputs/";
    public static final String ACKS_PREFIX = "/.sys/acks/";
    public static final String GENESIS_SEAL = "/.sys/acks/genesis";
    /** The index position of the first input: header at 0, contract source at 1. */
    public static final long FIRST_INPUT_POSITION = 2;
    /** Digits of the seq in an ack path. */
    public static final int SEQ_DIGITS = 15;
    public static final long MAX_ACK_SEQ = 999_999_999_999_999L;

    private static final Pattern ACK = Pattern.compile("/\\.sys/acks/([0-9a-f]{64})/([0-9]{15})");
    private static final Pattern INPUT = Pattern.compile("/\\.sys/inputs/([0-9a-f]{64})");

    /** An ack's key: whose op it acknowledges, and which. */
    public record AckKey(LogId origin, long seq) {
    }

    private SysPaths() {
    }

    /** {@code /.sys/acks/<origin>/<seq, 15 digits>}. */
    public static String ackPath(LogId origin, long seq) {
        if (seq < 0 || seq > MAX_ACK_SEQ) {
            throw new IllegalArgumentException("an ack path holds a seq of 0.." + MAX_ACK_SEQ + ", got " + seq);
        }
        return String.format("%s%s/%015d", ACKS_PREFIX, origin.hex(), seq);
    }

    public static String inputPath(LogId participant) {
        return INPUTS_PREFIX + participant.hex();
    }

    public static boolean isUnderAcks(String path) {
        return path.startsWith(ACKS_PREFIX);
    }

    public static boolean isUnderInputs(String path) {
        return path.startsWith(INPUTS_PREFIX);
    }

    /** The origin and seq of an exactly formed ack path; empty for anything else. */
    public static Optional<AckKey> parseAckPath(String path) {
        Matcher m = ACK.matcher(path);
        if (!m.matches()) {
            return Optional.empty();
        }
        return Optional.of(new AckKey(LogId.parse(m.group(1)), Long.parseLong(m.group(2))));
    }

    /** The participant of an exactly formed input path; empty for anything else. */
    public static Optional<LogId> parseInputPath(String path) {
        Matcher m = INPUT.matcher(path);
        return m.matches() ? Optional.of(LogId.parse(m.group(1))) : Optional.empty();
    }
}
