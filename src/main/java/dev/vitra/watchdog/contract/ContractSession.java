package dev.vitra.watchdog.contract;

import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.PolyglotException;
import org.graalvm.polyglot.SandboxPolicy;
import org.graalvm.polyglot.Value;
import org.graalvm.polyglot.io.IOAccess;
import org.graalvm.polyglot.proxy.ProxyExecutable;
import org.graalvm.polyglot.proxy.ProxyObject;

/**
 * One sandbox for one contract: a polyglot context with the runtime installed. Used by one thread at a time.
 * The context is created lazily and replaced whenever it cannot be trusted any more (cancelled, out of
 * resources, or the tripwire fired), so a session is always ready for the next call.
 */
public final class ContractSession implements AutoCloseable {
    private final ContractEngine engine;
    private final Contract contract;
    /** Read by the time-budget and memory-guard threads when they cancel; hence volatile. */
    private volatile Context context;
    private Value runtime;
    private Value prepareFn;
    private Value runApplyFn;
    private Value tripwireFn;

    private IndexView index;
    private RuntimeException indexFailure;

    private final Object lock = new Object();
    private long executionId;
    private boolean executing;
    /** When the running call's time budget started ({@link System#nanoTime}); 0 until it has. Guarded by lock. */
    private long budgetStartedAt;
    private AbortReason abortRequested;
    private java.util.concurrent.Future<?> pendingCancel;

    /** False only for probes: the realm is left unfrozen (see ContractEngine#applyFreshUnfrozen). */
    private final boolean frozen;

    /** This session's time budget per call: the engine's, or a multiple of it for a brand-new (cold) context. */
    private final long timeBudgetNanos;

    ContractSession(ContractEngine engine, Contract contract) {
        this(engine, contract, true, 1);
    }

    ContractSession(ContractEngine engine, Contract contract, boolean frozen, int budgetFactor) {
        this.engine = engine;
        this.contract = contract;
        this.frozen = frozen;
        this.timeBudgetNanos = engine.limits().timeBudget().toNanos() * budgetFactor;
    }

    public Contract contract() {
        return contract;
    }

    /** {@code apply(tx, op, ack)} on a fresh module instance, with the determinism guards on. */
    public ApplyOutcome apply(IndexView view, String opJson, Ack ack) {
        String ackJson = ack.toJson();
        if (JsonDepth.exceeds(opJson, ContractLimits.MAX_JSON_DEPTH) || JsonDepth.exceeds(ackJson, ContractLimits.MAX_JSON_DEPTH)) {
            return new ApplyOutcome.Aborted(AbortReason.JSON_DEPTH, "the op or the ack's metadata nests deeper than "
                    + ContractLimits.MAX_JSON_DEPTH + " levels, this monitor's limit");
        }
        return execute(view, true, false,
                (rt, ns) -> runApplyFn.execute(ns, opJson, ackJson, engine.limits().maxChanges()),
                new Outcomes<>() {
                    @Override
                    public ApplyOutcome ok(Value v) {
                        List<Change> changes = decodeChanges(v.getArrayElement(1).asString());
                        return new ApplyOutcome.Applied(changes, features(v));
                    }

                    @Override
                    public ApplyOutcome failed(String error) {
                        return new ApplyOutcome.Rejected(error);
                    }

                    @Override
                    public ApplyOutcome failed(Value v) {
                        return new ApplyOutcome.Rejected(v.getArrayElement(1).asString(), features(v));
                    }

                    @Override
                    public ApplyOutcome failedEngineDependent(String error, String feature) {
                        return new ApplyOutcome.Rejected(error, java.util.Set.of(feature));
                    }

                    @Override
                    public ApplyOutcome aborted(AbortReason reason, String detail) {
                        return new ApplyOutcome.Aborted(reason, detail);
                    }
                });
    }

