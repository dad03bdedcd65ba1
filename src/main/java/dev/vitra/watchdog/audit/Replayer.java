package dev.vitra.watchdog.audit;

import dev.vitra.watchdog.contract.AbortReason;
import dev.vitra.watchdog.contract.Ack;
import dev.vitra.watchdog.contract.ApplyOutcome;
import dev.vitra.watchdog.contract.Change;
import dev.vitra.watchdog.contract.Contract;
import dev.vitra.watchdog.contract.ContractEngine;
import dev.vitra.watchdog.contract.ContractLoadException;
import dev.vitra.watchdog.contract.IndexView;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;

/**
 * Runs ops through the contract: on a pooled context for speed, on a brand-new one to confirm (PROTOCOL §4: only
 * the fresh-instance outcome is correct), and — before a disagreement may accuse anyone — under other engine
 * conditions, to tell a breach from a result that depends on the JavaScript engine. A contract the engine refuses
 * to load (our size limit) is Aborted.
 */
final class Replayer {
    /**
     * Stacks for the engine-dependence probes. GraalJS recurses about 50 frames deep on the first; on the second about
     * 200,000 while the code is interpreted (~2.6 KB a frame) and millions once compiled, deeper than V8 goes even with
     * a raised {@code --stack-size} on an 8 MB thread. Only the pages a probe touches are committed.
     */
    static final long SMALL_STACK = 128 << 10;
    static final long LARGE_STACK = 512L << 20;
    /** Errors by which engines report their own limits (PROTOCOL §4: never a verdict). */
    private static final Pattern ENGINE_LIMIT = Pattern.compile(
            "Maximum call stack size exceeded|too much recursion|nested (that|too) deep|too deep|Invalid string length"
                    + "|Invalid array length|out of memory|Array buffer allocation failed", Pattern.CASE_INSENSITIVE);

    private final ContractEngine engine;
    private String loadedSource;
    private Contract loaded;
    private String loadError;

    Replayer(ContractEngine engine) {
        this.engine = engine;
    }

    /** The most changes one replayed transaction may produce (the engine's limit). */
    int maxChanges() {
        return engine.limits().maxChanges();
    }

    ApplyOutcome apply(String source, IndexView state, String op, Ack ack) {
        Contract contract = contract(source);
        return contract == null ? aborted() : engine.apply(contract, state, op, ack);
    }

    ApplyOutcome applyFresh(String source, IndexView state, String op, Ack ack) {
        Contract contract = contract(source);
        return contract == null ? aborted() : engine.applyFresh(contract, state, op, ack);
    }

