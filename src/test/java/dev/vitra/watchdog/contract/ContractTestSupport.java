package dev.vitra.watchdog.contract;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.assertj.core.api.InstanceOfAssertFactories;

/** Shared engine and helpers for contract tests: one engine per JVM, as in production. */
final class ContractTestSupport {
    static final ContractEngine ENGINE = ContractEngine.create(ContractLimits.defaults()
            .withTimeBudget(java.time.Duration.ofSeconds(2)).withMaxChanges(1000));
    static final String ALICE = "a".repeat(64);
    static final String BOB = "b".repeat(64);
    static final String CAROL = "c".repeat(64);

    private ContractTestSupport() {
    }

    static String resource(String name) {
        try (InputStream in = ContractTestSupport.class.getResourceAsStream("/contracts/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static Contract load(String source) {
        try {
            return ENGINE.load(source);
        } catch (ContractLoadException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A contract whose apply is the given function body with (tx, op, ack) in scope. */
    static Contract applying(String body) {
        return load("import { index, listOplogs, isWriter } from 'contract';\n"
                + "import { genUUID } from 'util';\n"
                + "export async function apply(tx, op, ack) {\n" + body + "\n}\n");
    }

    static Ack ack(long seq) {
        return new Ack(ALICE, seq, 1_700_000_000_000L + seq);
    }

    static ApplyOutcome apply(Contract c, MemoryIndex index, String op) {
        return ENGINE.apply(c, index, op, ack(0));
    }

    static List<Change> changes(ApplyOutcome outcome) {
        assertThat(outcome).isInstanceOf(ApplyOutcome.Applied.class);
        return ((ApplyOutcome.Applied) outcome).changes();
    }

    static List<String> entries(ApplyOutcome outcome) {
        return changes(outcome).stream().map(Change::entryJson).toList();
    }

    static String rejection(ApplyOutcome outcome) {
        return assertThat(outcome).asInstanceOf(InstanceOfAssertFactories.type(ApplyOutcome.Rejected.class))
                .actual().error();
    }

    static ApplyOutcome.Aborted aborted(ApplyOutcome outcome) {
        assertThat(outcome).isInstanceOf(ApplyOutcome.Aborted.class);
        return (ApplyOutcome.Aborted) outcome;
    }

    static MemoryIndex genesis(String... participants) {
        MemoryIndex index = new MemoryIndex();
        long seq = 2;
        for (String p : participants) {
            index.put("/.sys/inputs/" + p, "{\"pubkey\":\"" + p + "\",\"active\":true}", seq++);
        }
        return index;
    }
}