    /**
     * The runtime's encoding of a transaction's changes (runtime.mjs, {@code changes()}): per change "p" or "d", then
     * the path, its JSON spelling and, for a put, the value's JSON text, each as {@code length:text}.
     */
    static List<Change> decodeChanges(String encoded) {
        List<Change> changes = new ArrayList<>();
        int[] at = {0};
        while (at[0] < encoded.length()) {
            boolean put = switch (encoded.charAt(at[0]++)) {
                case 'p' -> true;
                case 'd' -> false;
                default -> throw new IllegalStateException("runtime encoded a change kind " + encoded.charAt(at[0] - 1));
            };
            String path = lengthPrefixed(encoded, at);
            String quotedPath = lengthPrefixed(encoded, at);
            if (put) {
                String value = lengthPrefixed(encoded, at);
                changes.add(new Change(Change.Type.PUT, path, Optional.of(value),
                        "{\"type\":\"put\",\"path\":" + quotedPath + ",\"value\":" + value + "}"));
            } else {
                changes.add(new Change(Change.Type.DEL, path, Optional.empty(), "{\"type\":\"del\",\"path\":" + quotedPath + "}"));
            }
        }
        return changes;
    }

    private static String lengthPrefixed(String encoded, int[] at) {
        int colon = encoded.indexOf(':', at[0]);
        int length = Integer.parseInt(encoded, at[0], colon, 10);
        at[0] = colon + 1 + length;
        return encoded.substring(colon + 1, at[0]);
    }

    /** A participant-API method: {@code method(params, emit)} with {@code isWriter} as given. */
    public CallOutcome call(String method, String paramsJson, boolean isWriter, IndexView view) {
        return execute(view, false, isWriter, (rt, ns) -> rt.invokeMember("runCall", ns, method, paramsJson),
                new Outcomes<>() {
                    @Override
                    public CallOutcome ok(Value v) {
                        Value result = v.getArrayElement(1);
                        Value ops = v.getArrayElement(2);
                        List<String> emitted = new ArrayList<>();
                        for (long i = 0; i < ops.getArraySize(); i++) {
                            emitted.add(ops.getArrayElement(i).asString());
                        }
                        return new CallOutcome.Returned(result.isNull() ? Optional.empty() : Optional.of(result.asString()), emitted);
                    }

                    @Override
                    public CallOutcome failed(String error) {
                        return new CallOutcome.Failed(error);
                    }

                    @Override
                    public CallOutcome aborted(AbortReason reason, String detail) {
                        return new CallOutcome.Aborted(reason, detail);
                    }
                });
    }

    /** The executor-only {@code process(op)}. */
    public ProcessOutcome process(String opJson, IndexView view) {
        return execute(view, false, false, (rt, ns) -> rt.invokeMember("runProcess", ns, opJson),
                new Outcomes<>() {
                    @Override
                    public ProcessOutcome ok(Value v) {
                        Value m = v.getArrayElement(1);
                        return new ProcessOutcome.Metadata(m.isNull() ? Optional.empty() : Optional.of(m.asString()));
                    }

                    @Override
                    public ProcessOutcome failed(String error) {
                        return new ProcessOutcome.Failed(error);
                    }

                    @Override
                    public ProcessOutcome aborted(AbortReason reason, String detail) {
                        return new ProcessOutcome.Aborted(reason, detail);
                    }
                });
    }

    private interface Invocation {
        Value invoke(Value runtime, Value namespace);
    }

    /** GraalJS's wording for a \p{...} name it does not know. */
    private static final java.util.regex.Pattern UNKNOWN_UNICODE = java.util.regex.Pattern.compile(
            "Unsupported Unicode|Invalid Unicode (property|script|General)|unknown Unicode|Unicode property", java.util.regex.Pattern.CASE_INSENSITIVE);

    private interface Outcomes<T> {
        T ok(Value result);

        T failed(String error);

        /** A failure that another conforming engine may not have: apply outcomes carry the feature. */
        default T failedEngineDependent(String error, String feature) {
            return failed(error);
        }