    /**
     * Why the fresh outcome of this op may be the JavaScript engine's rather than the contract's, if it may: the engine
     * reported one of its own limits, or the outcome changes with the stack the engine runs on (a caught or uncaught
     * stack overflow: the depth at which it happens differs between engines, and even between runs of one), or with
     * whether the realm is frozen (the contract touched a built-in), or with whether the op's byte-order mark is
     * ignored (RFC 8259 §8.1 lets a parser do either).
     */
    Optional<String> engineDependence(String source, IndexView state, String op, Ack ack, ApplyOutcome fresh) {
        if (fresh instanceof ApplyOutcome.Rejected r && ENGINE_LIMIT.matcher(r.error()).find()) {
            return Optional.of("the contract failed on a limit of the JavaScript engine: " + r.error());
        }
        if (fresh instanceof ApplyOutcome.Aborted a && a.reason() == AbortReason.STACK_DEPTH) {
            return Optional.of("the replay overflowed the stack: " + a.detail());
        }
        for (long stack : new long[] {SMALL_STACK, LARGE_STACK}) {
            ApplyOutcome probe = onStack(stack, () -> applyFresh(source, state, op, ack));
            // Only another definite outcome shows a dependence on the stack. A probe that could not finish (its stack
            // overflowed outside the contract, the runtime failed) shows nothing: an engine that cannot finish a
            // transaction publishes nothing for it (review round 4: such a probe excused a breach).
            if (!(probe instanceof ApplyOutcome.Aborted) && !sameOutcome(probe, fresh)) {
                return Optional.of("the outcome changes with the engine's stack (" + (stack >> 10) + " KB: " + describe(probe)
                        + "; default: " + describe(fresh) + "), so it depends on how deep the engine recurses");
            }
        }
        // PROTOCOL §4: what a contract sees when it touches a built-in depends on whether the realm is frozen. The
        // same replay in an unfrozen realm tells whether this outcome is one of those (even when the contract caught
        // the failed write, or only inspected a built-in).
        Contract contract = contract(source);
        if (contract != null) {
            ApplyOutcome unfrozen = engine.applyFreshUnfrozen(contract, state, op, ack);
            if (!(unfrozen instanceof ApplyOutcome.Aborted) && !sameOutcome(unfrozen, fresh)) {
                return Optional.of("the outcome changes when the realm is not frozen (" + describe(unfrozen) + " unfrozen, "
                        + describe(fresh) + " frozen): the contract touches a built-in, which engines may allow or not");
            }
        }
        if (op.startsWith("\uFEFF")) {
            ApplyOutcome stripped = applyFresh(source, state, op.substring(1), ack);
            if (!sameOutcome(stripped, fresh)) {
                return Optional.of("the op starts with a byte-order mark, which a JSON parser may ignore or refuse"
                        + " (RFC 8259 §8.1): " + describe(stripped) + " without it, " + describe(fresh) + " with it");
            }
        }
        return Optional.empty();
    }

    private static ApplyOutcome onStack(long stackBytes, java.util.function.Supplier<ApplyOutcome> work) {
        AtomicReference<ApplyOutcome> result = new AtomicReference<>();
        Thread t = new Thread(null, () -> {
            try {
                result.set(work.get());
            } catch (StackOverflowError | RuntimeException e) {
                result.set(new ApplyOutcome.Aborted(AbortReason.INTERNAL, "probe failed: " + e));
            }
        }, "replay-probe", stackBytes);
        t.setDaemon(true);
        t.start();
        try {
            t.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new ApplyOutcome.Aborted(AbortReason.INTERNAL, "interrupted");
        }
        return result.get();
    }

    /** The same outcome as the protocol compares them: both failed, or the same changes (errors are never compared). */
    static boolean sameOutcome(ApplyOutcome a, ApplyOutcome b) {
        return switch (a) {
            case ApplyOutcome.Rejected r -> b instanceof ApplyOutcome.Rejected;
            case ApplyOutcome.Applied x -> b instanceof ApplyOutcome.Applied y && entries(x).equals(entries(y));
            case ApplyOutcome.Aborted ab -> false;
        };
    }

    private static List<String> entries(ApplyOutcome.Applied applied) {
        return applied.changes().stream().map(Change::entryJson).toList();
    }

    static String describe(ApplyOutcome outcome) {
        return switch (outcome) {
            case ApplyOutcome.Rejected r -> "fails (" + r.error() + ")";
            case ApplyOutcome.Applied a -> a.changes().size() + " change(s) " + entries(a);
            case ApplyOutcome.Aborted a -> "could not be decided (" + a.reason() + ")";
        };
    }

    private ApplyOutcome aborted() {
        return new ApplyOutcome.Aborted(AbortReason.INTERNAL, "the contract cannot be loaded by this monitor: " + loadError);
    }

    private Contract contract(String source) {
        // The state machine hands the same String until the source changes, so this is usually an identity check.
        if (!source.equals(loadedSource)) {
            loadedSource = source;
            try {
                loaded = engine.load(source);
                loadError = null;
            } catch (ContractLoadException e) {
                loaded = null;
                loadError = e.getMessage();
            }
        }
        return loaded;
    }
}
