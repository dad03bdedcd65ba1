package dev.vitra.watchdog.note;

/** The signed-note rule for key names: non-empty, no Unicode space, no '+'. */
final class KeyNames {
    private KeyNames() {
    }

    static void check(String name) {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("key name is empty");
        }
        for (int i = 0; i < name.length(); ) {
            int cp = name.codePointAt(i);
            if (cp == '+' || Character.isWhitespace(cp) || Character.isSpaceChar(cp)) {
                throw new IllegalArgumentException("key name \"" + name + "\" contains a space or '+' at offset " + i);
            }
            if (cp < 0x20) {
                throw new IllegalArgumentException("key name contains control character U+" + String.format("%04X", cp));
            }
            i += Character.charCount(cp);
        }
    }
}