        /** A failure as the runtime reported it: {@code ['failed', message, ...]}. */
        default T failed(Value v) {
            return failed(v.getArrayElement(1).asString());
        }

        T aborted(AbortReason reason, String detail);
    }

    /** The engine-dependent features an apply outcome lists (its third element). */
    private static java.util.Set<String> features(Value v) {
        if (v.getArraySize() < 3) {
            return java.util.Set.of();
        }
        Value list = v.getArrayElement(2);
        java.util.Set<String> out = new java.util.TreeSet<>();
        for (long i = 0; i < list.getArraySize(); i++) {
            out.add(list.getArrayElement(i).asString());
        }
        return out;
    }

    private <T> T execute(IndexView view, boolean deterministic, boolean isWriter,
            Invocation invocation, Outcomes<T> outcomes) {
        T result = executeOnce(view, deterministic, isWriter, invocation, outcomes);
        if (tripped) {
            // The realm was not as frozen as it should be: this call's outcome is not trusted; run it again on a
            // brand-new context (the tripwire cannot fire unless lockdown failed).
            tripped = false;
            result = executeOnce(view, deterministic, isWriter, invocation, outcomes);
            tripped = false;
        }
        return result;
    }

    /** Set when the tripwire fired after the last call (its context is already discarded). */
    private boolean tripped;

    private <T> T executeOnce(IndexView view, boolean deterministic, boolean isWriter,
            Invocation invocation, Outcomes<T> outcomes) {
        long id;
        synchronized (lock) {
            id = ++executionId;
            executing = true;
            abortRequested = null;
            budgetStartedAt = 0;
        }
        engine.running(this, true);
        this.index = view;
        this.indexFailure = null;
        try {
            // Creating a context is the monitor's cost, not the contract's: the budget starts after it.
            ensureContext();
            synchronized (lock) {
                budgetStartedAt = System.nanoTime();
            }
            AbortReason early = abortReason();
            if (early != null) {
                // The memory guard fired while the context was being built: there was nothing to cancel yet.
                discardContext();
                return outcomes.aborted(early, describe(early));
            }
            // Mode and isWriter are set before the module is evaluated: its top-level code sees them too.
            prepareFn.execute(deterministic, isWriter);
            Value namespace;
            try {
                namespace = context.eval(contract.polyglotSource());
            } catch (PolyglotException e) {
                if (e.isGuestException() && !e.isCancelled() && !e.isResourceExhausted() && !e.isInterrupted()
                        && indexFailure == null) {
                    String message = String.valueOf(e.getMessage());
                    retireIfDirty();
                    if (message.contains("Maximum call stack size exceeded")) {
                        return outcomes.aborted(AbortReason.STACK_DEPTH, "contract exceeded the stack depth while loading");
                    }
                    if (UNKNOWN_UNICODE.matcher(message).find()) {
                        // A regular expression naming a Unicode script or property newer than this engine's Unicode
                        // version: an engine with a newer one loads the contract (PROTOCOL §4: engine-dependent).
                        return outcomes.failedEngineDependent("contract does not load: " + message,
                                "a Unicode property or script this engine's Unicode version does not know");
                    }
                    return outcomes.failed("contract does not load: " + message);
                }
                throw e;
            }
            Value box = invocation.invoke(runtime, namespace);
            if (indexFailure != null) {
                retireIfDirty();
                return indexAborted(outcomes);
            }
            T result;
            if (!"done".equals(box.getMember("state").asString())) {
                result = outcomes.failed("the contract returned a promise that never settles");
            } else {
                Value v = box.getMember("value");
                String kind = v.getArrayElement(0).asString();
                result = switch (kind) {
                    case "ok" -> outcomes.ok(v);
                    case "failed" -> outcomes.failed(v);
                    case "limit" -> outcomes.aborted(reasonOf(v.getArrayElement(1).asString()), v.getArrayElement(2).asString());
                    default -> throw new IllegalStateException("runtime returned outcome kind " + kind);
                };
            }
            retireIfDirty();
            return result;
        } catch (PolyglotException e) {
            AbortReason requested = abortReason();
            discardContext();
            if (requested != null) {
                return outcomes.aborted(requested, describe(requested));
            }
            if (indexFailure != null) {
                return indexAborted(outcomes);
            }
            if (e.isResourceExhausted()) {
                return outcomes.aborted(AbortReason.MEMORY, "contract exhausted a resource: " + e.getMessage());
            }
            if (e.isCancelled() || e.isInterrupted()) {
                return outcomes.aborted(AbortReason.TIME_BUDGET, describe(AbortReason.TIME_BUDGET));
            }
            return outcomes.aborted(AbortReason.INTERNAL, "contract runtime error: " + e.getMessage());
        } catch (RuntimeException e) {
            // A closed context (cancellation) or an unexpected runtime state: never trust this context again.
            AbortReason requested = abortReason();
            discardContext();
            return outcomes.aborted(requested != null ? requested : AbortReason.INTERNAL,
                    requested != null ? describe(requested) : "contract runtime error: " + e);
        } finally {
            boolean aborted;
            java.util.concurrent.Future<?> cancel;
            synchronized (lock) {
                executing = false;
                aborted = abortRequested != null;
                cancel = pendingCancel;
                pendingCancel = null;
            }
            if (aborted) {
                // A cancellation may still be closing the context: it must not be reused, and what it holds
                // (an allocation bomb's heap) must be released before the next call runs.
                discardContext();
                awaitQuietly(cancel);
            }
            engine.running(this, false);
            this.index = null;
        }
    }

