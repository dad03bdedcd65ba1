package dev.vitra.watchdog.executor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vitra.watchdog.contract.ContractEngine;
import dev.vitra.watchdog.contract.ContractLimits;
import dev.vitra.watchdog.note.LogId;
import dev.vitra.watchdog.note.SignedCheckpoint;
import dev.vitra.watchdog.tileclient.LogReader;
import dev.vitra.watchdog.tileclient.TileClient;
import dev.vitra.watchdog.tileclient.TileClientConfig;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each processing fault produces exactly the artifact it claims, read back from the served, verified index log. */
class FaultInjectionTest {
    private static final ContractEngine ENGINE = ContractEngine.create(ContractLimits.defaults());
    private static final Clock CLOCK = Clock.fixed(Instant.ofEpochMilli(5), ZoneOffset.UTC);
    private static final int GENESIS = 4; // header, source, one input, seal

    @AfterAll
    static void close() {
        ENGINE.close();
    }

    private static String contract(String name) throws Exception {
        try (InputStream in = FaultInjectionTest.class.getResourceAsStream("/contracts/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** Index entries after genesis, each proven against the signed checkpoint over loopback HTTP. */
    private static List<String> transactions(Path data, Executor ex) throws Exception {
        LogId log = ex.indexLogId();
        try (var server = StaticLogServer.start(data, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
             TileClient client = new TileClient(server.baseUrl() + "/logs/" + log.hex(), TileClientConfig.defaults())) {
            LogReader reader = new LogReader(client, log.origin(), List.of(log.verifierKey()));
            SignedCheckpoint cp = reader.latestCheckpoint();
            List<String> out = new ArrayList<>();
            reader.readEntries(cp, GENESIS, cp.size(), (i, e) -> out.add(new String(e, StandardCharsets.UTF_8)));
            return out;
        }
    }

    private static String ack(LogId origin, long seq, boolean success, int numChanges) {
        return "{\"type\":\"put\",\"path\":\"/.sys/acks/" + origin.hex() + "/" + String.format("%015d", seq)
                + "\",\"value\":{\"success\":" + success + ",\"origin\":\"" + origin.hex() + "\",\"seq\":" + seq
                + ",\"ts\":5,\"numChanges\":" + numChanges;
    }

    private static String counter(int n) {
        return "{\"type\":\"put\",\"path\":\"/counter\",\"value\":" + n + "}";
    }

    private Executor counterDb(Path data, Fault fault, int increments) throws Exception {
        Executor ex = Executor.create(data, contract("counter.js"), 1, ENGINE, CLOCK);
        if (fault != null) {
            ex.setFault(fault, true);
        }
        for (int i = 0; i < increments; i++) {
            ex.call(ex.participants().get(0), "increment", "{}");
        }
        ex.processPending();
        return ex;
    }

    @Test
    void honestProcessingIsTheBaseline(@TempDir Path data) throws Exception {
        Executor ex = counterDb(data, null, 2);
        LogId p = ex.participants().get(0);
        assertThat(transactions(data, ex)).containsExactly(ack(p, 0, true, 1) + "}}", counter(1), ack(p, 1, true, 1) + "}}", counter(2));
    }

    @Test
    void doubleProcessRepeatsAckAndChanges(@TempDir Path data) throws Exception {
        Executor ex = counterDb(data, Fault.DOUBLE_PROCESS, 1);
        LogId p = ex.participants().get(0);
        assertThat(transactions(data, ex)).containsExactly(ack(p, 0, true, 1) + "}}", counter(1), ack(p, 0, true, 1) + "}}", counter(1));
    }

    @Test
    void skipOpLeavesAGapInTheSeqs(@TempDir Path data) throws Exception {
        Executor ex = counterDb(data, Fault.SKIP_OP, 1);
        ex.setFault(Fault.SKIP_OP, false);
        ex.call(ex.participants().get(0), "increment", "{}");
        ex.processPending();
        LogId p = ex.participants().get(0);
        assertThat(transactions(data, ex)).containsExactly(ack(p, 1, true, 1) + "}}", counter(1));
    }

    @Test
    void wrongChangesPutWrongInsteadOfTheContractsChange(@TempDir Path data) throws Exception {
        Executor ex = counterDb(data, Fault.WRONG_CHANGES, 1);
        LogId p = ex.participants().get(0);
        assertThat(transactions(data, ex)).containsExactly(ack(p, 0, true, 1) + "}}", "{\"type\":\"put\",\"path\":\"/wrong\",\"value\":1}");
    }

    @Test
    void missingAndExtraChangesChangeTheWindow(@TempDir Path data, @TempDir Path data2) throws Exception {
        Executor missing = counterDb(data, Fault.MISSING_CHANGE, 1);
        assertThat(transactions(data, missing)).containsExactly(ack(missing.participants().get(0), 0, true, 0) + "}}");
        Executor extra = counterDb(data2, Fault.EXTRA_CHANGE, 1);
        assertThat(transactions(data2, extra)).containsExactly(ack(extra.participants().get(0), 0, true, 2) + "}}", counter(1),
                "{\"type\":\"put\",\"path\":\"/extra\",\"value\":true}");
    }

    @Test
    void failValidOpAndWrongNumChanges(@TempDir Path data, @TempDir Path data2) throws Exception {
        Executor failed = counterDb(data, Fault.FAIL_VALID_OP, 1);
        assertThat(transactions(data, failed)).containsExactly(ack(failed.participants().get(0), 0, false, 0) + ",\"error\":\"injected failure\"}}");
        Executor wrong = counterDb(data2, Fault.WRONG_NUM_CHANGES, 2);
        LogId p = wrong.participants().get(0);
        assertThat(transactions(data2, wrong)).containsExactly(ack(p, 0, true, 2) + "}}", counter(1), ack(p, 1, true, 2) + "}}", counter(2));
    }

    @Test
    void succeedRejectedOpAcknowledgesAFailureAsSuccess(@TempDir Path data) throws Exception {
        Executor ex = Executor.create(data, contract("kv-admin.js"), 1, ENGINE, CLOCK);
        LogId p = ex.participants().get(0);
        ex.call(p, "claimAdmin", "{}");
        ex.processPending();
        ex.setFault(Fault.SUCCEED_REJECTED_OP, true);
        ex.call(p, "claimAdmin", "{}");
        ex.processPending();
        List<String> tx = transactions(data, ex);
        assertThat(tx.get(tx.size() - 1)).isEqualTo(ack(p, 1, true, 0) + "}}");
    }

    @Test
    void nonParticipantOpIsProcessedFromAnOplogThatIsNoInput(@TempDir Path data) throws Exception {
        Executor ex = counterDb(data, Fault.NON_PARTICIPANT, 1);
        List<String> tx = transactions(data, ex);
        LogId participant = ex.participants().get(0);
        // The outsider's copy of the pending op is processed first, then the participant's own.
        assertThat(tx).hasSize(4);
        assertThat(tx.get(0)).contains("\"success\":true").contains("\"numChanges\":1");
        assertThat(tx.get(1)).isEqualTo(counter(1));
        assertThat(tx.get(2)).isEqualTo(ack(participant, 0, true, 1) + "}}");
        assertThat(tx.get(0)).startsWith("{\"type\":\"put\",\"path\":\"/.sys/acks/").doesNotContain(participant.hex());
        String outsider = tx.get(0).substring("{\"type\":\"put\",\"path\":\"/.sys/acks/".length(), "{\"type\":\"put\",\"path\":\"/.sys/acks/".length() + 64);
        assertThat(ex.state().get("/.sys/inputs/" + outsider)).isEmpty();
    }

    @Test
    void afterAnAckOfAMissingOpTheRealOpKeepsItsSeqAcrossARestart(@TempDir Path data) throws Exception {
        Executor ex = counterDb(data, null, 0);
        ex.setFault(Fault.ACK_MISSING_OP, true);
        ex.processPending();
        ex.setFault(Fault.ACK_MISSING_OP, false);
        LogId p = ex.participants().get(0);
        ex.call(p, "increment", "{}");
        ex.call(p, "increment", "{}");
        ex.processPending();
        Executor resumed = Executor.open(data, ENGINE, CLOCK);
        assertThat(resumed.hasPending()).isFalse();
        assertThat(transactions(data, resumed)).containsExactly(ack(p, 0, true, 0) + "}}",
                ack(p, 0, true, 1) + "}}", counter(1), ack(p, 1, true, 1) + "}}", counter(2));
    }

    @Test
    void rewriteEntryAlsoRewritesTheExecutorsOwnState(@TempDir Path data) throws Exception {
        Executor ex = counterDb(data, null, 1);
        ex.setFault(Fault.REWRITE_ENTRY, true);
        assertThat(ex.state().get("/rewritten")).isPresent();
        assertThat(ex.state().get("/counter")).isEmpty();
        Executor resumed = Executor.open(data, ENGINE, CLOCK);
        assertThat(resumed.state().get("/rewritten")).isPresent();
    }

    @Test
    void ackMissingOpAcknowledgesASeqTheOplogDoesNotHave(@TempDir Path data) throws Exception {
        Executor ex = counterDb(data, null, 0);
        ex.setFault(Fault.ACK_MISSING_OP, true);
        ex.processPending();
        LogId p = ex.participants().get(0);
        assertThat(transactions(data, ex)).containsExactly(ack(p, 0, true, 0) + "}}");
    }
}
