package dev.vitra.watchdog.config;

import dev.vitra.watchdog.note.LogId;
import dev.vitra.watchdog.tileclient.TileClientConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Reads and validates monitors.yaml. Every problem is collected (not only the first), each as
 * {@code file:line: field: problem}; an unknown key is a problem, never ignored. Relative paths are resolved against
 * the file's directory. Secrets come from environment variables or files named in the YAML, never from the YAML.
 */
public final class ConfigLoader {
    public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(30);
    public static final Duration DEFAULT_JITTER = Duration.ofSeconds(5);
    public static final Duration DEFAULT_PENDING_DEADLINE = Duration.ofHours(1);
    public static final Duration DEFAULT_FRESHNESS_DEADLINE = Duration.ofMinutes(15);
    public static final String DEFAULT_LISTEN = "127.0.0.1:9464";
    public static final int DEFAULT_WORKERS = 4;
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9_-]{0,62}");

    private final Function<String, String> environment;
    private final List<String> problems = new ArrayList<>();
    private String fileName;
    private Path directory;

    private ConfigLoader(Function<String, String> environment) {
        this.environment = environment;
    }

    public static WatchdogConfig load(Path file) throws ConfigException {
        return load(file, System::getenv);
    }

    public static WatchdogConfig load(Path file, Function<String, String> environment) throws ConfigException {
        String text;
        try {
            if (Files.size(file) > YamlReader.MAX_BYTES) {
                throw new ConfigException(List.of(file + ": the file is larger than " + YamlReader.MAX_BYTES + " bytes"));
            }
            byte[] bytes = Files.readAllBytes(file);
            try {
                text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
                        .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT).decode(java.nio.ByteBuffer.wrap(bytes))
                        .toString();
            } catch (java.nio.charset.CharacterCodingException e) {
                int line = 1;
                int at = 0;
                while (at < bytes.length && (bytes[at] & 0x80) == 0) {
                    line += bytes[at++] == '\n' ? 1 : 0;
                }
                throw new ConfigException(List.of(file + ":" + line + ": not UTF-8 text (byte " + at + ")"));
            }
        } catch (IOException e) {
            throw new ConfigException(List.of(file + ": cannot be read: " + e.getMessage()));
        }
        return parse(file, text, environment);
    }

    /** Validates {@code text} as if read from {@code file} (used for messages and relative paths). */
    public static WatchdogConfig parse(Path file, String text, Function<String, String> environment) throws ConfigException {
        ConfigLoader loader = new ConfigLoader(environment);
        loader.fileName = file.toString();
        Path absolute = file.toAbsolutePath().normalize();
        loader.directory = absolute.getParent();
        WatchdogConfig config = loader.root(YamlReader.read(loader.fileName, text, loader.problems), absolute);
        if (!loader.problems.isEmpty()) {
            List<String> byLine = new ArrayList<>(loader.problems);
            byLine.sort(java.util.Comparator.comparingInt(p -> lineOf(p, loader.fileName)));
            throw new ConfigException(byLine);
        }
        return config;
    }

    private static int lineOf(String problem, String fileName) {
        int start = fileName.length() + 1;
        int end = problem.indexOf(':', start);
        try {
            return Integer.parseInt(problem, start, end, 10);
        } catch (RuntimeException e) {
            return 0;
        }
    }

    // ---- sections ----

    private WatchdogConfig root(ConfigNode node, Path source) {
        Fields f = fields(node, "", Set.of("store", "http", "workers", "limits", "alerts", "monitors"));
        WatchdogConfig.Store store = f.has("store") ? store(f.get("store"), "store")
                : new WatchdogConfig.Store.H2File(directory.resolve("data/watchdog.mv.db"));
        WatchdogConfig.Http http = f.has("http") ? http(f.get("http"), "http") : listen(new ConfigNode.Scalar(DEFAULT_LISTEN, 1), "http.listen");
        int workers = f.has("workers") ? intIn(f.get("workers"), "workers", 1, 256) : DEFAULT_WORKERS;
        WatchdogConfig.Limits limits = limits(f.has("limits") ? f.get("limits") : new ConfigNode.Mapping(Map.of(), node.line()), "limits");
        WatchdogConfig.Alerts alerts = f.has("alerts") ? alerts(f.get("alerts"), "alerts") : WatchdogConfig.Alerts.none();
        defaultRoutes = alerts.routes();
        channelNames = alerts.channels().keySet();
        List<WatchdogConfig.Monitor> monitors = new ArrayList<>();
        if (f.has("monitors")) {
            ConfigNode list = f.get("monitors");
            if (list instanceof ConfigNode.Sequence seq) {
                Map<String, Integer> names = new HashMap<>();
                Map<LogId, String> indexes = new HashMap<>();
                for (int i = 0; i < seq.items().size(); i++) {
                    String path = "monitors[" + i + "]";
                    ConfigNode item = seq.items().get(i);
                    int before = problems.size();
                    WatchdogConfig.Monitor m = monitor(item, path);
                    // Names and databases must be unique whatever else is wrong with a monitor: checked on what parsed.
                    Identity id = identity(item);
                    if (id.name() != null && names.putIfAbsent(id.name(), i) != null) {
                        problem(id.nameNode(), path + ".name", "\"" + id.name() + "\" is already the name of monitors["
                                + names.get(id.name()) + "]");
                    }
                    if (id.index() != null && indexes.putIfAbsent(id.index(), id.name() == null ? path : id.name()) != null
                            && !indexes.get(id.index()).equals(id.name() == null ? path : id.name())) {
                        // Two monitors of one database would interleave passes over the same stored state.
                        problem(id.indexNode(), path + ".index-log", "the database is already monitored by \""
                                + indexes.get(id.index()) + "\"");
                    }
                    if (m != null && problems.size() == before) {
                        monitors.add(m);
                    }
                }
            } else {
                problem(list, "monitors", "expected a list of monitors, found " + ConfigNode.describe(list));
            }
        }
        return new WatchdogConfig(source, store, http, workers, limits, alerts, monitors);
    }

    private record Identity(String name, ConfigNode nameNode, LogId index, ConfigNode indexNode) {
    }

    /** A monitor's name and index log, if they parse (for the uniqueness checks; their problems are reported elsewhere). */
    private static Identity identity(ConfigNode node) {
        if (!(node instanceof ConfigNode.Mapping m)) {
            return new Identity(null, node, null, node);
        }
        ConfigNode.Member name = m.members().get("name");
        ConfigNode.Member index = m.members().get("index-log");
        String n = name != null && name.value() instanceof ConfigNode.Scalar s && s.text() != null ? s.text() : null;
        LogId id = null;
        if (index != null && index.value() instanceof ConfigNode.Scalar s && s.text() != null) {
            try {
                id = LogId.parse(s.text());
            } catch (IllegalArgumentException e) {
                id = null;
            }
        }
        return new Identity(n, name == null ? node : name.value(), id, index == null ? node : index.value());
    }

    private WatchdogConfig.Store store(ConfigNode node, String path) {
        Fields f = fields(node, path, Set.of("h2-file", "jdbc-url", "user", "password-env", "password-file"));
        if (f.has("h2-file") && f.has("jdbc-url")) {
            problem(node, path, "give either h2-file or jdbc-url, not both");
        }
        if (f.has("jdbc-url")) {
            String url = string(f.get("jdbc-url"), path + ".jdbc-url");
            if (url != null && !url.startsWith("jdbc:postgresql:")) {
                // Not echoed: a URL may carry credentials.
                problem(f.get("jdbc-url"), path + ".jdbc-url", "not a PostgreSQL JDBC URL (jdbc:postgresql://host:port/database;"
                        + " PostgreSQL is the store this build supports besides an H2 file)");
            } else if (url != null && (url.toLowerCase(java.util.Locale.ROOT).matches("(?s).*[?&]password=.*")
                    || url.matches("(?s)jdbc:postgresql://[^/?#]*@.*"))) {
                // Not echoed either: it holds a secret.
                problem(f.get("jdbc-url"), path + ".jdbc-url", "a password or user:password@ in the URL would be shown in"
                        + " logs and on the status page; use user and password-env or password-file");
            }
            String user = f.has("user") ? string(f.get("user"), path + ".user") : null;
            if (user == null || user.isBlank()) {
                problem(f.has("user") ? f.get("user") : node, path + ".user", "required with a jdbc-url: the database role");
            }
            Optional<Secret> password = secret(f, path, "password");
            return new WatchdogConfig.Store.Jdbc(url == null ? "" : url, user == null ? "" : user, password);
        }
        for (String jdbcOnly : List.of("user", "password-env", "password-file")) {
            if (f.has(jdbcOnly)) {
                problem(f.get(jdbcOnly), path + "." + jdbcOnly, "only applies to a jdbc-url store");
            }
        }
        String file = f.has("h2-file") ? string(f.get("h2-file"), path + ".h2-file") : null;
        return new WatchdogConfig.Store.H2File(directory.resolve(file == null ? "data/watchdog.mv.db" : file).normalize());
    }

    private Optional<Secret> secret(Fields f, String path, String name) {
        String env = name + "-env";
        String file = name + "-file";
        if (f.has(env) && f.has(file)) {
            problem(f.get(file), path + "." + file, "give either " + env + " or " + file + ", not both");
            return Optional.empty();
        }
        try {
            if (f.has(env)) {
                String variable = string(f.get(env), path + "." + env);
                return variable == null ? Optional.empty() : Optional.of(Secret.fromEnvironment(variable, environment));
            }
            if (f.has(file)) {
                String p = string(f.get(file), path + "." + file);
                return p == null ? Optional.empty() : Optional.of(Secret.fromFile(directory.resolve(p)));
            }
        } catch (IllegalArgumentException e) {
            problem(f.get(f.has(env) ? env : file), path + "." + (f.has(env) ? env : file), e.getMessage());
        }
        return Optional.empty();
    }

    private WatchdogConfig.Http http(ConfigNode node, String path) {
        Fields f = fields(node, path, Set.of("listen"));
        return f.has("listen") ? listen(f.get("listen"), path + ".listen") : listen(new ConfigNode.Scalar(DEFAULT_LISTEN, node.line()), path + ".listen");
    }

    private WatchdogConfig.Http listen(ConfigNode node, String path) {
        String v = string(node, path);
        if (v == null) {
            return new WatchdogConfig.Http("127.0.0.1", 9464);
        }
        int colon = v.lastIndexOf(':');
        if (colon <= 0) {
            problem(node, path, "expected host:port, like 127.0.0.1:9464, got \"" + v + "\"");
            return new WatchdogConfig.Http("127.0.0.1", 9464);
        }
        String host = v.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        try {
            int port = Integer.parseInt(v.substring(colon + 1));
            if (port < 0 || port > 65535) {
                throw new NumberFormatException();
            }
            return new WatchdogConfig.Http(host, port);
        } catch (NumberFormatException e) {
            problem(node, path, "the port must be a number from 0 to 65535, got \"" + v.substring(colon + 1) + "\"");
            return new WatchdogConfig.Http(host, 9464);
        }
    }

    private WatchdogConfig.Limits limits(ConfigNode node, String path) {
        Fields f = fields(node, path, Set.of("http-connect-timeout", "http-read-timeout", "http-call-timeout", "http-attempts",
                "max-checkpoint-bytes", "max-bundle-bytes", "max-growth", "contract-time-budget", "contract-heap-fraction"));
        TileClientConfig d = TileClientConfig.defaults();
        return new WatchdogConfig.Limits(
                positiveDuration(f, path, "http-connect-timeout", d.connectTimeout()),
                positiveDuration(f, path, "http-read-timeout", d.readTimeout()),
                positiveDuration(f, path, "http-call-timeout", d.callTimeout()),
                f.has("http-attempts") ? intIn(f.get("http-attempts"), path + ".http-attempts", 1, 20) : d.maxAttempts(),
                f.has("max-checkpoint-bytes") ? intIn(f.get("max-checkpoint-bytes"), path + ".max-checkpoint-bytes", 1024, 1 << 24)
                        : d.maxCheckpointBytes(),
                f.has("max-bundle-bytes") ? intIn(f.get("max-bundle-bytes"), path + ".max-bundle-bytes", 1 << 16, 1 << 30)
                        : d.maxBundleBytes(),
                f.has("max-growth") ? longIn(f.get("max-growth"), path + ".max-growth", 1, Long.MAX_VALUE)
                        : dev.vitra.watchdog.audit.AuditSettings.DEFAULT_MAX_GROWTH,
                positiveDuration(f, path, "contract-time-budget", Duration.ofSeconds(5)),
                f.has("contract-heap-fraction") ? fraction(f.get("contract-heap-fraction"), path + ".contract-heap-fraction") : 0.7);
    }

    // ---- alerts ----

    /** The routes monitors inherit, and the channels routes may name (set once alerts are read). */
    private WatchdogConfig.Routes defaultRoutes = WatchdogConfig.Routes.NONE;
    private Set<String> channelNames = Set.of();

    private WatchdogConfig.Alerts alerts(ConfigNode node, String path) {
        Fields f = fields(node, path, Set.of("renotify-every", "availability-after", "max-attempts", "smtp", "channels", "routes",
                "templates", "heartbeat", "digest"));
        WatchdogConfig.Alerts d = WatchdogConfig.Alerts.none();
        Duration renotify = positiveDuration(f, path, "renotify-every", d.renotifyEvery());
        Duration after = nonNegativeDuration(f, path, "availability-after", d.availabilityAfter());
        int attempts = f.has("max-attempts") ? intIn(f.get("max-attempts"), path + ".max-attempts", 1, 100) : d.maxAttempts();
        Optional<WatchdogConfig.Smtp> smtp = f.has("smtp") ? Optional.ofNullable(smtp(f.get("smtp"), path + ".smtp"))
                : Optional.empty();
        Map<String, WatchdogConfig.Channel> channels = new LinkedHashMap<>();
        if (f.has("channels")) {
            Fields c = fields(f.get("channels"), path + ".channels", null);
            for (Map.Entry<String, ConfigNode.Member> e : c.members().entrySet()) {
                String p = path + ".channels." + e.getKey();
                if (!NAME.matcher(e.getKey()).matches()) {
                    problem(e.getValue().value(), p, "\"" + e.getKey() + "\" is not a channel name: lowercase letters, digits,"
                            + " '-' and '_', starting with a letter or digit");
                    continue;
                }
                WatchdogConfig.Channel ch = channel(e.getKey(), e.getValue().value(), p, f.has("smtp"));
                if (ch != null) {
                    channels.put(e.getKey(), ch);
                }
            }
        }
        channelNames = channels.keySet();
        WatchdogConfig.Routes routes = f.has("routes") ? routes(f.get("routes"), path + ".routes", WatchdogConfig.Routes.NONE)
                : WatchdogConfig.Routes.NONE;
        Optional<Path> templates = Optional.empty();
        if (f.has("templates")) {
            String t = string(f.get("templates"), path + ".templates");
            if (t != null) {
                Path dir = directory.resolve(t).normalize();
                if (!Files.isDirectory(dir)) {
                    problem(f.get("templates"), path + ".templates", "not a directory: " + dir);
                } else {
                    templates = Optional.of(dir);
                }
            }
        }
        Optional<WatchdogConfig.Heartbeat> heartbeat = Optional.empty();
        if (f.has("heartbeat")) {
            String p = path + ".heartbeat";
            Fields h = fields(f.get("heartbeat"), p, Set.of("url", "every", "secret-env", "secret-file"));
            String url = required(h, f.get("heartbeat"), p, "url");
            if (url != null) {
                endpoint(h.get("url"), p + ".url", url);
            }
            Duration every = positiveDuration(h, p, "every", Duration.ofMinutes(1));
            heartbeat = Optional.of(new WatchdogConfig.Heartbeat(url == null ? "" : url, every, secret(h, p, "secret")));
        }
        Optional<WatchdogConfig.Digest> digest = Optional.empty();
        if (f.has("digest")) {
            String p = path + ".digest";
            Fields d2 = fields(f.get("digest"), p, Set.of("channels", "every", "at"));
            List<String> to = d2.has("channels") ? channelList(d2.get("channels"), p + ".channels") : List.of();
            if (!d2.has("channels")) {
                problem(f.get("digest"), p + ".channels", "required: the email channels that get the digest");
            }
            for (String c : to) {
                if (!(channels.get(c) instanceof WatchdogConfig.Channel.Email)) {
                    problem(d2.get("channels"), p + ".channels", "\"" + c + "\" is not an email channel");
                }
            }
            String every = d2.has("every") ? string(d2.get("every"), p + ".every") : "daily";
            if (every != null && !every.equals("daily") && !every.equals("weekly")) {
                problem(d2.get("every"), p + ".every", "expected daily or weekly, got \"" + every + "\"");
            }
            java.time.LocalTime at = java.time.LocalTime.of(8, 0);
            if (d2.has("at")) {
                String t = string(d2.get("at"), p + ".at");
                try {
                    at = java.time.LocalTime.parse(t == null ? "" : t);
                } catch (java.time.format.DateTimeParseException e) {
                    problem(d2.get("at"), p + ".at", "expected a UTC time of day like 08:00, got \"" + t + "\"");
                }
            }
            digest = Optional.of(new WatchdogConfig.Digest(to, "weekly".equals(every), at));
        }
        return new WatchdogConfig.Alerts(renotify, after, attempts, smtp, channels, routes, templates, heartbeat, digest);
    }

    private WatchdogConfig.Smtp smtp(ConfigNode node, String path) {
        Fields f = fields(node, path, Set.of("host", "port", "security", "user", "password-env", "password-file", "from", "timeout"));
        int before = problems.size();
        String host = required(f, node, path, "host");
        String securityText = f.has("security") ? string(f.get("security"), path + ".security") : "starttls";
        WatchdogConfig.SmtpSecurity security = WatchdogConfig.SmtpSecurity.STARTTLS;
        if (securityText != null) {
            try {
                security = WatchdogConfig.SmtpSecurity.valueOf(securityText.toUpperCase(java.util.Locale.ROOT));
            } catch (IllegalArgumentException e) {
                problem(f.get("security"), path + ".security", "expected starttls, tls or none, got \"" + securityText + "\"");
            }
        }
        int port = f.has("port") ? intIn(f.get("port"), path + ".port", 1, 65535)
                : security == WatchdogConfig.SmtpSecurity.TLS ? 465 : security == WatchdogConfig.SmtpSecurity.STARTTLS ? 587 : 25;
        Optional<String> user = f.has("user") ? Optional.ofNullable(string(f.get("user"), path + ".user")) : Optional.empty();
        Optional<Secret> password = secret(f, path, "password");
        if (password.isPresent() && user.isEmpty()) {
            problem(node, path + ".user", "required with a password");
        }
        String from = required(f, node, path, "from");
        if (from != null) {
            address(f.get("from"), path + ".from", from);
        }
        Duration timeout = positiveDuration(f, path, "timeout", Duration.ofSeconds(30));
        return problems.size() > before ? null
                : new WatchdogConfig.Smtp(host, port, security, user, password, from, timeout);
    }

    private void address(ConfigNode node, String path, String address) {
        try {
            new jakarta.mail.internet.InternetAddress(address, true);
        } catch (jakarta.mail.internet.AddressException e) {
            problem(node, path, "not an email address: \"" + address + "\": " + e.getMessage());
        }
    }

    private WatchdogConfig.Channel channel(String name, ConfigNode node, String path, boolean smtpGiven) {
        Fields f = fields(node, path, Set.of("type", "to", "url", "secret-env", "secret-file", "timeout", "repeat-every"));
        String type = required(f, node, path, "type");
        if (type == null) {
            return null;
        }
        Set<String> allowed = switch (type) {
            case "email" -> Set.of("type", "to");
            case "webhook" -> Set.of("type", "url", "secret-env", "secret-file", "timeout");
            case "alertmanager" -> Set.of("type", "url", "timeout", "repeat-every");
            default -> {
                problem(f.get("type"), path + ".type", "expected email, webhook or alertmanager, got \"" + type + "\"");
                yield null;
            }
        };
        if (allowed == null) {
            return null;
        }
        for (String key : f.members().keySet()) {
            if (!allowed.contains(key)) {
                problem(f.get(key), path + "." + key, "does not apply to " + type + " channels");
            }
        }
        WatchdogConfig.Channel out = switch (type) {
            case "email" -> {
                if (!smtpGiven) {
                    problem(node, path, "an email channel needs alerts.smtp");
                }
                List<String> to = new ArrayList<>();
                ConfigNode list = f.has("to") ? f.get("to") : null;
                if (list == null) {
                    problem(node, path + ".to", "required: the addresses to send to");
                } else if (list instanceof ConfigNode.Sequence seq && !seq.items().isEmpty()) {
                    for (int i = 0; i < seq.items().size(); i++) {
                        String a = string(seq.items().get(i), path + ".to[" + i + "]");
                        if (a != null) {
                            address(seq.items().get(i), path + ".to[" + i + "]", a);
                            to.add(a);
                        }
                    }
                } else {
                    problem(list, path + ".to", "expected a list of addresses, found " + ConfigNode.describe(list));
                }
                yield new WatchdogConfig.Channel.Email(name, to);
            }
            case "webhook" -> {
                String url = required(f, node, path, "url");
                if (url != null) {
                    endpoint(f.get("url"), path + ".url", url);
                }
                yield new WatchdogConfig.Channel.Webhook(name, url, secret(f, path, "secret"),
                        positiveDuration(f, path, "timeout", Duration.ofSeconds(10)));
            }
            default -> {
                String url = required(f, node, path, "url");
                if (url != null) {
                    url(f.get("url"), path + ".url", url);
                }
                yield new WatchdogConfig.Channel.Alertmanager(name, url, positiveDuration(f, path, "repeat-every",
                        Duration.ofMinutes(1)), positiveDuration(f, path, "timeout", Duration.ofSeconds(10)));
            }
        };
        // Kept even when it has problems (the config is refused anyway): routes naming it then report only their own.
        return out;
    }

    /** A webhook URL: http(s), a host, no credentials (they would be logged); a query is allowed. */
    private void endpoint(ConfigNode node, String path, String url) {
        okhttp3.HttpUrl parsed = okhttp3.HttpUrl.parse(url);
        if (parsed == null || !(url.startsWith("http://") || url.startsWith("https://"))) {
            problem(node, path, "not an http(s) URL: \"" + url + "\"");
        } else if (!parsed.username().isEmpty() || !parsed.password().isEmpty()) {
            problem(node, path, "credentials in a URL would be logged; use secret-env or secret-file");
        }
    }

    private WatchdogConfig.Routes routes(ConfigNode node, String path, WatchdogConfig.Routes inherited) {
        Fields f = fields(node, path, Set.of("fraud", "availability", "notice"));
        return new WatchdogConfig.Routes(
                f.has("fraud") ? channelList(f.get("fraud"), path + ".fraud") : inherited.fraud(),
                f.has("availability") ? channelList(f.get("availability"), path + ".availability") : inherited.availability(),
                f.has("notice") ? channelList(f.get("notice"), path + ".notice") : inherited.notice());
    }

    private List<String> channelList(ConfigNode node, String path) {
        List<String> out = new ArrayList<>();
        if (!(node instanceof ConfigNode.Sequence seq)) {
            problem(node, path, "expected a list of channel names, found " + ConfigNode.describe(node));
            return out;
        }
        for (int i = 0; i < seq.items().size(); i++) {
            String name = string(seq.items().get(i), path + "[" + i + "]");
            if (name == null) {
                continue;
            }
            if (!channelNames.contains(name)) {
                problem(seq.items().get(i), path + "[" + i + "]", "no channel \"" + name + "\" in alerts.channels"
                        + (channelNames.isEmpty() ? "" : " (there are: " + String.join(", ", new java.util.TreeSet<>(channelNames)) + ")"));
            } else if (out.contains(name)) {
                problem(seq.items().get(i), path + "[" + i + "]", "\"" + name + "\" is listed twice");
            } else {
                out.add(name);
            }
        }
        return out;
    }

    private WatchdogConfig.Monitor monitor(ConfigNode node, String path) {
        Fields f = fields(node, path, Set.of("name", "executor", "index-log", "oplog-bases", "schedule", "pending-deadline",
                "freshness-deadline", "accept-forks", "alerts"));
        if (!(node instanceof ConfigNode.Mapping)) {
            return null;
        }
        int before = problems.size();
        String name = required(f, node, path, "name");
        if (name != null && !NAME.matcher(name).matches()) {
            problem(f.get("name"), path + ".name", "\"" + name + "\" is not a monitor name: lowercase letters, digits, '-' and '_',"
                    + " starting with a letter or digit, at most 63 characters");
        }
        String executor = required(f, node, path, "executor");
        if (executor != null) {
            url(f.get("executor"), path + ".executor", executor);
        }
        LogId index = null;
        String indexHex = required(f, node, path, "index-log");
        if (indexHex != null) {
            index = logId(f.get("index-log"), path + ".index-log", indexHex);
        }
        Map<LogId, String> bases = new LinkedHashMap<>();
        if (f.has("oplog-bases")) {
            Fields b = fields(f.get("oplog-bases"), path + ".oplog-bases", null);
            for (Map.Entry<String, ConfigNode.Member> e : b.members().entrySet()) {
                String p = path + ".oplog-bases." + e.getKey();
                LogId oplog = logId(e.getValue().value(), p, e.getKey());
                String base = string(e.getValue().value(), p);
                if (oplog != null && base != null && url(e.getValue().value(), p, base)) {
                    if (oplog.equals(index)) {
                        problem(e.getValue().value(), p, "this is the index log, which is always fetched from the executor");
                    }
                    bases.put(oplog, base);
                }
            }
        }
        int beforeSchedule = problems.size();
        WatchdogConfig.Schedule schedule = f.has("schedule") ? schedule(f.get("schedule"), path + ".schedule")
                : new WatchdogConfig.Schedule.Every(DEFAULT_INTERVAL, DEFAULT_JITTER);
        boolean scheduleValid = problems.size() == beforeSchedule;
        Duration pending = nonNegativeDuration(f, path, "pending-deadline", DEFAULT_PENDING_DEADLINE);
        Duration freshness = positiveDuration(f, path, "freshness-deadline", DEFAULT_FRESHNESS_DEADLINE);
        Duration longestWait = scheduleValid ? longestWait(schedule) : Duration.ZERO;
        if (freshness.compareTo(longestWait) <= 0) {
            problem(f.has("freshness-deadline") ? f.get("freshness-deadline") : node, path + ".freshness-deadline",
                    "must be longer than the longest wait between passes (" + (longestWait.equals(FOREVER) ? "forever: the schedule"
                            + " stops firing" : longestWait.toHours() >= 24 && longestWait.toMillis() % 86_400_000 != 0
                            ? "about " + (longestWait.toDays() + 1) + "d" : Durations.format(longestWait))
                            + (schedule instanceof WatchdogConfig.Schedule.Every ? ", interval plus jitter" : ", from the cron schedule")
                            + "), or the monitor is always stale");
        }
        Set<LogId> accept = new LinkedHashSet<>();
        if (f.has("accept-forks")) {
            ConfigNode list = f.get("accept-forks");
            if (list instanceof ConfigNode.Sequence seq) {
                for (int i = 0; i < seq.items().size(); i++) {
                    String v = string(seq.items().get(i), path + ".accept-forks[" + i + "]");
                    LogId id = v == null ? null : logId(seq.items().get(i), path + ".accept-forks[" + i + "]", v);
                    if (id != null) {
                        accept.add(id);
                    }
                }
            } else {
                problem(list, path + ".accept-forks", "expected a list of oplog ids, found " + ConfigNode.describe(list));
            }
        }
        WatchdogConfig.Routes routes = f.has("alerts") ? routes(f.get("alerts"), path + ".alerts", defaultRoutes) : defaultRoutes;
        if (problems.size() > before) {
            return null;
        }
        return new WatchdogConfig.Monitor(name, executor, index, bases, schedule, pending, freshness, accept, routes);
    }

    /** What {@link #longestWait} says of a schedule that stops firing. */
    static final Duration FOREVER = Duration.ofDays(365L * 1000);

    /** The longest a monitor can wait between two passes: interval plus jitter, or the widest gap of the cron schedule. */
    static Duration longestWait(WatchdogConfig.Schedule schedule) {
        return switch (schedule) {
            case WatchdogConfig.Schedule.Every e -> e.interval().plus(e.jitter());
            case WatchdogConfig.Schedule.Cron c -> {
                try {
                    org.quartz.CronExpression cron = new org.quartz.CronExpression(c.expression());
                    cron.setTimeZone(java.util.TimeZone.getTimeZone("UTC"));
                    // From now over four years of fire times (a yearly schedule has gaps too, a leap year among them):
                    // the widest wait, the one until the first fire included. A schedule that stops firing within them
                    // waits forever.
                    long now = System.currentTimeMillis();
                    long end = now + Duration.ofDays(4 * 366).toMillis();
                    java.util.Date t = cron.getNextValidTimeAfter(new java.util.Date(now));
                    long widest = t == null ? Long.MAX_VALUE : t.getTime() - now;
                    for (int i = 0; i < 5000 && t != null && t.getTime() < end; i++) {
                        java.util.Date next = cron.getNextValidTimeAfter(t);
                        widest = next == null ? Long.MAX_VALUE : Math.max(widest, next.getTime() - t.getTime());
                        t = next;
                    }
                    yield widest == Long.MAX_VALUE ? FOREVER : Duration.ofMillis(widest);
                } catch (java.text.ParseException e) {
                    yield Duration.ZERO;
                }
            }
        };
    }

    private WatchdogConfig.Schedule schedule(ConfigNode node, String path) {
        Fields f = fields(node, path, Set.of("every", "jitter", "cron"));
        if (f.has("cron")) {
            if (f.has("every") || f.has("jitter")) {
                problem(node, path, "give either cron or every (with an optional jitter), not both");
            }
            String expression = string(f.get("cron"), path + ".cron");
            if (expression != null && !org.quartz.CronExpression.isValidExpression(expression)) {
                String why;
                try {
                    org.quartz.CronExpression.validateExpression(expression);
                    why = "not valid";
                } catch (java.text.ParseException e) {
                    why = e.getMessage();
                }
                problem(f.get("cron"), path + ".cron", "not a Quartz cron expression (seconds minutes hours day-of-month month"
                        + " day-of-week): \"" + expression + "\": " + why);
            }
            if (expression != null && org.quartz.CronExpression.isValidExpression(expression)) {
                try {
                    org.quartz.CronExpression cron = new org.quartz.CronExpression(expression);
                    cron.setTimeZone(java.util.TimeZone.getTimeZone("UTC"));
                    if (cron.getNextValidTimeAfter(new java.util.Date()) == null) {
                        problem(f.get("cron"), path + ".cron", "never fires again: \"" + expression + "\"");
                    }
                } catch (java.text.ParseException e) {
                    // reported above
                }
            }
            return new WatchdogConfig.Schedule.Cron(expression == null ? "" : expression);
        }
        if (!f.has("every")) {
            problem(node, path, "needs every (an interval, like 30s) or cron");
        }
        Duration every = positiveDuration(f, path, "every", DEFAULT_INTERVAL);
        Duration jitter = nonNegativeDuration(f, path, "jitter", Duration.ZERO);
        if (every.compareTo(Duration.ofSeconds(1)) < 0 && f.has("every")) {
            problem(f.get("every"), path + ".every", "must be at least 1s");
        }
        return new WatchdogConfig.Schedule.Every(every, jitter);
    }

    // ---- values ----

    private record Fields(Map<String, ConfigNode.Member> members) {
        boolean has(String key) {
            return members.containsKey(key) && !(members.get(key).value() instanceof ConfigNode.Scalar s && s.text() == null);
        }

        ConfigNode get(String key) {
            return members.get(key).value();
        }
    }

    /** The members of a mapping; unknown keys (when {@code allowed} is given) are problems. */
    private Fields fields(ConfigNode node, String path, Set<String> allowed) {
        if (!(node instanceof ConfigNode.Mapping m)) {
            if (!(node instanceof ConfigNode.Scalar s && s.text() == null && path.isEmpty())) {
                problem(node, path.isEmpty() ? "(top level)" : path, "expected a mapping, found " + ConfigNode.describe(node));
            }
            return new Fields(Map.of());
        }
        if (allowed != null) {
            for (Map.Entry<String, ConfigNode.Member> e : m.members().entrySet()) {
                if (!allowed.contains(e.getKey())) {
                    problems.add(fileName + ":" + e.getValue().keyLine() + ": " + (path.isEmpty() ? "" : path + ".") + e.getKey()
                            + ": unknown key (expected one of " + String.join(", ", new java.util.TreeSet<>(allowed)) + ")");
                }
            }
        }
        return new Fields(m.members());
    }

    private String required(Fields f, ConfigNode node, String path, String key) {
        if (!f.has(key)) {
            problem(node, path + "." + key, "required");
            return null;
        }
        return string(f.get(key), path + "." + key);
    }

    private String string(ConfigNode node, String path) {
        if (node instanceof ConfigNode.Scalar s && s.text() != null) {
            return s.text();
        }
        problem(node, path, "expected a value, found " + ConfigNode.describe(node));
        return null;
    }

    private int intIn(ConfigNode node, String path, int min, int max) {
        return (int) longIn(node, path, min, max);
    }

    private long longIn(ConfigNode node, String path, long min, long max) {
        String v = string(node, path);
        if (v == null) {
            return min;
        }
        try {
            long n = Long.parseLong(v.replace("_", ""));
            if (n < min || n > max) {
                problem(node, path, "must be from " + min + " to " + max + ", got " + n);
                return min;
            }
            return n;
        } catch (NumberFormatException e) {
            problem(node, path, "expected a whole number, got \"" + v + "\"");
            return min;
        }
    }

    private double fraction(ConfigNode node, String path) {
        String v = string(node, path);
        try {
            double d = Double.parseDouble(v);
            if (!(d > 0 && d < 1)) {
                problem(node, path, "must be between 0 and 1 (exclusive), got " + v);
                return 0.7;
            }
            return d;
        } catch (NumberFormatException | NullPointerException e) {
            if (v != null) {
                problem(node, path, "expected a number between 0 and 1, got \"" + v + "\"");
            }
            return 0.7;
        }
    }

    private Duration positiveDuration(Fields f, String path, String key, Duration otherwise) {
        Duration d = nonNegativeDuration(f, path, key, otherwise);
        if (f.has(key) && d.isZero()) {
            problem(f.get(key), path + "." + key, "must be longer than zero");
            return otherwise;
        }
        return d;
    }

    private Duration nonNegativeDuration(Fields f, String path, String key, Duration otherwise) {
        if (!f.has(key)) {
            return otherwise;
        }
        String p = path.isEmpty() ? key : path + "." + key;
        String v = string(f.get(key), p);
        if (v == null) {
            return otherwise;
        }
        try {
            Duration d = Durations.parse(v);
            if (d.isNegative()) {
                problem(f.get(key), p, "must not be negative");
                return otherwise;
            }
            return d;
        } catch (IllegalArgumentException e) {
            problem(f.get(key), p, e.getMessage());
            return otherwise;
        }
    }

    /**
     * A base URL exactly as it will be fetched: http or https, a host, no credentials (they would show on the status
     * page and in logs), no query or fragment, and nothing an HTTP client would have to rewrite (spaces, quotes, ...).
     */
    private boolean url(ConfigNode node, String path, String url) {
        okhttp3.HttpUrl parsed = okhttp3.HttpUrl.parse(url);
        String why = null;
        if (parsed == null || !(url.startsWith("http://") || url.startsWith("https://"))) {
            why = "not an http(s) URL";
        } else if (!parsed.username().isEmpty() || !parsed.password().isEmpty()) {
            why = "credentials in a URL would be shown on the status page and in logs; not allowed";
        } else if (parsed.query() != null || parsed.fragment() != null) {
            why = "a base URL has no query or fragment";
        } else if (!canonical(parsed.toString(), url)) {
            why = "not written as it would be fetched (as " + parsed + "): write that instead of";
        }
        if (why != null) {
            problem(node, path, why + (why.startsWith("credentials") ? "" : ": \"" + url + "\""));
            return false;
        }
        return true;
    }

    /** Equal up to the case of scheme and host and a trailing slash: what is fetched is what was written. */
    private static boolean canonical(String canonical, String given) {
        String c = canonical.endsWith("/") ? canonical.substring(0, canonical.length() - 1) : canonical;
        String g = given.endsWith("/") ? given.substring(0, given.length() - 1) : given;
        int cPath = c.indexOf('/', c.indexOf("://") + 3);
        int gPath = g.indexOf('/', g.indexOf("://") + 3);
        String cAuthority = cPath < 0 ? c : c.substring(0, cPath);
        String gAuthority = gPath < 0 ? g : g.substring(0, gPath);
        return cAuthority.equalsIgnoreCase(gAuthority) && (cPath < 0 ? "" : c.substring(cPath)).equals(gPath < 0 ? "" : g.substring(gPath));
    }

    private LogId logId(ConfigNode node, String path, String hex) {
        try {
            return LogId.parse(hex);
        } catch (IllegalArgumentException e) {
            problem(node, path, "not a log id (64 lowercase hex digits, an Ed25519 public key): " + e.getMessage());
            return null;
        }
    }

    private void problem(ConfigNode node, String path, String message) {
        problems.add(fileName + ":" + node.line() + ": " + path + ": " + message);
    }
}