    private <T> T indexAborted(Outcomes<T> outcomes) {
        if (indexFailure instanceof JsonTooDeepException) {
            return outcomes.aborted(AbortReason.JSON_DEPTH, indexFailure.getMessage());
        }
        return outcomes.aborted(AbortReason.INDEX_UNAVAILABLE, "index read failed: " + indexFailure.getMessage());
    }

    private static void awaitQuietly(java.util.concurrent.Future<?> cancel) {
        if (cancel == null) {
            return;
        }
        try {
            cancel.get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            // The context is discarded either way.
        }
    }

    /** The tripwire: retires the context when the frozen realm is not frozen any more (see execute). */
    private void retireIfDirty() {
        if (!tripwireFn.execute().asBoolean()) {
            engine.contextRetiredForGlobals();
            tripped = true;
            discardContext();
        }
    }

    private static AbortReason reasonOf(String name) {
        for (AbortReason r : AbortReason.values()) {
            if (r.name().equals(name)) {
                return r;
            }
        }
        return AbortReason.INTERNAL;
    }

    private String describe(AbortReason reason) {
        return switch (reason) {
            case TIME_BUDGET -> "contract ran longer than the budget of " + timeBudgetNanos / 1_000_000 + " ms";
            case MEMORY -> "contract was cancelled: live heap data passed " + Math.round(engine.limits().heapFraction() * 100)
                    + "% of the maximum heap";
            default -> reason.name();
        };
    }

    private AbortReason abortReason() {
        synchronized (lock) {
            return abortRequested;
        }
    }

    /** The id of the call in progress (or the last one): lets the memory guard cancel exactly the calls it suspects. */
    long currentExecution() {
        synchronized (lock) {
            return executionId;
        }
    }

    /**
     * Cancels the running call if it has used up its time budget. The engine's sweeper calls this every few
     * milliseconds for each running session: cheaper per call than a timer scheduled and cancelled per call.
     */
    void enforceTimeBudget(long now) {
        long id;
        synchronized (lock) {
            if (!executing || budgetStartedAt == 0 || now - budgetStartedAt <= timeBudgetNanos) {
                return;
            }
            id = executionId;
        }
        abortExecution(id, AbortReason.TIME_BUDGET);
    }

