package dev.vitra.watchdog.contract;

/** Which Truffle runtime GraalJS runs on; the interpreter fallback is several times slower. */
public enum RuntimeMode {
    /** Truffle's optimizing runtime with the Graal compiler (JVMCI). */
    OPTIMIZING,
    /** The fallback runtime: AST interpretation only, no runtime compilation of JavaScript. */
    INTERPRETER;

    /** 1 when optimizing, 0 when interpreting: a gauge value for metrics. */
    public int metricValue() {
        return this == OPTIMIZING ? 1 : 0;
    }
}
