package dev.vitra.watchdog.contract;

import java.util.Optional;

/**
 * One change of a transaction, as the index log carries it.
 *
 * @param type      put or del
 * @param path      normalised path
 * @param valueJson the value as {@code JSON.stringify} wrote it (puts only)
 * @param entryJson the index entry exactly as {@code JSON.stringify({type, path, value})} writes it
 */
public record Change(Type type, String path, Optional<String> valueJson, String entryJson) {
    public enum Type {
        PUT, DEL
    }
}
