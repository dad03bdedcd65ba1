package dev.vitra.watchdog.contract;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.graalvm.polyglot.Engine;
import org.graalvm.polyglot.SandboxPolicy;
import org.graalvm.polyglot.Source;

/**
 * Runs Vitra contracts (PROTOCOL §4) on GraalJS under the CONSTRAINED sandbox policy. One engine per process:
 * it shares parsed and compiled contract code between all its contexts. Sessions (one polyglot context each)
 * are pooled per contract; a session is used by one thread at a time.
 *
 * <p>Fresh-instance semantics: every transaction evaluates the contract module anew (a fresh module instance,
 * so module-level variables never carry over), inside a context reused for speed whose realm (intrinsics, API
 * modules, global object) is frozen before any contract code runs, so nothing can carry over there either; a
 * tripwire re-runs a call on a brand-new context should the freeze ever fail. Callers that need certainty (the
 * audit, before it claims fraud) use {@link #applyFresh}, which runs in a brand-new context.
 * See docs/contract-runtime.md.
 */
public final class ContractEngine implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(ContractEngine.class.getName());
    private static final String RESOURCE_DIR = "/dev/vitra/watchdog/contract/";

    private final Engine engine;
    private final ContractLimits limits;
    private final RuntimeMode mode;
    private final ScheduledExecutorService timer;
    private final ScheduledExecutorService heapGuard;
    private final java.util.concurrent.ExecutorService canceller;
    private final Source runtimeSource;
    private final Source bootSource;
    private final VirtualModuleFileSystem fileSystem;
    /** Idle sessions per contract, least recently used first; bounded so contracts that keep changing cannot pile up. */
    private final LinkedHashMap<String, Deque<ContractSession>> idle = new LinkedHashMap<>(16, 0.75f, true);
    private static final int MAX_POOLED_CONTRACTS = 32;
    private final Set<ContractSession> running = ConcurrentHashMap.newKeySet();
    private final List<Runnable> guardRemovals = new ArrayList<>();
    private final AtomicLong contextsCreated = new AtomicLong();
    private final AtomicLong contextsRetiredForGlobals = new AtomicLong();

    /** The ECMAScript edition contracts run under (docs/contract-runtime.md lists the globals it gives them). */
    public static final String ECMASCRIPT_EDITION = "2025";

    private ContractEngine(ContractLimits limits) {
        requireUtc(java.time.ZoneId.systemDefault());
        this.limits = limits;
        this.engine = Engine.newBuilder("js")
                .sandbox(SandboxPolicy.CONSTRAINED)
                .out(OutputStream.nullOutputStream())
                .err(OutputStream.nullOutputStream())
                .option("engine.WarnInterpreterOnly", "false")
                .build();
        this.mode = "Interpreted".equals(engine.getImplementationName()) ? RuntimeMode.INTERPRETER : RuntimeMode.OPTIMIZING;
        this.timer = Executors.newSingleThreadScheduledExecutor(daemon("contract-time-budget"));
        this.heapGuard = Executors.newSingleThreadScheduledExecutor(daemon("contract-heap-guard"));
        // Cancelling a context blocks until the guest stops; it must not hold up the timers.
        this.canceller = Executors.newCachedThreadPool(daemon("contract-cancel"));
        Map<String, String> modules = new LinkedHashMap<>();
        for (String name : List.of("contract", "assert", "util")) {
            modules.put(name, resource(name + ".mjs"));
        }
        this.fileSystem = new VirtualModuleFileSystem(modules);
        this.runtimeSource = Source.newBuilder("js", resource("runtime.mjs"), "/vitra-internal/runtime.mjs")
                .mimeType("application/javascript+module").buildLiteral();
        // The API modules are loaded before lockdown and handed to it, so their functions are frozen too.
        this.bootSource = Source.newBuilder("js", "import * as c from 'contract';\nimport * as a from 'assert';\n"
                + "import * as u from 'util';\nglobalThis.__vitraModules = [c, a, u];\n",
                "/vitra-internal/boot.mjs").mimeType("application/javascript+module").buildLiteral();
        installHeapGuard();
        installTimeBudgetSweeper();
        LOG.log(System.Logger.Level.INFO, "contract runtime: GraalJS on the {0} Truffle runtime ({1})",
                mode == RuntimeMode.OPTIMIZING ? "optimizing" : "interpreter-only fallback", engine.getImplementationName());
    }

    public static ContractEngine create(ContractLimits limits) {
        return new ContractEngine(limits);
    }

    /**
     * Contracts run with UTC as the local time zone (PROTOCOL §4), and GraalJS takes it from the JVM: under another
     * default zone local-time Date methods give other results, so the engine refuses to start.
     */
    static void requireUtc(java.time.ZoneId zone) {
        if (!zone.normalized().equals(java.time.ZoneOffset.UTC)) {
            throw new IllegalStateException("the JVM's default time zone is " + zone.getId() + ", but contracts run in UTC"
                    + " (PROTOCOL §4): start the JVM with -Duser.timezone=UTC (the launcher does)");
        }
    }

    public RuntimeMode mode() {
        return mode;
    }

    /** Truffle's name for the runtime, e.g. "GraalVM CE" or "Interpreted". */
    public String implementationName() {
        return engine.getImplementationName();
    }

    public ContractLimits limits() {
        return limits;
    }

    /** Contexts created so far (pool misses, retirements and fresh confirmations). */
    public long contextsCreated() {
        return contextsCreated.get();
    }

    /** Contexts retired because the tripwire found the frozen realm changed: should stay zero (a sign of a lockdown gap). */
    public long contextsRetiredForGlobals() {
        return contextsRetiredForGlobals.get();
    }

    public Contract load(String source) throws ContractLoadException {
        int bytes = source.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > limits.maxSourceBytes()) {
            throw new ContractLoadException("contract source is " + bytes + " bytes, more than the limit of "
                    + limits.maxSourceBytes());
        }
        return new Contract(source);
    }

    /**
     * Applies an op with a pooled session (a reused, frozen context; a fresh module instance). Apply sessions are
     * pooled apart from those of call() and process(), which run without the determinism guards.
     */
    public ApplyOutcome apply(Contract contract, IndexView index, String opJson, Ack ack) {
        return withSession(contract, APPLY_POOL, s -> s.apply(index, opJson, ack));
    }

    /**
     * A brand-new context compiles nothing yet: the same work can take several times longer than on a warm one. The
     * confirming runs below get this multiple of the time budget, so that a transaction an executor ran in time on a
     * warm engine is not left unconfirmed (and a breach in it unproven) only because confirmation starts cold.
     */
    public static final int FRESH_BUDGET_FACTOR = 4;

    /** Applies an op in a brand-new context: the reference outcome that confirms any mismatch. */
    public ApplyOutcome applyFresh(Contract contract, IndexView index, String opJson, Ack ack) {
        try (ContractSession session = new ContractSession(this, contract, true, FRESH_BUDGET_FACTOR)) {
            return session.apply(index, opJson, ack);
        }
    }

    /**
     * Applies an op in a brand-new context whose realm is <em>not</em> frozen: a probe only, telling whether an outcome
     * depends on the frozen realm (a contract that modifies or inspects a built-in; PROTOCOL §4 engine-dependent).
     */
    public ApplyOutcome applyFreshUnfrozen(Contract contract, IndexView index, String opJson, Ack ack) {
        try (ContractSession session = new ContractSession(this, contract, false, FRESH_BUDGET_FACTOR)) {
            return session.apply(index, opJson, ack);
        }
    }

    public CallOutcome call(Contract contract, String method, String paramsJson, boolean isWriter, IndexView index) {
        return withSession(contract, API_POOL, s -> s.call(method, paramsJson, isWriter, index));
    }

    public ProcessOutcome process(Contract contract, String opJson, IndexView index) {
        return withSession(contract, API_POOL, s -> s.process(opJson, index));
    }

    private static final String APPLY_POOL = "apply:";
    private static final String API_POOL = "api:";

    /** Borrows a pooled apply session for {@code contract}, runs {@code work}, and returns it to the pool. */
    public <T> T withSession(Contract contract, Function<ContractSession, T> work) {
        return withSession(contract, APPLY_POOL, work);
    }

    private <T> T withSession(Contract contract, String purpose, Function<ContractSession, T> work) {
        String key = purpose + contract.sha256().toHex();
        ContractSession session;
        synchronized (idle) {
            Deque<ContractSession> pool = idle.get(key);
            session = pool == null ? null : pool.pollFirst();
        }
        if (session == null) {
            session = openSession(contract);
        }
        try {
            return work.apply(session);
        } finally {
            List<ContractSession> evicted = new ArrayList<>();
            synchronized (idle) {
                idle.computeIfAbsent(key, k -> new ArrayDeque<>()).addFirst(session);
                var it = idle.entrySet().iterator();
                while (idle.size() > MAX_POOLED_CONTRACTS && it.hasNext()) {
                    evicted.addAll(it.next().getValue());
                    it.remove();
                }
            }
            evicted.forEach(ContractSession::close);
        }
    }

    /** A session owned by the caller, who closes it. */
    public ContractSession openSession(Contract contract) {
        return new ContractSession(this, contract);
    }

    // ---- for ContractSession ----

    Engine polyglotEngine() {
        return engine;
    }

    VirtualModuleFileSystem fileSystem() {
        return fileSystem;
    }

    Source runtimeSource() {
        return runtimeSource;
    }

    Source bootSource() {
        return bootSource;
    }

    java.util.concurrent.ExecutorService canceller() {
        return canceller;
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }

    void contextCreated() {
        contextsCreated.incrementAndGet();
    }

    void contextRetiredForGlobals() {
        contextsRetiredForGlobals.incrementAndGet();
    }

    void running(ContractSession session, boolean isRunning) {
        if (isRunning) {
            running.add(session);
        } else {
            running.remove(session);
        }
    }

    /** The sweep interval bounds how far past its budget a call can run before it is cancelled. */
    static final long TIME_BUDGET_SWEEP_MILLIS = 10;

    private void installTimeBudgetSweeper() {
        var sweep = timer.scheduleWithFixedDelay(() -> {
            long now = System.nanoTime();
            for (ContractSession s : running) {
                s.enforceTimeBudget(now);
            }
        }, TIME_BUDGET_SWEEP_MILLIS, TIME_BUDGET_SWEEP_MILLIS, TimeUnit.MILLISECONDS);
        guardRemovals.add(() -> sweep.cancel(false));
    }

    /**
     * CE GraalJS has no per-context heap limit, so the engine watches the heap while contracts run. When the
     * heap in use passes the configured fraction, it asks for a full collection (at most once a second) and,
     * if live data still exceeds the fraction, cancels every running contract. The collection is what tells
     * an allocation bomb (live data) from a contract that merely makes garbage.
     */
    private void installHeapGuard() {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        List<MemoryPoolMXBean> heapPools = ManagementFactory.getMemoryPoolMXBeans().stream()
                .filter(p -> p.getType() == MemoryType.HEAP).toList();
        long[] lastCollection = {0};
        var poll = heapGuard.scheduleWithFixedDelay(() -> {
            if (running.isEmpty()) {
                return;
            }
            MemoryUsage heap = memory.getHeapMemoryUsage();
            long limit = (long) (heap.getMax() * limits.heapFraction());
            if (heap.getMax() <= 0 || heap.getUsed() < limit || System.nanoTime() - lastCollection[0] < 1_000_000_000L) {
                return;
            }
            lastCollection[0] = System.nanoTime();
            // Only the calls running now may be blamed: one that starts while the collection runs did not fill the heap.
            Map<ContractSession, Long> suspects = new java.util.HashMap<>();
            for (ContractSession s : running) {
                suspects.put(s, s.currentExecution());
            }
            System.gc();
            long live = 0;
            for (MemoryPoolMXBean pool : heapPools) {
                MemoryUsage afterGc = pool.getCollectionUsage();
                live += afterGc == null ? pool.getUsage().getUsed() : afterGc.getUsed();
            }
            if (live > limit) {
                LOG.log(System.Logger.Level.WARNING, "cancelling {0} running contract(s): {1} MB live of {2} MB heap",
                        suspects.size(), live >> 20, heap.getMax() >> 20);
                suspects.forEach((s, execution) -> s.abortExecution(execution, AbortReason.MEMORY));
            }
        }, 20, 20, TimeUnit.MILLISECONDS);
        guardRemovals.add(() -> poll.cancel(false));
    }

    private static String resource(String name) {
        try (InputStream in = ContractEngine.class.getResourceAsStream(RESOURCE_DIR + name)) {
            if (in == null) {
                throw new IllegalStateException("missing runtime resource " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read runtime resource " + name, e);
        }
    }

    @Override
    public void close() {
        guardRemovals.forEach(Runnable::run);
        synchronized (idle) {
            idle.values().forEach(pool -> pool.forEach(ContractSession::close));
            idle.clear();
        }
        timer.shutdownNow();
        heapGuard.shutdownNow();
        canceller.shutdownNow();
        engine.close();
    }
}
