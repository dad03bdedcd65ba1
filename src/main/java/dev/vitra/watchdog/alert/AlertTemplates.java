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

    /** A kind's templates: the .txt's first line (after "Subject: ") and the rest, compiled apart, and the .html. */
    private record Pair(Template subject, Template text, Template html) {
    }

    private final Map<String, Pair> templates;

    private AlertTemplates(Map<String, Pair> templates) {
        this.templates = templates;
    }

    /** The templates in {@code directory}, or the built-in ones; every problem at once, each naming file and line. */
    public static AlertTemplates load(Optional<Path> directory) throws TemplateException {
        List<String> problems = new ArrayList<>();
        Map<String, Pair> out = new LinkedHashMap<>();
        for (String kind : KINDS) {
            String txtName = name(directory, kind + ".txt");
            String htmlName = name(directory, kind + ".html");
            String txt = read(directory, kind + ".txt", problems);
            String html = read(directory, kind + ".html", problems);
            if (txt == null || html == null) {
                continue;
            }
            // The subject is the first line of the template, compiled apart from the body: a value holding a line break
            // cannot move text from the body into the subject or the other way.
            int nl = txt.indexOf('\n');
            String first = nl < 0 ? txt : txt.substring(0, nl);
            if (!first.startsWith("Subject: ") || first.substring("Subject: ".length()).isBlank()) {
                problems.add(txtName + ":1: the first line must be \"Subject: ...\", the email's subject");
                continue;
            }
            Template subject = compile(txtName, first.substring("Subject: ".length()), false, 0, problems);
            Template body = compile(txtName, nl < 0 ? "" : txt.substring(nl + 1), false, 1, problems);
            Template page = compile(htmlName, html, true, 0, problems);
            if (subject != null && body != null && page != null) {
                out.put(kind, new Pair(subject, body, page));
            }
        }
        // Every template that compiled is rendered too, so one run reports every problem: with realistic values, and
        // with every flag true and every flag false, so that no section goes unchecked.
        for (Map.Entry<String, Pair> e : out.entrySet()) {
            String kind = e.getKey();
            for (Map<String, Object> sample : samples(kind)) {
                check(e.getValue().subject(), name(directory, kind + ".txt"), 0, sample, problems);
                check(e.getValue().text(), name(directory, kind + ".txt"), 1, sample, problems);
                check(e.getValue().html(), name(directory, kind + ".html"), 0, sample, problems);
            }
        }
        if (!problems.isEmpty()) {
            throw new TemplateException(problems);
        }
        return new AlertTemplates(out);
    }

    static Map<String, Object> sample(String kind, boolean proof) {
        return kind.equals("digest") ? DigestSender.sample() : AlertContent.sample(kind, proof);
    }

    /** Realistic samples, and the same with every flag (and string) set and with every one unset. */
    private static List<Map<String, Object>> samples(String kind) {
        List<Map<String, Object>> out = new ArrayList<>();
        out.add(sample(kind, true));
        out.add(sample(kind, false));
        out.add(flags(sample(kind, true), true));
        out.add(flags(sample(kind, false), false));
        return out;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> flags(Map<String, Object> sample, boolean set) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : sample.entrySet()) {
            Object v = e.getValue();
            if (v instanceof Boolean) {
                v = set;
            } else if (v instanceof String str) {
                v = set ? (str.isEmpty() ? "x" : str) : "";
            } else if (v instanceof List<?> list) {
                v = list.stream().map(item -> item instanceof Map<?, ?> m ? flags((Map<String, Object>) m, set) : item).toList();
            }
            out.put(e.getKey(), v);
        }
        return out;
    }

    public Rendered render(String kind, Map<String, Object> context) {
        Pair p = templates.get(kind);
        // One header line: control characters from a value (a CR in an error text) become spaces.
        String subject = p.subject().execute(context).replaceAll("\\p{Cntrl}", " ").strip();
        String body = p.text().execute(context).stripLeading();
        return new Rendered(subject, body, p.html().execute(context));
    }

    private static String name(Optional<Path> directory, String file) {
        return directory.map(d -> d.resolve(file).toString()).orElse("alert-templates/" + file + " (built in)");
    }

    private static String read(Optional<Path> directory, String file, List<String> problems) {
        try {
            if (directory.isPresent()) {
                Path p = directory.get().resolve(file);
                if (!Files.isRegularFile(p)) {
                    problems.add(p + ": missing (every kind needs a .txt and an .html template)");
                    return null;
                }
                return Files.readString(p, StandardCharsets.UTF_8);
            }
            try (InputStream in = AlertTemplates.class.getResourceAsStream("/alert-templates/" + file)) {
                if (in == null) {
                    problems.add(name(directory, file) + ": missing from this build");
                    return null;
                }
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
        } catch (IOException | java.io.UncheckedIOException e) {
            problems.add(name(directory, file) + ": cannot be read: " + e.getMessage());
            return null;
        }
    }

    /** Compiles one template; {@code lineOffset} lines of its file come before it (the subject line). */
    private static Template compile(String name, String text, boolean html, int lineOffset, List<String> problems) {
        if (html) {
            java.util.regex.Matcher raw = java.util.regex.Pattern.compile("\\{\\{\\{|\\{\\{&").matcher(text);
            if (raw.find()) {
                int line = 1 + (int) text.substring(0, raw.start()).chars().filter(c -> c == '\n').count();
                problems.add(name + ":" + line + ": unescaped output ({{{...}}} or {{&...}}) is not allowed in an HTML template:"
                        + " values from logs must be escaped");
                return null;
            }
        }
        try {
            // Missing variables are errors (jmustache's default), and HTML output escapes every value.
            // An empty string is false in a section ({{#proofId}}...{{/proofId}}), as a missing value would be.
            return Mustache.compiler().escapeHTML(html).strictSections(true).emptyStringIsFalse(true)
                    .withLoader(partial -> {
                        throw new MustacheException("partials ({{> " + partial + "}}) are not supported: each template"
                                + " stands alone");
                    }).compile(text);
        } catch (MustacheException e) {
            problems.add(name + ":" + (lineOf(e) + lineOffset) + ": " + e.getMessage());
            return null;
        }
    }

    private static void check(Template t, String name, int lineOffset, Map<String, Object> sample, List<String> problems) {
        try {
            t.execute(sample);
        } catch (RuntimeException e) {
            String why = e instanceof MustacheException ? e.getMessage() : e.toString();
            int line = e instanceof MustacheException m ? lineOf(m) : 1;
            String problem = name + ":" + (line + lineOffset) + ": " + why + " (the variables are listed in docs/alerts.md)";
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
