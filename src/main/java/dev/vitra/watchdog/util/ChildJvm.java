package dev.vitra.watchdog.util;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Command lines for a new JVM like this one (same java, flags and class path), for benchmarks and tests. */
public final class ChildJvm {
    private ChildJvm() {
    }

    /**
     * {@code java <this JVM's flags> -cp <this class path>}. Without {@code optimizing}, the JVMCI flags are left out
     * and Truffle runs its interpreter-only fallback (as on JDK 21–24); {@code extraFlags} come after this JVM's own,
     * whose {@code -Xmx} and {@code -Xlog} are dropped when an extra flag sets them.
     */
    public static List<String> command(boolean optimizing, String... extraFlags) {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        boolean ownHeap = List.of(extraFlags).stream().anyMatch(f -> f.startsWith("-Xmx"));
        boolean ownLog = List.of(extraFlags).stream().anyMatch(f -> f.startsWith("-Xlog"));
        for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            boolean jvmci = arg.contains("JVMCI") || arg.startsWith("--upgrade-module-path")
                    || arg.equals("-XX:+UnlockExperimentalVMOptions");
            boolean dropped = arg.startsWith("-agentlib") || arg.startsWith("-javaagent") || (jvmci && !optimizing)
                    || (ownHeap && arg.startsWith("-Xmx")) || (ownLog && arg.startsWith("-Xlog"));
            if (!dropped) {
                cmd.add(arg);
            }
        }
        if (!optimizing) {
            cmd.add("-Dpolyglot.engine.WarnInterpreterOnly=false");
        }
        cmd.addAll(List.of(extraFlags));
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path")));
        return cmd;
    }
}
