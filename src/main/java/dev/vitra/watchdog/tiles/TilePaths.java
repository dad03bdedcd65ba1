package dev.vitra.watchdog.tiles;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The tlog-tiles path encoding: index as 3-digit groups, all but the last prefixed with {@code x}. */
public final class TilePaths {
    private static final Pattern PATH = Pattern.compile(
            "tile/(entries|0|[1-9][0-9]?)/((?:x[0-9]{3}/)*)([0-9]{3})(?:\\.p/([1-9][0-9]{0,2}))?");

    private TilePaths() {
    }

    public static String formatIndex(long index) {
        if (index < 0) {
            throw new IllegalArgumentException("tile index is negative: " + index);
        }
        String last = String.format("%03d", index % 1000);
        StringBuilder prefix = new StringBuilder();
        for (long rest = index / 1000; rest > 0; rest /= 1000) {
            prefix.insert(0, String.format("x%03d/", rest % 1000));
        }
        return prefix + last;
    }

    static String widthSuffix(int width) {
        return width == TileResource.FULL_WIDTH ? "" : ".p/" + width;
    }

    static void checkIndexAndWidth(long index, int width) {
        if (index < 0) {
            throw new IllegalArgumentException("tile index is negative: " + index);
        }
        if (width < 1 || width > TileResource.FULL_WIDTH) {
            throw new IllegalArgumentException("tile width must be 1..256, got " + width);
        }
    }

    /** Parses a path relative to the log prefix, e.g. {@code tile/1/x001/234.p/17} or {@code tile/entries/000}. */
    public static TileResource parse(String path) {
        Matcher m = PATH.matcher(path);
        if (!m.matches()) {
            throw new IllegalArgumentException("not a tlog-tiles path: \"" + path + "\"");
        }
        long index = 0;
        String groups = m.group(2);
        try {
            if (!groups.isEmpty()) {
                for (String g : groups.split("/")) {
                    index = Math.addExact(Math.multiplyExact(index, 1000), Long.parseLong(g.substring(1)));
                }
                if (groups.startsWith("x000/")) {
                    throw new IllegalArgumentException("tile index has a leading zero group: \"" + path + "\"");
                }
            }
            index = Math.addExact(Math.multiplyExact(index, 1000), Long.parseLong(m.group(3)));
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("tile index does not fit in 63 bits: \"" + path + "\"", e);
        }
        int width = m.group(4) == null ? TileResource.FULL_WIDTH : Integer.parseInt(m.group(4));
        if (m.group(4) != null && width >= TileResource.FULL_WIDTH) {
            throw new IllegalArgumentException("partial tile width must be 1..255: \"" + path + "\"");
        }
        if ("entries".equals(m.group(1))) {
            return new EntryBundleId(index, width);
        }
        return new HashTileId(Integer.parseInt(m.group(1)), index, width);
    }
}
