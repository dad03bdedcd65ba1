package dev.vitra.watchdog.config;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A YAML document as read, every node with the line it starts on, so that every config error can name its line. */
public sealed interface ConfigNode {
    int line();

    /** A scalar's text; {@code null} for YAML's null ({@code ~}, {@code null} or nothing). */
    record Scalar(String text, int line) implements ConfigNode {
    }

    record Mapping(Map<String, Member> members, int line) implements ConfigNode {
        public Mapping {
            members = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(members));
        }
    }

    record Sequence(List<ConfigNode> items, int line) implements ConfigNode {
        public Sequence {
            items = List.copyOf(items);
        }
    }

    /** A mapping's member: the line of its key, and its value. */
    record Member(int keyLine, ConfigNode value) {
    }

    static String describe(ConfigNode node) {
        return switch (node) {
            case Scalar s -> s.text() == null ? "null" : "a scalar";
            case Mapping m -> "a mapping";
            case Sequence q -> "a list";
        };
    }
}
