package dev.vitra.watchdog.alert;

import com.samskivert.mustache.Mustache;
import com.samskivert.mustache.MustacheException;
import com.samskivert.mustache.Template;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The email templates of alert-templates/ (docs/alerts.md): for each of fraud, availability, notice, resolved and
 * the digest, a plain-text template whose first line is {@code Subject: ...} and an HTML one. Mustache; HTML output escapes every
 * value. Checked when loaded: each must compile and render with every documented variable, so a misspelt variable
 * or section is refused at start, with the file and line, instead of at the first alert.
 */
public final class AlertTemplates {
    public static final List<String> KINDS = List.of("fraud", "availability", "notice", "resolved", "digest");

    /** One kind's rendered message. */
    public record Rendered(String subject, String text, String html) {
    }

    private record Pair(Template text, Template html) {
    }

    private final Map<String, Pair> templates;
    private final String source;

    private AlertTemplates(Map<String, Pair> templates, String source) {
        this.templates = templates;
        this.source = source;
    }

    /** Where they were read from: a directory, or the built-in copies. */
    public String source() {
        return source;
    }

    /** The templates in {@code directory}, or the built-in ones; every problem at once, each naming file and line. */
    public static AlertTemplates load(Optional<Path> directory) throws TemplateException {
        List<String> problems = new ArrayList<>();
        Map<String, Pair> out = new LinkedHashMap<>();
        for (String kind : KINDS) {
            Template text = compile(directory, kind + ".txt", false, problems);
            Template html = compile(directory, kind + ".html", true, problems);
            if (text != null && html != null) {
                out.put(kind, new Pair(text, html));
            }
        }
        // Every template that compiled is rendered too, so one run reports every problem.
        for (String kind : out.keySet()) {
            for (boolean proof : new boolean[] {true, false}) {
                Map<String, Object> sample = sample(kind, proof);
                check(out.get(kind).text(), name(directory, kind + ".txt"), sample, problems);
                check(out.get(kind).html(), name(directory, kind + ".html"), sample, problems);
            }
            String first;
            try {
                first = firstLine(out.get(kind).text().execute(sample(kind, true)));
            } catch (MustacheException e) {
                continue; // reported above
            }
            if (!first.startsWith("Subject: ") || first.isBlank() || first.substring("Subject: ".length()).isBlank()) {
                problems.add(name(directory, kind + ".txt") + ":1: the first line must be \"Subject: ...\", the email's subject");
            }
        }
        if (!problems.isEmpty()) {
            throw new TemplateException(problems);
        }
        return new AlertTemplates(out, directory.map(Path::toString).orElse("built-in alert-templates"));
    }

    static Map<String, Object> sample(String kind, boolean proof) {
        return kind.equals("digest") ? DigestSender.sample() : AlertContent.sample(kind, proof);
    }

    public Rendered render(String kind, Map<String, Object> context) {
        Pair p = templates.get(kind);
        String text = p.text().execute(context);
        // One header line: control characters from a value (a CR in an error text) become spaces.
        String subject = firstLine(text).substring("Subject: ".length()).replaceAll("\\p{Cntrl}", " ").strip();
        String body = text.substring(Math.min(text.length(), firstLine(text).length() + 1)).stripLeading();
        return new Rendered(subject, body, p.html().execute(context));
    }

    private static String firstLine(String s) {
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    private static String name(Optional<Path> directory, String file) {
        return directory.map(d -> d.resolve(file).toString()).orElse("alert-templates/" + file + " (built in)");
    }

    private static Template compile(Optional<Path> directory, String file, boolean html, List<String> problems) {
        String text;
        try {
            if (directory.isPresent()) {
                Path p = directory.get().resolve(file);
                if (!Files.isRegularFile(p)) {
                    problems.add(p + ": missing (every kind needs a .txt and an .html template)");
                    return null;
                }
                text = Files.readString(p, StandardCharsets.UTF_8);
            } else {
                try (InputStream in = AlertTemplates.class.getResourceAsStream("/alert-templates/" + file)) {
                    if (in == null) {
                        problems.add(name(directory, file) + ": missing from this build");
                        return null;
                    }
                    text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                }
            }
        } catch (IOException | java.io.UncheckedIOException e) {
            problems.add(name(directory, file) + ": cannot be read: " + e.getMessage());
            return null;
        }
        try {
            // Missing variables are errors (jmustache's default), and HTML output escapes every value.
            // An empty string is false in a section ({{#proofId}}...{{/proofId}}), as a missing value would be.
            return Mustache.compiler().escapeHTML(html).strictSections(true).emptyStringIsFalse(true).compile(text);
        } catch (MustacheException e) {
            problems.add(name(directory, file) + ":" + lineOf(e) + ": " + e.getMessage());
            return null;
        }
    }

    private static void check(Template t, String name, Map<String, Object> sample, List<String> problems) {
        try {
            t.execute(sample);
        } catch (MustacheException e) {
            String problem = name + ":" + lineOf(e) + ": " + e.getMessage() + " (the variables are listed in docs/alerts.md)";
            if (!problems.contains(problem)) {
                problems.add(problem);
            }
        }
    }

    private static int lineOf(MustacheException e) {
        if (e instanceof MustacheException.Context c) {
            return c.lineNo;
        }
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("line (\\d+)").matcher(String.valueOf(e.getMessage()));
        return m.find() ? Integer.parseInt(m.group(1)) : 1;
    }

    /** Templates that do not load: every problem, each naming its file and line. */
    public static final class TemplateException extends Exception {
        private final List<String> problems;

        public TemplateException(List<String> problems) {
            super(String.join("\n", problems));
            this.problems = List.copyOf(problems);
        }

        public List<String> problems() {
            return problems;
        }
    }
}
