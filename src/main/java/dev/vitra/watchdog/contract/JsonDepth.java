package dev.vitra.watchdog.contract;

/** How deeply a JSON text nests, found by one iterative scan (no parser, no recursion). */
final class JsonDepth {
    private JsonDepth() {
    }

    /** True when {@code json} opens more than {@code max} arrays or objects inside each other. */
    static boolean exceeds(String json, int max) {
        int depth = 0;
        boolean inString = false;
        for (int i = 0; i < json.length(); i++) {
            char c = json.charAt(i);
            if (inString) {
                if (c == '\\') {
                    i++;
                } else if (c == '"') {
                    inString = false;
                }
            } else if (c == '"') {
                inString = true;
            } else if (c == '[' || c == '{') {
                if (++depth > max) {
                    return true;
                }
            } else if (c == ']' || c == '}') {
                depth--;
            }
        }
        return false;
    }
}
