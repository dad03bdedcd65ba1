package dev.vitra.watchdog.config;

import java.util.List;

/** A configuration that cannot be used: every problem found, each naming the file, line and field. */
public final class ConfigException extends Exception {
    private final List<String> problems;

    public ConfigException(List<String> problems) {
        super(problems.size() == 1 ? problems.get(0) : problems.size() + " problems:\n  " + String.join("\n  ", problems));
        this.problems = List.copyOf(problems);
    }

    /** Each as {@code file:line: field: problem}. */
    public List<String> problems() {
        return problems;
    }
}