    /** Cancels call {@code id} if it is still running. */
    void abortExecution(long id, AbortReason reason) {
        Context target;
        synchronized (lock) {
            if (!executing || executionId != id || abortRequested != null) {
                return;
            }
            abortRequested = reason;
            target = context;
        }
        if (target != null) {
            java.util.concurrent.Future<?> f = engine.canceller().submit(() -> {
                try {
                    target.close(true);
                } catch (RuntimeException ignored) {
                    // Closing races with the call ending; either way the context is retired.
                }
            });
            synchronized (lock) {
                pendingCancel = f;
            }
        }
    }

    private void ensureContext() {
        if (context != null) {
            return;
        }
        Context ctx = Context.newBuilder("js")
                .engine(engine.polyglotEngine())
                .sandbox(SandboxPolicy.CONSTRAINED)
                .out(OutputStream.nullOutputStream())
                .err(OutputStream.nullOutputStream())
                .in(InputStream.nullInputStream())
                .allowIO(IOAccess.newBuilder().fileSystem(engine.fileSystem()).build())
                .option("js.esm-eval-returns-exports", "true")
                .option("js.allow-eval", "false")
                .option("js.locale", "en-US")
                .option("js.ecmascript-version", ContractEngine.ECMASCRIPT_EDITION)
                // Engine-specific globals off at the source; the rest is removed by the runtime's lockdown.
                .option("js.console", "false")
                .option("js.print", "false")
                .option("js.load", "false")
                .option("js.graal-builtin", "false")
                .build();
        try {
            ctx.getBindings("js").putMember("__vitraBridge", ProxyObject.fromMap(Map.of(
                    "indexGet", (ProxyExecutable) args -> indexGet(args[0].asString()),
                    "indexList", (ProxyExecutable) args -> indexList(args[0].asString()),
                    "genUUID", (ProxyExecutable) args -> UUID.randomUUID().toString())));
            Value rt = ctx.eval(engine.runtimeSource());
            ctx.eval(engine.bootSource());
            rt.invokeMember("seal");
            rt.invokeMember(frozen ? "lockdown" : "leaveUnfrozen");
            context = ctx;
            runtime = rt;
            // Looked up once: a member lookup per call is a measurable part of a warm apply.
            prepareFn = rt.getMember("prepare");
            runApplyFn = rt.getMember("runApply");
            tripwireFn = rt.getMember("tripwire");
            engine.contextCreated();
        } catch (RuntimeException e) {
            ctx.close(true);
            throw e;
        }
    }

    private String indexGet(String path) {
        try {
            return deepChecked(index.get(path).map(IndexView.IndexEntry::toJson).orElse(null));
        } catch (RuntimeException e) {
            indexFailure = e;
            throw e;
        }
    }

    /** Stored values reach the engine's parser too: nested beyond the limit, the call aborts (JSON_DEPTH). */
    private String deepChecked(String json) {
        if (json != null && JsonDepth.exceeds(json, ContractLimits.MAX_JSON_DEPTH)) {
            throw new JsonTooDeepException();
        }
        return json;
    }

    /** A value read from the index nests deeper than {@link ContractLimits#MAX_JSON_DEPTH}. */
    static final class JsonTooDeepException extends RuntimeException {
        JsonTooDeepException() {
            super("a stored value nests deeper than " + ContractLimits.MAX_JSON_DEPTH + " levels, this monitor's limit");
        }
    }

    private String indexList(String prefix) {
        try {
            StringBuilder sb = new StringBuilder("[");
            for (IndexView.IndexChild child : index.list(prefix)) {
                if (sb.length() > 1) {
                    sb.append(',');
                }
                sb.append(child.toJson());
            }
            return deepChecked(sb.append(']').toString());
        } catch (RuntimeException e) {
            indexFailure = e;
            throw e;
        }
    }

    private void discardContext() {
        Context c = context;
        context = null;
        runtime = null;
        if (c != null) {
            try {
                c.close(true);
            } catch (RuntimeException ignored) {
                // Already closed by a cancellation.
            }
        }
    }

    @Override
    public void close() {
        discardContext();
    }
}
